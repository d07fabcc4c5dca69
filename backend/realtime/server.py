"""The AsyncServer and its manager, chosen by configuration."""

from __future__ import annotations

import asyncio
import contextlib
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


class RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """One Redis client and one pub/sub for the manager's lifetime.

    python-socketio builds a new client at every (re)subscribe and on the first publish, racing
    its own listener and leaking the previous client; redis-py reconnects a client (and
    resubscribes a pub/sub) by itself, so ours are made once and closed by `close_manager`.
    """

    def _redis_connect(self) -> None:
        if self.redis is None:
            super()._redis_connect()
        self.connected = True


def build_server(settings: Settings) -> socketio.AsyncServer:
    """Redis manager when REDIS_URL is set (rooms shared by every gateway), else in-process."""
    manager: socketio.AsyncManager
    if settings.redis_url:
        manager = RedisManager(
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


async def close_manager(manager: socketio.AsyncManager) -> None:
    """python-socketio leaves a Redis manager's listener and connections open on shutdown."""
    thread = getattr(manager, "thread", None)
    if isinstance(thread, asyncio.Task) and not thread.done():
        thread.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await thread
    for name in ("pubsub", "redis"):
        connection = getattr(manager, name, None)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.aclose()
