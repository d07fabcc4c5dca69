"""Room, membership and history routes (contract §3): thin adapters over `chat.service`."""

from __future__ import annotations

from aiohttp import web

from backend.chat import schemas
from backend.chat import service as chat
from backend.http import current_user, int_param, json_response, read_json
from backend.keys import RUNTIME
from backend.realtime.handlers import announce_join, announce_leave
from backend.serialize import user_dict
from backend.validation import load

routes = web.RouteTableDef()
_CREATE, _USER_REF, _READ = schemas.RoomCreateIn(), schemas.UserRefIn(), schemas.ReadIn()
_HISTORY = schemas.HistoryQuery()


@routes.post("/api/v1/rooms")
async def create_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    args = load(_CREATE, await read_json(request))
    room = await chat.create_room(user, **args)
    await request.app[RUNTIME].membership.changed(user_id=user.id, room_id=room.id, joined=True)
    return json_response(await chat.room_dict(user, room), status=201)


@routes.get("/api/v1/rooms")
async def my_rooms(request: web.Request) -> web.Response:
    user = await current_user(request)
    return json_response({"rooms": await chat.my_rooms(user)})


@routes.get("/api/v1/rooms/public")
async def public_rooms(request: web.Request) -> web.Response:
    user = await current_user(request)
    return json_response({"rooms": await chat.public_rooms(user)})


@routes.post("/api/v1/rooms/{id}/join")
async def join(request: web.Request) -> web.Response:
    user = await current_user(request)
    room, joined = await chat.join_room(user, int_param(request, "id"))
    if joined:
        await announce_join(request.app[RUNTIME], user, room.id)
    return json_response(await chat.room_dict(user, room))


@routes.post("/api/v1/rooms/{id}/members")
async def add_member(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_USER_REF, await read_json(request))
    room, added = await chat.add_member(user, room_id, args["user_id"])
    await announce_join(request.app[RUNTIME], added, room.id)
    return json_response(await chat.room_dict(user, room))


@routes.get("/api/v1/rooms/{id}/members")
async def members(request: web.Request) -> web.Response:
    """Members with presence and read markers (an extension: initial state for clients)."""
    user = await current_user(request)
    room_id = int_param(request, "id")
    await chat.require_member(user.id, room_id)
    rows = await chat.members(room_id)
    online = await request.app[RUNTIME].presence.online([member.id for member, _ in rows])
    return json_response(
        {
            "members": [
                {**user_dict(member), "online": member.id in online, "last_read_seq": seq}
                for member, seq in rows
            ]
        }
    )


@routes.delete("/api/v1/rooms/{id}/members/me")
async def leave(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    await chat.leave_room(user, room_id)
    await announce_leave(request.app[RUNTIME], user, room_id)
    return web.Response(status=204)


@routes.post("/api/v1/dms")
async def open_dm(request: web.Request) -> web.Response:
    user = await current_user(request)
    args = load(_USER_REF, await read_json(request))
    room, created = await chat.open_dm(user, args["user_id"])
    if created:
        rt = request.app[RUNTIME]
        for member_id in (user.id, args["user_id"]):
            await rt.membership.changed(user_id=member_id, room_id=room.id, joined=True)
    return json_response(await chat.room_dict(user, room))


@routes.get("/api/v1/rooms/{id}/messages")
async def history(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_HISTORY, dict(request.query))
    room = await chat.require_member(user.id, room_id)
    messages, has_more = await chat.read_history(room, cache=request.app[RUNTIME].recent, **args)
    return json_response({"messages": messages, "has_more": has_more})


@routes.post("/api/v1/rooms/{id}/read")
async def read(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_READ, await read_json(request))
    seq = await chat.mark_read(user, room_id, args["seq"])
    await request.app[RUNTIME].sio.emit(
        "read",
        {"room_id": room_id, "user_id": user.id, "seq": seq},
        room=chat.room_channel(room_id),
    )
    return web.Response(status=204)
