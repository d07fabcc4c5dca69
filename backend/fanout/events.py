"""Every server→client event: its name, its payload, and the one notifier that sends it.

REST routes, socket handlers and the worker all emit through `Notifier`, so an event's name and
shape are written once (contract §4) whichever process sends it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from backend.accounts.models import User
from backend.shapes.channels import room_channel, user_channel
from backend.shapes.serialize import user_dict

MESSAGE_NEW = "message:new"
MESSAGE_UPDATED = "message:updated"
MESSAGE_REJECTED = "message:rejected"
NOTIFICATION = "notification"
TYPING = "typing"
PRESENCE = "presence"
READ = "read"
MEMBER_JOINED = "room:member_joined"
MEMBER_LEFT = "room:member_left"
ROOM_UPDATED = "room:updated"
ROOM_REMOVED = "room:removed"
USER_UPDATED = "user:updated"

Target = str | list[str]


class Emission(NamedTuple):
    event: str
    data: Any
    room: Target
    skip_sid: str | None = None


class Emitter(Protocol):
    """Reaches Socket.IO rooms on every gateway node (a live server, or a write-only manager)."""

    async def emit(
        self, event: str, data: Any, *, room: Target, skip_sid: str | None = None
    ) -> None: ...

    async def emit_many(self, emissions: Sequence[Emission]) -> None:
        """In this order; a write-only manager sends them in one round trip."""

    async def close(self) -> None: ...


class Collector:
    """An emitter that keeps what it is given: the worker's notifier for one batch, whose
    events then leave together (`Emitter.emit_many`), not one round trip each."""

    def __init__(self) -> None:
        self.emissions: list[Emission] = []

    async def emit(
        self, event: str, data: Any, *, room: Target, skip_sid: str | None = None
    ) -> None:
        self.emissions.append(Emission(event, data, room, skip_sid))

    async def emit_many(self, emissions: Sequence[Emission]) -> None:
        self.emissions.extend(emissions)

    async def close(self) -> None:
        """Nothing is held open."""


class Notifier:
    def __init__(self, emitter: Emitter) -> None:
        self.emitter = emitter

    async def message_new(self, message: Mapping[str, Any], *, only_sender: bool = False) -> None:
        """To the room; `only_sender` re-delivers a retried send to its sender's sockets only."""
        target = (
            user_channel(message["sender"]["id"])
            if only_sender
            else room_channel(message["room_id"])
        )
        await self.emitter.emit(MESSAGE_NEW, message, room=target)

    async def message_updated(self, message: Mapping[str, Any]) -> None:
        await self.emitter.emit(MESSAGE_UPDATED, message, room=room_channel(message["room_id"]))

    async def message_rejected(
        self, *, sender_id: int, room_id: int, client_msg_id: str, code: str, message: str
    ) -> None:
        """To the sender's sockets: a send acknowledged as queued that the worker refused (the
        sender was removed from the room meanwhile, or the room is gone); it is not stored."""
        payload = {
            "room_id": room_id,
            "client_msg_id": client_msg_id,
            "error": {"code": code, "message": message},
        }
        await self.emitter.emit(MESSAGE_REJECTED, payload, room=user_channel(sender_id))

    async def notification(
        self, user_ids: Sequence[int], kind: str, message: Mapping[str, Any]
    ) -> None:
        """To these users' sockets on every node, in one emit (contract §6 "Mentions and
        notifications"); each socket gets it once."""
        payload = {"kind": kind, "room_id": message["room_id"], "message": message}
        await self.emitter.emit(
            NOTIFICATION, payload, room=[user_channel(user_id) for user_id in user_ids]
        )

    async def typing(self, room_id: int, user: User, typing: bool, *, skip_sid: str) -> None:
        payload = {"room_id": room_id, "user": user_dict(user), "typing": typing}
        await self.emitter.emit(TYPING, payload, room=room_channel(room_id), skip_sid=skip_sid)

    async def presence(self, user: User, online: bool, *, to: Target) -> None:
        """`to`: channels (`room_channel`, `user_channel`) or a single socket's sid."""
        payload = {"user": user_dict(user), "online": online}
        await self.emitter.emit(PRESENCE, payload, room=to)

    async def read(self, room_id: int, user_id: int, seq: int) -> None:
        payload = {"room_id": room_id, "user_id": user_id, "seq": seq}
        await self.emitter.emit(READ, payload, room=room_channel(room_id))

    async def member_joined(self, room_id: int, user: User) -> None:
        payload = {"room_id": room_id, "user": user_dict(user)}
        await self.emitter.emit(MEMBER_JOINED, payload, room=room_channel(room_id))

    async def member_left(self, room_id: int, user: User, *, also_to: int | None = None) -> None:
        """To the room; `also_to` a user whose sockets already left it (the leaver)."""
        payload = {"room_id": room_id, "user": user_dict(user)}
        to = [room_channel(room_id)] + ([user_channel(also_to)] if also_to is not None else [])
        await self.emitter.emit(MEMBER_LEFT, payload, room=to)

    async def room_updated(self, room: Mapping[str, Any]) -> None:
        """The room's settings changed; `room` as a member sees it (without caller fields)."""
        await self.emitter.emit(ROOM_UPDATED, room, room=room_channel(room["id"]))

    @staticmethod
    def removal_notice(room_id: int, reason: str, *, banned: bool = False) -> dict[str, Any]:
        """`room:removed`'s payload: `kicked` (a ban adds `banned`) or `deleted`."""
        notice: dict[str, Any] = {"room_id": room_id, "reason": reason}
        if banned:
            notice["banned"] = True
        return notice

    async def room_removed(self, notice: Mapping[str, Any], *, to: Target) -> None:
        """To sockets taken out of a room; sent by each node to its own sockets once they have
        left the room's channel (`membership.MembershipSync.removed`)."""
        await self.emitter.emit(ROOM_REMOVED, notice, room=to)

    async def user_updated(self, user: User, *, to: list[str]) -> None:
        """A profile change, to the channels of those who share a room with the user."""
        if to:
            await self.emitter.emit(USER_UPDATED, user_dict(user), room=to)
