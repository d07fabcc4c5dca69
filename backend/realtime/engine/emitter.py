"""The two ways events reach a room's sockets: a live server, or a write-only Redis manager."""

from __future__ import annotations

import base64
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import socketio
import structlog
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError
from socketio.packet import Packet

from backend.fanout.events import Emission, Target
from backend.infra import metrics
from backend.realtime.engine.server import RedisManager, close_manager

log = structlog.get_logger("chatty.emitter")

# KEYS: the Socket.IO channel; ARGV: the messages, published in this order.
_PUBLISH_ALL = """
for i = 1, #ARGV do redis.call('PUBLISH', KEYS[1], ARGV[i]) end
return #ARGV
"""


def pubsub_message(emission: Emission, *, host_id: str) -> dict[str, Any]:
    """What `AsyncPubSubManager.emit` publishes for a JSON event without a callback, for a
    write-only manager that sends many in one pipeline (`RedisEmitter.emit_many`); a test
    compares it with python-socketio's own (`tests/unit/test_emitter.py`)."""
    return {
        "method": "emit",
        "event": emission.event,
        "data": [emission.data],
        "binary": False,
        "namespace": "/",
        "room": emission.room,
        "skip_sid": emission.skip_sid,
        "callback": None,
        "host_id": host_id,
        "sent_at": time.time(),  # ours: how long it waited before a gateway handled it
    }


def encoded_message(manager: Any, emission: Emission) -> str:
    """`pubsub_message` as JSON; one with bytes in it (JSON refuses them, so none is walked
    for bytes) is published as python-socketio publishes a binary event: its attachments in
    base64 after the data."""
    message = pubsub_message(emission, host_id=manager.host_id)
    try:
        return str(manager.json.dumps(message))
    except TypeError:
        if not Packet.data_is_binary(message["data"]):
            raise
    data, attachments = Packet.deconstruct_binary(message["data"])
    message["data"] = [data, *[base64.b64encode(a).decode() for a in attachments]]
    message["binary"] = True
    return str(manager.json.dumps(message))


class ServerEmitter:
    """Through a live AsyncServer (the gateway's own events, and embedded mode's worker)."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def emit(
        self, event: str, data: Any, *, room: Target, skip_sid: str | None = None
    ) -> None:
        # A socket of this node (a connect's presence snapshot) is reached here only: python-
        # socketio would also publish it for every other node to look up and drop. Still
        # connecting counts (`is_connected` is False until the connect handler returns).
        here = isinstance(room, str) and self._sio.manager.eio_sid_from_sid(room, "/") is not None
        await self._sio.emit(event, data, room=room, skip_sid=skip_sid, ignore_queue=here)

    async def emit_many(self, emissions: Sequence[Emission]) -> None:
        for e in emissions:
            await self.emit(e.event, e.data, room=e.room, skip_sid=e.skip_sid)

    async def close(self) -> None:
        """The server is owned by the gateway."""


class RedisEmitter:
    """A write-only Redis manager: the worker publishes, every gateway delivers locally.

    With Redis down the manager logs and returns: an emit is not proof of delivery, which is
    why clients close gaps with `sync` from the database.
    """

    def __init__(self, redis_url: str, *, channel: str, json: Any) -> None:
        self._manager = RedisManager(redis_url, channel=channel, write_only=True, json=json)
        self._publish_all: AsyncScript | None = None

    async def emit(
        self, event: str, data: Any, *, room: Target, skip_sid: str | None = None
    ) -> None:
        metrics.EVENTS_OUT.labels(event).inc()
        await self._manager.emit(event, data, namespace="/", room=room, skip_sid=skip_sid)

    async def emit_many(self, emissions: Sequence[Emission]) -> None:
        """The messages python-socketio's own `emit` would publish one by one, published by
        one script: a worker's batch costs one command, not one per event. Redis away: logged,
        like `emit` (clients close gaps with `sync`)."""
        if not emissions:
            return
        manager = self._manager
        messages = [encoded_message(manager, e) for e in emissions]
        for attempt in (1, 2):
            try:
                if not manager.connected or self._publish_all is None:
                    manager._redis_connect()
                    self._publish_all = manager.redis.register_script(_PUBLISH_ALL)
                await self._publish_all(keys=[manager.channel], args=messages)
                break
            except (RedisError, OSError) as exc:
                manager.connected = False
                log.warning("emit_failed", error=str(exc), events=len(emissions), attempt=attempt)
        else:
            return
        for event, count in Counter(e.event for e in emissions).items():
            metrics.EVENTS_OUT.labels(event).inc(count)  # once per kind: `labels` takes a lock

    async def close(self) -> None:
        await close_manager(self._manager)


def emit_turn_key(channel: str, room_id: int) -> str:
    """A room's live-delivery turn counter in Redis (`worker/ordering.py`), named once: the
    workers advance it, the gateway deletes it with the room."""
    return f"{channel}:emitted:{room_id}"
