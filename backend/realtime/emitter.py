"""The two ways events reach a room's sockets: a live server, or a write-only Redis manager."""

from __future__ import annotations

from typing import Any

import socketio

from backend import metrics
from backend.realtime.events import Target
from backend.realtime.server import RedisManager, close_manager


class ServerEmitter:
    """Through a live AsyncServer (the gateway's own events, and embedded mode's worker)."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def emit(
        self, event: str, data: Any, *, room: Target, skip_sid: str | None = None
    ) -> None:
        await self._sio.emit(event, data, room=room, skip_sid=skip_sid)

    async def close(self) -> None:
        """The server is owned by the gateway."""


class RedisEmitter:
    """A write-only Redis manager: the worker publishes, every gateway delivers locally.

    With Redis down the manager logs and returns: an emit is not proof of delivery, which is
    why clients close gaps with `sync` from the database.
    """

    def __init__(self, redis_url: str, *, channel: str, json: Any) -> None:
        self._manager = RedisManager(redis_url, channel=channel, write_only=True, json=json)

    async def emit(
        self, event: str, data: Any, *, room: Target, skip_sid: str | None = None
    ) -> None:
        metrics.EVENTS_OUT.labels(event).inc()
        await self._manager.emit(event, data, namespace="/", room=room, skip_sid=skip_sid)

    async def close(self) -> None:
        await close_manager(self._manager)
