"""Room settings, roles, kicks and bans (contract §6): thin adapters over `chat.moderation`.

Every route is rate-limited per user (`CHATTY_MODERATION_PER_MINUTE`); the announcing of a
removal (sockets out of the room on every node, then `room:removed`) is `announce_removed`'s.
"""

from __future__ import annotations

import contextlib

from aiohttp import web
from redis.exceptions import RedisError

from backend.accounts.models import User
from backend.api.keys import ANNOUNCER, NOTIFIER, REDIS
from backend.infra.ratelimit import Limit, enforce
from backend.realtime.announce import announce_removed
from backend.realtime.engine.emitter import emit_turn_key
from backend.rooms import moderation, rooms
from backend.rooms.schemas import RoleIn, RoomPatchIn
from backend.shapes.chat_schemas import UserRefIn
from backend.shapes.validation import load
from backend.web.http import current_user, int_param, json_response, read_json
from backend.web.keys import LIMITER, SETTINGS

routes = web.RouteTableDef()
_PATCH, _ROLE, _USER_REF = RoomPatchIn(), RoleIn(), UserRefIn()
# Fields of a Room that are the caller's own: left out of `room:updated`, which goes to all.
CALLER_FIELDS = ("role", "unread_count", "mention_count", "notify")


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
    room = await moderation.update_room(user, int_param(request, "id"), args)
    mine = await rooms.room_dict(user, room)
    shared = {k: v for k, v in mine.items() if k not in CALLER_FIELDS}
    await request.app[NOTIFIER].room_updated(shared)
    return json_response(mine)


@routes.delete("/api/v1/rooms/{id}")
async def delete_room(request: web.Request) -> web.Response:
    user = await _moderator(request)
    room_id = int_param(request, "id")
    member_ids = await moderation.delete_room(user, room_id)
    redis = request.app[REDIS]
    if redis is not None:  # the room's turn counter goes with it (Redis away: its TTL)
        with contextlib.suppress(RedisError, OSError):
            await redis.delete(emit_turn_key(request.app[SETTINGS].socketio_channel, room_id))
    members = await User.filter(id__in=member_ids) if member_ids else []
    await announce_removed(request.app[ANNOUNCER], room_id, list(members), "deleted")
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
    _, kicked = await moderation.kick(user, room_id, int_param(request, "user_id"))
    await request.app[NOTIFIER].member_left(room_id, kicked)
    await announce_removed(request.app[ANNOUNCER], room_id, [kicked], "kicked")
    return web.Response(status=204)


@routes.post("/api/v1/rooms/{id}/bans")
async def ban(request: web.Request) -> web.Response:
    user = await _moderator(request)
    room_id = int_param(request, "id")
    args = load(_USER_REF, await read_json(request))
    _, banned, was_member = await moderation.ban(user, room_id, args["user_id"])
    if was_member:
        await request.app[NOTIFIER].member_left(room_id, banned)
        await announce_removed(request.app[ANNOUNCER], room_id, [banned], "kicked", banned=True)
    return web.Response(status=204)


@routes.delete("/api/v1/rooms/{id}/bans/{user_id}")
async def unban(request: web.Request) -> web.Response:
    user = await _moderator(request)
    await moderation.unban(user, int_param(request, "id"), int_param(request, "user_id"))
    return web.Response(status=204)
