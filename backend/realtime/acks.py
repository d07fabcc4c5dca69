"""Every acked handler answers `{"ok": true, …}` or `{"ok": false, "error": …}`; never silence.

python-socketio sends no ack when a handler raises, leaving the client to its timeout, so every
client→server event goes through `acked`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from backend.errors import AppError, InternalError

log = structlog.get_logger("chatty.realtime")

Handler = Callable[[str, Any], Awaitable[dict[str, Any] | None]]
AckedHandler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def error_ack(error: AppError) -> dict[str, Any]:
    return {"ok": False, "error": {"code": error.code, "message": error.message}}


def acked(event: str, handler: Handler) -> AckedHandler:
    @functools.wraps(handler)
    async def wrapper(sid: str, data: Any = None) -> dict[str, Any]:
        try:
            result = await handler(sid, data)
        except AppError as exc:
            return error_ack(exc)
        except Exception:
            log.exception("socket_handler_failed", socket_event=event, sid=sid)
            return error_ack(InternalError())
        return {"ok": True, **(result or {})}

    return wrapper
