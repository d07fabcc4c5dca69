"""Profile and blocking routes (contract §6 "Profiles and blocking"): thin adapters.

A profile change reaches everyone who shares a room with the user (`user:updated`, every node).
A block is silent: the blocked user is told nothing; presence between the two stops both ways
(each is shown the other as offline, as if they had left).
"""

from __future__ import annotations

from aiohttp import web

from backend.accounts import blocking
from backend.accounts.models import User
from backend.accounts.profile import update_profile
from backend.api.keys import NOTIFIER, PRESENCE
from backend.fanout.events import room_channel, user_channel
from backend.infra.ratelimit import Limit, enforce
from backend.rooms.members import room_ids_of
from backend.rooms.schemas import ProfileIn
from backend.rooms.visibility import presence_peers
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
    user = await update_profile(user, **load(_PROFILE, await read_json(request)))
    targets = [user_channel(user.id), *(room_channel(r) for r in await room_ids_of(user.id))]
    await request.app[NOTIFIER].user_updated(user, to=targets)
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
    await blocking.block(user, target.id)
    notifier = request.app[NOTIFIER]
    await notifier.presence(user, False, to=user_channel(target.id))
    await notifier.presence(target, False, to=user_channel(user.id))
    return web.Response(status=204)


@routes.delete("/api/v1/users/{id}/block")
async def unblock(request: web.Request) -> web.Response:
    user, target = await _blocking(request)
    await blocking.unblock(user, target.id)
    notifier = request.app[NOTIFIER]
    if await presence_peers(user.id, among=[target.id]):  # they may see each other again
        online = await request.app[PRESENCE].online([user.id, target.id])
        if target.id in online:
            await notifier.presence(target, True, to=user_channel(user.id))
        if user.id in online:
            await notifier.presence(user, True, to=user_channel(target.id))
    return web.Response(status=204)
