"""Socket.IO event handlers (contract §4): validate, call the domain, return the ack.

`ChatSockets.register` binds each client→server event to a method; every event goes through
`acked`, so a failing handler still answers. Per-socket state is the Socket.IO session (the
user) and this class's typing tracker; nothing is attached to the library's objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import socketio
import structlog

from backend.accounts import service as accounts
from backend.accounts.models import User
from backend.chat import members
from backend.chat.dms import DmReopener
from backend.chat.envelope import EDIT
from backend.chat.history import history, read_history
from backend.chat.moderation_queue import queue_delete
from backend.chat.rooms import room_dict
from backend.chat.schemas import HistoryIn, RoomReadIn, RoomRefIn, SyncIn, TypingIn
from backend.chat.send import queue_change, queue_message
from backend.chat.visibility import online_peers
from backend.errors import AppError, NotFound, Unauthorized
from backend.outages import is_outage
from backend.realtime.acks import Handler, acked, error_ack
from backend.realtime.announce import (
    announce_join,
    announce_leave,
    announce_new_room,
    announce_presence,
)
from backend.realtime.events import room_channel, user_channel
from backend.realtime.typing import TypingTracker
from backend.runtime import Runtime
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


def _refused(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """The JS client sees `{code, message}` as `connect_error`'s `data`."""
    return socketio.exceptions.ConnectionRefusedError(message, {"code": code, "message": message})


class ChatSockets:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.sio = rt.sio
        self.typing_tracker = TypingTracker(self._announce_typing)
        self.dms = DmReopener()

    def register(self) -> None:
        self.sio.on("connect", self.connect)
        self.sio.on("disconnect", self.disconnect)
        self.sio.on("*", self.unknown_event)
        events: Mapping[str, Handler] = {
            "message:send": self.send,
            "message:edit": self.edit,
            "message:delete": self.delete,
            "history:fetch": self.history,
            "sync": self.sync,
            "room:join": self.room_join,
            "room:leave": self.room_leave,
            "typing": self.typing,
            "read": self.read,
        }
        for event, handler in events.items():
            self.sio.on(event, acked(event, handler))

    async def user_of(self, sid: str) -> User:
        """The socket's user, bound to this event's log lines; unauthorized if none."""
        session = await self.sio.get_session(sid)
        user = session.get("user") if session else None
        if not isinstance(user, User):
            raise Unauthorized()
        structlog.contextvars.bind_contextvars(user_id=user.id)
        return user

    # ---- connection ---------------------------------------------------------------------------

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            if not isinstance(token, str) or not token:
                raise Unauthorized("missing token")
            user = await accounts.authenticate(self.rt.settings, token)
        except AppError as exc:
            raise _refused("unauthorized", exc.message) from exc
        except Exception as exc:
            if not is_outage(exc):
                raise
            # The database is away: say so at once instead of leaving the client to time out.
            raise _refused("unavailable", "service temporarily unavailable") from exc
        await self.sio.save_session(sid, {"user": user})
        await self.sio.enter_room(sid, user_channel(user.id))
        room_ids = await members.room_ids_of(user.id)
        for room_id in room_ids:
            await self.sio.enter_room(sid, room_channel(room_id))
        if await self.rt.presence.connected(user.id, sid):
            await announce_presence(self.rt, user, online=True)
        # Who is online already: a snapshot for this socket, as `presence` events.
        for peer in await online_peers(user.id, online=self.rt.presence.online):
            await self.rt.notifier.presence(peer, True, to=sid)
        log.debug("socket_connected", sid=sid, user_id=user.id)

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        log.debug("socket_disconnected", sid=sid, reason=str(reason))
        await self.typing_tracker.forget(sid)
        session = await self.sio.get_session(sid)
        user = session.get("user") if session else None
        if isinstance(user, User) and await self.rt.presence.disconnected(user.id, sid):
            await announce_presence(self.rt, user, online=False)

    async def unknown_event(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return error_ack(NotFound(f"unknown event {event[:64]!r}"))

    # ---- messages -------------------------------------------------------------------------------

    async def send(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        return await queue_message(
            data,
            user_id=user.id,
            settings=self.rt.settings,
            queue=self.rt.queue,
            limiter=self.rt.limiter,
            socket_rooms=frozenset(self.sio.rooms(sid)),
            before_queue=lambda room_id: self._reopen_dm(room_id, user),
        )

    async def _reopen_dm(self, room_id: int, user: User) -> None:
        restored = await self.dms.before_send(room_id, user.id)
        if restored:
            await announce_new_room(self.rt, room_id, restored)

    async def edit(self, sid: str, data: Any) -> dict[str, Any]:
        return await self._change(sid, data, op=EDIT)

    async def delete(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        rt = self.rt
        return await queue_delete(
            data, user_id=user.id, settings=rt.settings, queue=rt.queue, limiter=rt.limiter
        )

    async def _change(self, sid: str, data: Any, *, op: str) -> dict[str, Any]:
        user = await self.user_of(sid)
        rt = self.rt
        return await queue_change(
            data, op=op, user_id=user.id, settings=rt.settings, queue=rt.queue, limiter=rt.limiter
        )

    async def history(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        args = load(_HISTORY, data)
        room = await members.require_member(user.id, args["room_id"])
        messages, has_more = await read_history(
            room,
            before_seq=args["before_seq"],
            after_seq=args["after_seq"],
            limit=args["limit"],
            cache=self.rt.recent,
        )
        return {"messages": messages, "has_more": has_more}

    async def sync(self, sid: str, data: Any) -> dict[str, Any]:
        """What the client missed per room; rooms it may not read answer with an error entry."""
        user = await self.user_of(sid)
        wanted = load(_SYNC, data)["rooms"]
        result: dict[str, Any] = {}
        for key, last_seen in wanted.items():
            try:
                await members.require_member(user.id, int(key))
            except AppError as exc:
                result[key] = {"messages": [], "has_more": False, "error": exc.to_dict()}
                continue
            messages, has_more = await history(
                int(key), before_seq=None, after_seq=last_seen, limit=SYNC_MAX
            )
            result[key] = {"messages": messages, "has_more": has_more}
        return {"rooms": result}

    # ---- rooms ----------------------------------------------------------------------------------

    async def room_join(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        room, joined = await members.join_room(user, load(_ROOM, data)["room_id"])
        if joined:
            await announce_join(self.rt, user, room.id)
        return {"room": await room_dict(user, room)}

    async def room_leave(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        room_id = load(_ROOM, data)["room_id"]
        await members.leave_room(user, room_id)
        await announce_leave(self.rt, user, room_id)
        return {}

    async def typing(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        args = load(_TYPING, data)
        await members.require_member(user.id, args["room_id"])
        await self.typing_tracker.update(sid, args["room_id"], args["typing"])
        return {}

    async def _announce_typing(self, sid: str, room_id: int, typing: bool) -> None:
        session = await self.sio.get_session(sid)
        user = session.get("user") if session else None
        if isinstance(user, User):
            await self.rt.notifier.typing(room_id, user, typing, skip_sid=sid)

    async def read(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        args = load(_READ, data)
        seq = await members.mark_read(user, args["room_id"], args["seq"])
        await self.rt.notifier.read(args["room_id"], user.id, seq)
        return {}
