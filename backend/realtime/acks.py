"""Every acked handler answers `{"ok": true, …}` or `{"ok": false, "error": …}`; never silence.

python-socketio sends no ack when a handler raises, leaving the client to its timeout, so every
client→server event goes through `acked`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from backend.infra import metrics
from backend.infra.outages import is_outage
from backend.shapes.errors import AppError, InternalError, Unavailable

log = structlog.get_logger("chatty.realtime")

Handler = Callable[[str, Any], Awaitable[dict[str, Any] | None]]
AckedHandler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def error_ack(error: AppError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.retry_after is not None:
        body["retry_after"] = error.retry_after
    return {"ok": False, "error": body}


def acked(event: str, handler: Handler) -> AckedHandler:
    @functools.wraps(handler)
    async def wrapper(sid: str, data: Any = None) -> dict[str, Any]:
        # Each event runs in its own task (async_handlers), so this binding is the event's own.
        structlog.contextvars.bind_contextvars(sid=sid, socket_event=event)
        metrics.SOCKET_EVENTS_IN.labels(event).inc()
        try:
            result = await handler(sid, data)
        except AppError as exc:
            if exc.code == "rate_limited":
                metrics.RATE_LIMITED.labels(f"socket:{event}").inc()
            log.debug("socket_event_handled", ok=False, code=exc.code)
            return error_ack(exc)
        except Exception as exc:
            if is_outage(exc):  # PostgreSQL or Redis away: the client may retry
                log.warning("socket_event_unavailable", error=repr(exc)[:200])
                return error_ack(Unavailable())
            log.exception("socket_handler_failed", socket_event=event, sid=sid)
            return error_ack(InternalError())
        log.debug("socket_event_handled", ok=True)
        return {"ok": True, **(result or {})}

    return wrapper
