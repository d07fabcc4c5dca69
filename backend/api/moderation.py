"""Room settings, roles, kicks and bans (contract §6): thin adapters over the moderation
actions (`backend.actions.moderation`: done, then told) and `rooms.moderation`.

Every route is rate-limited per user (`CHATTY_MODERATION_PER_MINUTE`).
"""

from __future__ import annotations

import contextlib

from aiohttp import web
from redis.exceptions import RedisError

from backend.accounts.models import User
from backend.actions import moderation as act
from backend.api.keys import ANNOUNCER, REDIS
from backend.infra.ratelimit import Limit, enforce
from backend.realtime.engine.emitter import emit_turn_key
from backend.rooms import moderation, rooms
from backend.rooms.schemas import RoleIn, RoomPatchIn
from backend.shapes.chat_schemas import UserRefIn
from backend.shapes.validation import load
from backend.web.http import current_user, int_param, json_response, read_json
from backend.web.keys import LIMITER, SETTINGS

routes = web.RouteTableDef()
_PATCH, _ROLE, _USER_REF = RoomPatchIn(), RoleIn(), UserRefIn()


async def _moderator(request: web.Request) -> User:
    """The caller, within their moderation rate limit."""
    user = await current_user(request)
    limit = Limit.per_minute(request.app[SETTINGS].moderation_per_minute)
    await enforce(request.app[LIMITER], f"mod:{user.id}", limit)
    return user


@routes.patch("/api/v1/rooms/{id}")
async def update_room(request: web.Request) -> web.Response:
    user = await _moderator(request)
    args = load(_PATCH, await read_json(request))
    return json_response(
        await act.update_room(request.app[ANNOUNCER], user, int_param(request, "id"), args)
    )


@routes.delete("/api/v1/rooms/{id}")
async def delete_room(request: web.Request) -> web.Response:
    user = await _moderator(request)
    room_id = int_param(request, "id")
    await act.delete_room(request.app[ANNOUNCER], user, room_id)
    redis = request.app[REDIS]
    if redis is not None:  # the room's turn counter goes with it (Redis away: its TTL)
        with contextlib.suppress(RedisError, OSError):
            await redis.delete(emit_turn_key(request.app[SETTINGS].socketio_channel, room_id))
    return web.Response(status=204)


@routes.patch("/api/v1/rooms/{id}/members/{user_id}")
async def set_role(request: web.Request) -> web.Response:
    user = await _moderator(request)
    args = load(_ROLE, await read_json(request))
    room, _ = await moderation.set_role(
        user, int_param(request, "id"), int_param(request, "user_id"), args["role"]
    )
    return json_response(await rooms.room_dict(user, room))


@routes.delete("/api/v1/rooms/{id}/members/{user_id}")
async def kick(request: web.Request) -> web.Response:
    user = await _moderator(request)
    room_id = int_param(request, "id")
    await act.kick(request.app[ANNOUNCER], user, room_id, int_param(request, "user_id"))
    return web.Response(status=204)


@routes.post("/api/v1/rooms/{id}/bans")
async def ban(request: web.Request) -> web.Response:
    user = await _moderator(request)
    room_id = int_param(request, "id")
    args = load(_USER_REF, await read_json(request))
    await act.ban(request.app[ANNOUNCER], user, room_id, args["user_id"])
    return web.Response(status=204)


@routes.delete("/api/v1/rooms/{id}/bans/{user_id}")
async def unban(request: web.Request) -> web.Response:
    user = await _moderator(request)
    await moderation.unban(user, int_param(request, "id"), int_param(request, "user_id"))
    return web.Response(status=204)
