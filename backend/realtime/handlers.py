"""Socket.IO event handlers: validate, call the domain, return the ack (contract §4)."""

from __future__ import annotations

from typing import Any

import socketio
import structlog

from backend.accounts import service as accounts
from backend.accounts.models import User
from backend.chat import service as chat
from backend.chat.schemas import HistoryIn, RoomReadIn, RoomRefIn, SyncIn, TypingIn
from backend.chat.send import queue_change, queue_message
from backend.errors import AppError, NotFound, Unauthorized
from backend.outages import is_outage
from backend.realtime.acks import Handler, acked, error_ack
from backend.realtime.typing import TypingTracker
from backend.runtime import Runtime
from backend.serialize import user_dict
from backend.validation import load

log = structlog.get_logger("chatty.realtime")

_HISTORY, _SYNC, _ROOM, _TYPING, _READ = (
    HistoryIn(),
    SyncIn(),
    RoomRefIn(),
    TypingIn(),
    RoomReadIn(),
)
SYNC_MAX = 100


def register(rt: Runtime) -> None:
    sio = rt.sio

    async def user_of(sid: str) -> User:
        session = await sio.get_session(sid)
        user = session.get("user") if session else None
        if not isinstance(user, User):
            raise Unauthorized()
        structlog.contextvars.bind_contextvars(user_id=user.id)  # this event's log lines
        return user

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            if not isinstance(token, str) or not token:
                raise Unauthorized("missing token")
            user = await accounts.authenticate(rt.settings, token, sessions=rt.sessions)
        except AppError as exc:
            raise socketio.exceptions.ConnectionRefusedError(
                exc.message, {"code": "unauthorized", "message": exc.message}
            ) from exc
        except Exception as exc:
            if not is_outage(exc):
                raise
            # The database is away: say so at once instead of leaving the client to time out.
            message = "service temporarily unavailable"
            raise socketio.exceptions.ConnectionRefusedError(
                message, {"code": "unavailable", "message": message}
            ) from exc
        await sio.save_session(sid, {"user": user})
        await sio.enter_room(sid, chat.user_channel(user.id))
        room_ids = await chat.room_ids_of(user.id)
        for room_id in room_ids:
            await sio.enter_room(sid, chat.room_channel(room_id))
        if await rt.presence.connected(user.id, sid):
            await announce_presence(rt, user, online=True, room_ids=room_ids)
        # Who is online already: a snapshot for this socket, as `presence` events.
        for peer in await chat.peers_of(user.id, online=rt.presence.online):
            await sio.emit("presence", {"user": user_dict(peer), "online": True}, to=sid)
        log.debug("socket_connected", sid=sid, user_id=user.id)

    @sio.event  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: Any = None) -> None:
        log.debug("socket_disconnected", sid=sid, reason=str(reason))
        await typing_tracker.forget(sid)
        session = await sio.get_session(sid)
        user = session.get("user") if session else None
        if isinstance(user, User) and await rt.presence.disconnected(user.id, sid):
            await announce_presence(rt, user, online=False)

    async def announce_typing(sid: str, room_id: int, typing: bool) -> None:
        session = await sio.get_session(sid)
        user = session.get("user") if session else None
        if isinstance(user, User):
            payload = {"room_id": room_id, "user": user_dict(user), "typing": typing}
            await sio.emit("typing", payload, room=chat.room_channel(room_id), skip_sid=sid)

    typing_tracker = TypingTracker(announce_typing)

    def on(event: str, handler: Handler) -> None:
        sio.on(event, acked(event, handler))

    async def send(sid: str, data: Any) -> dict[str, Any]:
        user = await user_of(sid)
        return await queue_message(
            data,
            user_id=user.id,
            settings=rt.settings,
            queue=rt.queue,
            limiter=rt.limiter,
            socket_rooms=frozenset(sio.rooms(sid)),
        )

    async def edit(sid: str, data: Any) -> dict[str, Any]:
        return await queue_change(data, op="edit", **(await writer(sid)))

    async def delete(sid: str, data: Any) -> dict[str, Any]:
        return await queue_change(data, op="delete", **(await writer(sid)))

    async def writer(sid: str) -> dict[str, Any]:
        user = await user_of(sid)
        return {
            "user_id": user.id,
            "settings": rt.settings,
            "queue": rt.queue,
            "limiter": rt.limiter,
        }

    async def history(sid: str, data: Any) -> dict[str, Any]:
        user = await user_of(sid)
        args = load(_HISTORY, data)
        room = await chat.require_member(user.id, args["room_id"])
        messages, has_more = await chat.read_history(
            room,
            before_seq=args["before_seq"],
            after_seq=args["after_seq"],
            limit=args["limit"],
            cache=rt.recent,
        )
        return {"messages": messages, "has_more": has_more}

    async def sync(sid: str, data: Any) -> dict[str, Any]:
        """What the client missed per room; rooms it may not read answer with an error entry."""
        user = await user_of(sid)
        wanted = load(_SYNC, data)["rooms"]
        result: dict[str, Any] = {}
        for key, last_seen in wanted.items():
            try:
                await chat.require_member(user.id, int(key))
            except AppError as exc:
                result[key] = {"messages": [], "has_more": False, "error": exc.to_dict()}
                continue
            messages, has_more = await chat.history(
                int(key), before_seq=None, after_seq=last_seen, limit=SYNC_MAX
            )
            result[key] = {"messages": messages, "has_more": has_more}
        return {"rooms": result}

    async def room_join(sid: str, data: Any) -> dict[str, Any]:
        user = await user_of(sid)
        room, joined = await chat.join_room(user, load(_ROOM, data)["room_id"])
        if joined:
            await announce_join(rt, user, room.id)
        return {"room": await chat.room_dict(user, room)}

    async def room_leave(sid: str, data: Any) -> dict[str, Any]:
        user = await user_of(sid)
        room_id = load(_ROOM, data)["room_id"]
        await chat.leave_room(user, room_id)
        await announce_leave(rt, user, room_id)
        return {}

    async def typing(sid: str, data: Any) -> dict[str, Any]:
        user = await user_of(sid)
        args = load(_TYPING, data)
        await chat.require_member(user.id, args["room_id"])
        await typing_tracker.update(sid, args["room_id"], args["typing"])
        return {}

    async def read(sid: str, data: Any) -> dict[str, Any]:
        user = await user_of(sid)
        args = load(_READ, data)
        seq = await chat.mark_read(user, args["room_id"], args["seq"])
        payload = {"room_id": args["room_id"], "user_id": user.id, "seq": seq}
        await sio.emit("read", payload, room=chat.room_channel(args["room_id"]))
        return {}

    @sio.on("*")  # type: ignore[untyped-decorator]
    async def unknown_event(event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return error_ack(NotFound(f"unknown event {event[:64]!r}"))

    on("message:send", send)
    on("message:edit", edit)
    on("message:delete", delete)
    on("history:fetch", history)
    on("sync", sync)
    on("room:join", room_join)
    on("room:leave", room_leave)
    on("typing", typing)
    on("read", read)


async def announce_presence(
    rt: Runtime, user: User, *, online: bool, room_ids: list[int] | None = None
) -> None:
    """To everyone who shares a room with the user (each socket once, on every node)."""
    rooms = room_ids if room_ids is not None else await chat.room_ids_of(user.id)
    if rooms:
        channels = [chat.room_channel(r) for r in rooms]
        await rt.sio.emit("presence", {"user": user_dict(user), "online": online}, room=channels)


async def announce_join(rt: Runtime, user: User, room_id: int) -> None:
    """Every socket of the user, on every node, enters the room; members are told."""
    await rt.membership.changed(user_id=user.id, room_id=room_id, joined=True)
    payload = {"room_id": room_id, "user": user_dict(user)}
    await rt.sio.emit("room:member_joined", payload, room=chat.room_channel(room_id))
    # New room-mates learn each other's presence now, not at their next reconnect.
    members = [member for member, _ in await chat.members(room_id)]
    online = await rt.presence.online([member.id for member in members])
    if user.id in online:
        await rt.sio.emit(
            "presence", {"user": user_dict(user), "online": True}, room=chat.room_channel(room_id)
        )
    for member in members:
        if member.id in online and member.id != user.id:
            await rt.sio.emit(
                "presence",
                {"user": user_dict(member), "online": True},
                room=chat.user_channel(user.id),
            )


async def announce_leave(rt: Runtime, user: User, room_id: int) -> None:
    payload = {"room_id": room_id, "user": user_dict(user)}
    await rt.sio.emit("room:member_left", payload, room=chat.room_channel(room_id))
    await rt.membership.changed(user_id=user.id, room_id=room_id, joined=False)
