"""Membership changes reach every socket of the user, on every gateway node, at once.

python-socketio can only put *local* sids in a room, so a join or leave is broadcast (Redis
pub/sub in distributed mode, a direct call in embedded mode) and each gateway applies it to the
sockets it holds in the user's personal room.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

import orjson
import socketio
import structlog
from redis.asyncio import Redis

from backend.chat.service import room_channel, user_channel

log = structlog.get_logger("chatty.membership")


class MembershipSync(Protocol):
    async def changed(self, *, user_id: int, room_id: int, joined: bool) -> None: ...


async def apply_locally(
    sio: socketio.AsyncServer, *, user_id: int, room_id: int, joined: bool
) -> None:
    channel = room_channel(room_id)
    for sid, _eio_sid in list(sio.manager.get_participants("/", user_channel(user_id))):
        if joined:
            await sio.enter_room(sid, channel)
        else:
            await sio.leave_room(sid, channel)


class LocalMembershipSync:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def changed(self, *, user_id: int, room_id: int, joined: bool) -> None:
        await apply_locally(self._sio, user_id=user_id, room_id=room_id, joined=joined)


class RedisMembershipSync:
    """Publishes changes and, in `listen`, applies everyone's changes to this node's sockets."""

    def __init__(self, redis: Redis, sio: socketio.AsyncServer, channel: str) -> None:
        self._redis = redis
        self._sio = sio
        self._channel = f"{channel}.membership"

    async def changed(self, *, user_id: int, room_id: int, joined: bool) -> None:
        # Apply here first: the caller's own sockets must not wait for a round trip.
        await apply_locally(self._sio, user_id=user_id, room_id=room_id, joined=joined)
        message = {"user_id": user_id, "room_id": room_id, "joined": joined}
        await self._redis.publish(self._channel, orjson.dumps(message))

    async def listen(self) -> None:
        """Runs for the gateway's lifetime; reconnects with backoff when Redis goes away."""
        delay = 0.1
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    delay = 0.1
                    async for raw in pubsub.listen():
                        await self._handle(raw)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("membership_listener_reconnect", error=str(exc), delay=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _handle(self, raw: dict[str, Any]) -> None:
        with contextlib.suppress(orjson.JSONDecodeError, KeyError, TypeError):
            data = orjson.loads(raw["data"])
            await apply_locally(
                self._sio,
                user_id=int(data["user_id"]),
                room_id=int(data["room_id"]),
                joined=bool(data["joined"]),
            )
