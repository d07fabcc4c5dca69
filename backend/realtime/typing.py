"""Typing indicators: throttled, never echoed to the typer's socket, and expiring by themselves.

A client says `typing: true` as often as it likes; members hear it at most once per `THROTTLE`
seconds, and a `typing: false` follows by itself `EXPIRE` seconds after the last `true` (or at
once when the typer says so, or disconnects), so no indicator is left spinning.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

THROTTLE = 2.0
EXPIRE = 6.0

Announce = Callable[[str, int, bool], Awaitable[None]]  # (sid, room_id, typing)


@dataclass
class _Typing:
    announced_at: float
    timer: asyncio.TimerHandle


class TypingTracker:
    def __init__(self, announce: Announce) -> None:
        self._announce = announce
        self._active: dict[tuple[str, int], _Typing] = {}

    async def update(self, sid: str, room_id: int, typing: bool) -> None:
        key = (sid, room_id)
        current = self._active.pop(key, None)
        if current is not None:
            current.timer.cancel()
        if not typing:
            if current is not None:
                await self._announce(sid, room_id, False)
            return
        now = time.monotonic()
        announced_at = current.announced_at if current else 0.0
        if now - announced_at >= THROTTLE:
            await self._announce(sid, room_id, True)
            announced_at = now
        timer = asyncio.get_running_loop().call_later(
            EXPIRE, lambda: asyncio.ensure_future(self.update(sid, room_id, False))
        )
        self._active[key] = _Typing(announced_at, timer)

    async def forget(self, sid: str) -> None:
        """The socket is gone: whatever it was typing stops."""
        for key in [k for k in self._active if k[0] == sid]:
            await self.update(sid, key[1], False)
