"""Changes about a user reach every socket of theirs, on every gateway node, at once.

python-socketio can only act on *local* sids, so a join, a leave or a revocation is broadcast
(Redis pub/sub in distributed mode, a direct call in embedded mode) and each gateway applies it to
the sockets it holds in the user's personal room.

A socket still connecting has entered its user's channel but not yet its rooms' (it read them
from the database in between): a room change for it then is held (`Arrivals`) and replayed once
it is in its rooms, so a ban during the connect can never be lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol

import orjson
import socketio
import structlog
from redis.asyncio import Redis

from backend.fanout.events import Notifier
from backend.infra.backoff import Backoff
from backend.realtime.engine.channels import in_channel
from backend.realtime.engine.emitter import ServerEmitter
from backend.realtime.engine.recovery import watched_pubsub
from backend.shapes.channels import room_channel, user_channel

log = structlog.get_logger("chatty.membership")


_ROOM_OPS = ("join", "leave", "remove")


class Arrivals:
    """The sockets between entering their user's channel and entering their rooms' channels,
    each with the room changes that reached it meanwhile, in order.

    Applying a removal then would be lost (the socket is not in the room yet, and enters it
    next from a read that may predate the removal); replayed after, it always applies.
    """

    def __init__(self) -> None:
        self._held: dict[str, list[dict[str, Any]]] = {}

    def begin(self, sid: str) -> None:
        """Before the socket enters its user's channel."""
        self._held[sid] = []

    def hold(self, sid: str, change: dict[str, Any]) -> bool:
        """Keeps a room change for a socket still arriving; False if it has arrived."""
        held = self._held.get(sid)
        if held is None or change["op"] not in _ROOM_OPS:
            return False
        held.append(change)
        return True

    async def arrived(self, sio: socketio.AsyncServer, sid: str) -> None:
        """The socket is in its rooms' channels: what was held applies now, and from here on
        changes apply at once (none can slip in between: the last check and the release
        happen without an await)."""
        while held := self._held.get(sid):
            self._held[sid] = []
            for change in held:
                await _apply_to(sio, sid, change)
        self.forget(sid)

    def forget(self, sid: str) -> None:
        """The connect ended (arrived, refused or failed)."""
        self._held.pop(sid, None)


class MembershipSync(Protocol):
    arrivals: Arrivals

    async def changed(self, *, user_id: int, room_id: int, joined: bool) -> None:
        """Every socket of the user enters (or leaves) the room's channel."""

    async def revoked(self, *, user_id: int, session_version: int) -> None:
        """Every socket of the user authenticated before `session_version` is disconnected."""

    async def session_ended(self, *, user_id: int, session_id: str) -> None:
        """Every socket opened with a token of that session (one login) is disconnected."""

    async def removed(self, *, user_id: int, room_id: int, notice: dict[str, Any]) -> None:
        """Every socket of the user leaves the room's channel, then is sent `room:removed`."""


async def apply_locally(
    sio: socketio.AsyncServer, change: dict[str, Any], arrivals: Arrivals | None = None
) -> None:
    user_id = int(change["user_id"])
    sids = [sid for sid, _eio in list(sio.manager.get_participants("/", user_channel(user_id)))]
    for sid in sids:
        if arrivals is None or not arrivals.hold(sid, change):
            await _apply_to(sio, sid, change)


async def _apply_to(sio: socketio.AsyncServer, sid: str, change: dict[str, Any]) -> None:
    if change["op"] == "remove":
        # Each node tells its own sockets only once they left: nothing of the room follows.
        # Only sockets still in the room are told (a node also hears its own broadcasts).
        channel = room_channel(int(change["room_id"]))
        if in_channel(sio, sid, channel):
            await sio.leave_room(sid, channel)
            await Notifier(ServerEmitter(sio)).room_removed(change["notice"], to=sid)
        return
    if change["op"] in ("revoke", "end_session"):
        session = await sio.get_session(sid)
        if _ended(change, session or {}):
            await sio.disconnect(sid)
        return
    channel = room_channel(int(change["room_id"]))
    if change["op"] == "join":
        await sio.enter_room(sid, channel)
    else:
        await sio.leave_room(sid, channel)


def _ended(change: dict[str, Any], session: dict[str, Any]) -> bool:
    """Whether a socket's session is one the change ends."""
    user = session.get("user")
    if change["op"] == "end_session":
        return bool(session.get("session_id") == change["session_id"])
    return user is None or user.session_version < int(change["session_version"])


def _membership(user_id: int, room_id: int, joined: bool) -> dict[str, Any]:
    return {"op": "join" if joined else "leave", "user_id": user_id, "room_id": room_id}


def _revocation(user_id: int, session_version: int) -> dict[str, Any]:
    return {"op": "revoke", "user_id": user_id, "session_version": session_version}


def _session_end(user_id: int, session_id: str) -> dict[str, Any]:
    return {"op": "end_session", "user_id": user_id, "session_id": session_id}


def _removal(user_id: int, room_id: int, notice: dict[str, Any]) -> dict[str, Any]:
    return {"op": "remove", "user_id": user_id, "room_id": room_id, "notice": notice}


class LocalMembershipSync:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio
        self.arrivals = Arrivals()

    async def changed(self, *, user_id: int, room_id: int, joined: bool) -> None:
        await apply_locally(self._sio, _membership(user_id, room_id, joined), self.arrivals)

    async def revoked(self, *, user_id: int, session_version: int) -> None:
        await apply_locally(self._sio, _revocation(user_id, session_version), self.arrivals)

    async def session_ended(self, *, user_id: int, session_id: str) -> None:
        await apply_locally(self._sio, _session_end(user_id, session_id), self.arrivals)

    async def removed(self, *, user_id: int, room_id: int, notice: dict[str, Any]) -> None:
        await apply_locally(self._sio, _removal(user_id, room_id, notice), self.arrivals)


class RedisMembershipSync:
    """Publishes changes and, in `listen`, applies everyone's changes to this node's sockets."""

    def __init__(
        self,
        redis: Redis,
        sio: socketio.AsyncServer,
        channel: str,
        *,
        on_missed_changes: Callable[[str], None],
    ) -> None:
        self._redis = redis
        self._sio = sio
        self._channel = f"{channel}.membership"
        self._on_missed_changes = on_missed_changes
        self.arrivals = Arrivals()

    async def changed(self, *, user_id: int, room_id: int, joined: bool) -> None:
        await self._broadcast(_membership(user_id, room_id, joined))

    async def revoked(self, *, user_id: int, session_version: int) -> None:
        await self._broadcast(_revocation(user_id, session_version))

    async def session_ended(self, *, user_id: int, session_id: str) -> None:
        await self._broadcast(_session_end(user_id, session_id))

    async def removed(self, *, user_id: int, room_id: int, notice: dict[str, Any]) -> None:
        await self._broadcast(_removal(user_id, room_id, notice))

    async def _broadcast(self, change: dict[str, Any]) -> None:
        # Published first: with Redis away this raises before anything changed anywhere, so
        # the caller can undo its own change (all or nothing). Then applied here at once: the
        # caller's own sockets must not wait for the round trip back.
        await self._redis.publish(self._channel, orjson.dumps(change))
        await apply_locally(self._sio, change, self.arrivals)

    async def listen(self) -> None:
        """Runs for the gateway's lifetime; reconnects with backoff when Redis goes away.

        Changes published while it was away are lost: once back, this node's sockets are sent
        to reconnect, which rejoins them to their rooms from the database (recovery.py).
        """
        backoff, ever = Backoff(), False
        while True:
            try:
                async with watched_pubsub(self._redis, self._missed_changes) as pubsub:
                    await pubsub.subscribe(self._channel)
                    if ever:
                        self._missed_changes()
                    ever = True
                    backoff.reset()
                    async for raw in pubsub.listen():
                        await self._handle(raw)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = backoff.next()
                log.warning("membership_listener_reconnect", error=str(exc), delay=delay)
                await asyncio.sleep(delay)

    def _missed_changes(self) -> None:
        self._on_missed_changes("membership listener resubscribed")

    async def _handle(self, raw: dict[str, Any]) -> None:
        with contextlib.suppress(orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            await apply_locally(self._sio, orjson.loads(raw["data"]), self.arrivals)
