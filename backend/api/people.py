"""Profile and blocking routes (contract §6 "Profiles and blocking"): thin adapters over
`backend.actions.people` (who is told what is written there)."""

from __future__ import annotations

from aiohttp import web

from backend.accounts.models import User
from backend.actions import people
from backend.api.keys import ANNOUNCER
from backend.infra.ratelimit import Limit, enforce
from backend.rooms.schemas import ProfileIn
from backend.shapes.errors import NotFound
from backend.shapes.serialize import user_dict
from backend.shapes.validation import load
from backend.web.http import current_user, int_param, json_response, read_json
from backend.web.keys import LIMITER, SETTINGS

routes = web.RouteTableDef()
_PROFILE = ProfileIn()


@routes.patch("/api/v1/users/me")
async def update_me(request: web.Request) -> web.Response:
    user = await current_user(request)
    limit = Limit.per_minute(request.app[SETTINGS].profile_updates_per_minute)
    await enforce(request.app[LIMITER], f"profile:{user.id}", limit)
    changes = load(_PROFILE, await read_json(request))
    user = await people.change_profile(request.app[ANNOUNCER], user, changes)
    return json_response(user_dict(user))


async def _blocking(request: web.Request) -> tuple[User, User]:
    user = await current_user(request)
    limit = Limit.per_minute(request.app[SETTINGS].blocks_per_minute)
    await enforce(request.app[LIMITER], f"block:{user.id}", limit)
    target = await User.get_or_none(id=int_param(request, "id"))
    if target is None:
        raise NotFound("user not found")
    return user, target


@routes.post("/api/v1/users/{id}/block")
async def block(request: web.Request) -> web.Response:
    user, target = await _blocking(request)
    await people.block(request.app[ANNOUNCER], user, target)
    return web.Response(status=204)


@routes.delete("/api/v1/users/{id}/block")
async def unblock(request: web.Request) -> web.Response:
    user, target = await _blocking(request)
    await people.unblock(request.app[ANNOUNCER], user, target)
    return web.Response(status=204)
