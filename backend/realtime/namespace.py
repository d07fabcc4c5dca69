"""Socket.IO event handlers (contract §4): validate, call the domain, return the ack.

`ChatSockets.register` binds each client→server event to a method; every event goes through
`acked`, so a failing handler still answers. Per-socket state is the Socket.IO session (the
user) and this class's typing tracker; nothing is attached to the library's objects.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import socketio
import structlog

from backend.accounts.models import User
from backend.actions.announcer import Announcer
from backend.actions.presence import announce_typing
from backend.actions.rooms import (
    announce_join,
    leave_and_announce,
    mark_read_and_announce,
    reopen_dm,
)
from backend.files.service import attach_all
from backend.inbound.moderation import queue_delete
from backend.inbound.react import queue_reaction
from backend.inbound.send import queue_change, queue_message
from backend.inbound.write_path import WritePath
from backend.infra.limits import Limits
from backend.messages.history import read_history, sync_rooms
from backend.messages.recent import RecentCache
from backend.queue.envelope import EDIT, REACTION_ADD, REACTION_REMOVE
from backend.realtime.acks import Handler, acked, error_ack
from backend.realtime.connection import Connections
from backend.realtime.engine.channels import SocketChannels
from backend.realtime.engine.frames import FRAME_MAX, INVALID_FRAME, TOO_LARGE
from backend.realtime.typing import TypingTracker
from backend.rooms import members
from backend.rooms.dms import DmReopener
from backend.rooms.rooms import room_dict
from backend.settings.config import Settings
from backend.shapes.chat_schemas import HistoryIn, RoomReadIn, RoomRefIn, SyncIn, TypingIn
from backend.shapes.errors import (
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from backend.shapes.validation import load

log = structlog.get_logger("chatty.realtime")

_HISTORY, _SYNC, _ROOM, _TYPING, _READ = (
    HistoryIn(),
    SyncIn(),
    RoomRefIn(),
    TypingIn(),
    RoomReadIn(),
)


class ChatSockets:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        connections: Connections,
        *,
        settings: Settings,
        limits: Limits,
        writes: WritePath,
        recent: RecentCache,
        announcer: Announcer,
    ) -> None:
        self.sio, self.connections = sio, connections
        self.settings, self.limits, self.writes = settings, limits, writes
        self.recent, self.announcer = recent, announcer
        self.typing_tracker = TypingTracker(self._announce_typing)
        self.dms = DmReopener()

    def register(self) -> None:
        self.sio.on("connect", self.connections.connect)
        self.sio.manager.on_connected = self.connections.connected  # after the CONNECT packet
        self.sio.on("disconnect", self.disconnect)
        self.sio.on("*", self.unknown_event)
        events: Mapping[str, Handler] = {
            "message:send": self.send,
            "message:edit": self.edit,
            "message:delete": self.delete,
            "reaction:add": self.reaction_add,
            "reaction:remove": self.reaction_remove,
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
        return await self.connections.user_of(sid)

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        await self.typing_tracker.forget(sid)
        await self.connections.disconnect(sid, reason)

    async def unknown_event(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        if event == INVALID_FRAME:
            if data == TOO_LARGE:
                return error_ack(PayloadTooLarge(f"an event is at most {FRAME_MAX} bytes"))
            return error_ack(ValidationFailed("the event is not readable JSON"))
        return error_ack(NotFound(f"unknown event {event[:64]!r}"))

    # ---- messages -------------------------------------------------------------------------------

    async def send(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        return await queue_message(
            data,
            user_id=user.id,
            writes=self.writes,
            socket_rooms=SocketChannels(self.sio, sid),
            before_queue=functools.partial(reopen_dm, self.announcer, self.dms, user),
        )

    async def edit(self, sid: str, data: Any) -> dict[str, Any]:
        return await self._change(sid, data, op=EDIT)

    async def delete(self, sid: str, data: Any) -> dict[str, Any]:
        """The author's own delete, or a moderator's of anyone's message in their room."""
        user = await self.user_of(sid)
        return await queue_delete(data, user_id=user.id, writes=self.writes)

    async def reaction_add(self, sid: str, data: Any) -> dict[str, Any]:
        return await self._react(sid, data, op=REACTION_ADD)

    async def reaction_remove(self, sid: str, data: Any) -> dict[str, Any]:
        return await self._react(sid, data, op=REACTION_REMOVE)

    async def _react(self, sid: str, data: Any, *, op: str) -> dict[str, Any]:
        user = await self.user_of(sid)
        return await queue_reaction(data, op=op, user_id=user.id, writes=self.writes)

    async def _change(self, sid: str, data: Any, *, op: str) -> dict[str, Any]:
        user = await self.user_of(sid)
        return await queue_change(data, op=op, user_id=user.id, writes=self.writes)

    async def history(self, sid: str, data: Any) -> dict[str, Any]:
        async with self.connections.one_read_at_a_time(sid):
            return await self._history(sid, data)

    async def _history(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        args = load(_HISTORY, data)
        await self.limits.read(user.id)  # first: a refused fetch pays too, before any query
        room = await members.require_member(user.id, args["room_id"])
        messages, has_more = await read_history(
            room,
            before_seq=args["before_seq"],
            after_seq=args["after_seq"],
            limit=args["limit"],
            cache=self.recent,
            replies_to=args["replies_to"],
            around_seq=args["around_seq"],
        )
        await attach_all(self.settings, messages)
        return {"messages": messages, "has_more": has_more}

    async def sync(self, sid: str, data: Any) -> dict[str, Any]:
        async with self.connections.one_read_at_a_time(sid):
            return await self._sync(sid, data)

    async def _sync(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        wanted = load(_SYNC, data)["rooms"]
        await self.limits.read(user.id)
        settings = self.settings
        rooms = await sync_rooms(
            user.id,
            wanted,
            max_rooms=settings.sync_max_rooms,
            max_bytes=settings.reply_max_bytes,
            finish=lambda messages: attach_all(settings, messages),  # counted in the budget
        )
        return {"rooms": rooms}

    # ---- rooms ----------------------------------------------------------------------------------

    async def room_join(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        await self.limits.room_change(user.id)
        room, joined = await members.join_room(user, load(_ROOM, data)["room_id"])
        if joined:
            await announce_join(self.announcer, user, room.id)
        return {"room": await room_dict(user, room)}

    async def room_leave(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        room_id = load(_ROOM, data)["room_id"]
        await self.limits.room_change(user.id)
        await leave_and_announce(self.announcer, user, room_id)
        return {}

    async def typing(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        args = load(_TYPING, data)
        await self.limits.live_event(user.id)  # first: a refused one pays too, before any query
        await members.require_member(user.id, args["room_id"])
        await self.typing_tracker.update(sid, args["room_id"], args["typing"])
        return {}

    async def _announce_typing(self, sid: str, room_id: int, typing: bool) -> None:
        session = await self.sio.get_session(sid)
        user = session.get("user") if session else None
        if isinstance(user, User):
            await announce_typing(self.announcer, user, room_id, typing, sid=sid)

    async def read(self, sid: str, data: Any) -> dict[str, Any]:
        user = await self.user_of(sid)
        args = load(_READ, data)
        await mark_read_and_announce(self.announcer, user, args["room_id"], args["seq"])
        return {}
