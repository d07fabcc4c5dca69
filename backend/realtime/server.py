"""The AsyncServer and its manager, chosen by configuration."""

from __future__ import annotations

import logging

import socketio

from backend import jsonutil
from backend.config import Settings


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
    return socketio.AsyncServer(
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
