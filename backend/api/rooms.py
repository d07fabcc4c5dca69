"""Room, membership and history routes (contract §3): thin adapters over the chat modules."""

from __future__ import annotations

from aiohttp import web

from backend.actions.rooms import (
    announce_join,
    announce_new_room,
    leave_and_announce,
    mark_read_and_announce,
)
from backend.api.keys import ANNOUNCER, PRESENCE, RECENT
from backend.files.service import attach_all
from backend.messages.history import read_history
from backend.rooms import members, rooms
from backend.rooms.visibility import presence_peers
from backend.shapes import chat_schemas as schemas
from backend.shapes.serialize import user_dict
from backend.shapes.validation import load
from backend.web.http import current_user, int_param, json_response, read_json
from backend.web.keys import LIMITS, SETTINGS

routes = web.RouteTableDef()
_CREATE, _USER_REF, _READ = schemas.RoomCreateIn(), schemas.UserRefIn(), schemas.ReadIn()
_HISTORY = schemas.HistoryQuery()


@routes.post("/api/v1/rooms")
async def create_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    args = load(_CREATE, await read_json(request))
    await request.app[LIMITS].room_change(user.id)
    room = await rooms.create_room(user, **args)
    await announce_new_room(request.app[ANNOUNCER], room.id, [user.id])
    return json_response(await rooms.room_dict(user, room), status=201)


@routes.get("/api/v1/rooms")
async def my_rooms(request: web.Request) -> web.Response:
    user = await current_user(request)
    await request.app[LIMITS].room_list(user.id)
    return json_response({"rooms": await rooms.my_rooms(user)})


@routes.get("/api/v1/rooms/public")
async def public_rooms(request: web.Request) -> web.Response:
    user = await current_user(request)
    return json_response({"rooms": await rooms.public_rooms(user)})


@routes.post("/api/v1/rooms/{id}/join")
async def join(request: web.Request) -> web.Response:
    user = await current_user(request)
    await request.app[LIMITS].room_change(user.id)
    room, joined = await members.join_room(user, int_param(request, "id"))
    if joined:
        await announce_join(request.app[ANNOUNCER], user, room.id)
    return json_response(await rooms.room_dict(user, room))


@routes.post("/api/v1/rooms/{id}/members")
async def add_member(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_USER_REF, await read_json(request))
    await request.app[LIMITS].room_change(user.id)
    room, added = await members.add_member(user, room_id, args["user_id"])
    await announce_join(request.app[ANNOUNCER], added, room.id)
    return json_response(await rooms.room_dict(user, room))


@routes.get("/api/v1/rooms/{id}/members")
async def room_members(request: web.Request) -> web.Response:
    """Members with presence and read markers (an extension: initial state for clients)."""
    user = await current_user(request)
    room_id = int_param(request, "id")
    await members.require_member(user.id, room_id)
    rows = await members.members(room_id)
    visible = await presence_peers(user.id, among=[member.id for member, _, _ in rows])
    online = await request.app[PRESENCE].online([user.id, *visible])
    return json_response(
        {
            "members": [
                {**user_dict(m), "online": m.id in online, "last_read_seq": seq, "role": role}
                for m, seq, role in rows
            ]
        }
    )


@routes.delete("/api/v1/rooms/{id}/members/me")
async def leave(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    await request.app[LIMITS].room_change(user.id)
    await leave_and_announce(request.app[ANNOUNCER], user, room_id)
    return web.Response(status=204)


@routes.post("/api/v1/dms")
async def open_dm(request: web.Request) -> web.Response:
    user = await current_user(request)
    args = load(_USER_REF, await read_json(request))
    await request.app[LIMITS].room_change(user.id)
    room, opened = await members.open_dm(user, args["user_id"])
    if opened:
        await announce_new_room(request.app[ANNOUNCER], room.id, opened)
    return json_response(await rooms.room_dict(user, room))


@routes.get("/api/v1/rooms/{id}/messages")
async def history(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_HISTORY, dict(request.query))
    room = await members.require_member(user.id, room_id)
    await request.app[LIMITS].read(user.id)
    messages, has_more = await read_history(room, cache=request.app[RECENT], **args)
    await attach_all(request.app[SETTINGS], messages)
    return json_response({"messages": messages, "has_more": has_more})


@routes.post("/api/v1/rooms/{id}/read")
async def read(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_READ, await read_json(request))
    await mark_read_and_announce(request.app[ANNOUNCER], user, room_id, args["seq"])
    return web.Response(status=204)
