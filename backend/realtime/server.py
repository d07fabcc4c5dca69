"""The AsyncServer and its manager, chosen by configuration."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from backend import jsonutil, metrics
from backend.config import Settings


class CountingServer(socketio.AsyncServer):  # type: ignore[misc]
    """An AsyncServer that counts what it emits, by event (`chatty_events_out_total`)."""

    async def emit(self, event: str, *args: Any, **kwargs: Any) -> None:
        metrics.EVENTS_OUT.labels(event).inc()
        await super().emit(event, *args, **kwargs)


def build_server(settings: Settings) -> socketio.AsyncServer:
    """Redis manager when REDIS_URL is set (rooms shared by every gateway), else in-process."""
    manager: socketio.AsyncManager
    if settings.redis_url:
        manager = socketio.AsyncRedisManager(
            settings.redis_url,
            channel=settings.socketio_channel,
            json=jsonutil,
            logger=logging.getLogger("chatty.socketio.manager"),
        )
    else:
        manager = socketio.AsyncManager()
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    return CountingServer(
        async_mode="aiohttp",
        client_manager=manager,
        json=jsonutil,
        # Empty list: same origin only (python-socketio compares Origin with Host).
        cors_allowed_origins=origins or None,
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
