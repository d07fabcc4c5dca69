"""Shutdown never waits forever: each resource gets a few seconds to close, then is left behind
with a log line. A close that hangs (a pool waiting for a connection nobody returns, a read
blocked until its socket timeout) must not keep a SIGTERM'd process, or a test, waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

import structlog

log = structlog.get_logger("chatty.closing")

CLOSE_TIMEOUT = 5.0


async def closed(what: str, closing: Awaitable[Any]) -> None:
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT):
            await closing
    except TimeoutError:
        log.warning("close_timed_out", resource=what, seconds=CLOSE_TIMEOUT)


async def cancelled(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait (bounded) until they have finished."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    await closed("background tasks", asyncio.gather(*tasks, return_exceptions=True))
