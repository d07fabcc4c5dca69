"""Every write path's limit, named once; the numbers are settings (the README's table).

A bucket per user (or per address before a user is known); beyond it `rate_limited` with
`retry_after`, and nothing of the refused call is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.infra.ratelimit import Limit, RateLimiter, Toll, enforce
from backend.settings.config import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    limiter: RateLimiter
    settings: Settings

    async def message(self, user_id: int) -> None:
        """Sends, edits and deletes."""
        await self.message_toll(user_id).pay()

    def message_toll(self, user_id: int) -> Toll:
        """The same, paid with the queue append (`InboundQueue.publish`)."""
        s = self.settings
        return Toll(self.limiter, f"msg:{user_id}", Limit(s.message_rate, s.message_burst))

    async def read(self, user_id: int) -> None:
        """History pages and `sync`: each can answer with many messages."""
        s = self.settings
        await enforce(self.limiter, f"read:{user_id}", Limit(s.read_rate, s.read_burst))

    async def room_list(self, user_id: int) -> None:
        """`GET /api/v1/rooms`: every room of the caller, with its counts."""
        limit = Limit.per_minute(self.settings.room_list_per_minute)
        await enforce(self.limiter, f"roomlist:{user_id}", limit)

    async def live_event(self, user_id: int) -> None:
        """`typing`: each is broadcast to a room."""
        await enforce(self.limiter, f"live:{user_id}", self._live)

    async def live_event_allowed(self, user_id: int) -> bool:
        """For broadcasts that may be skipped (a read receipt: the next one carries it)."""
        return await self.limiter.take(f"live:{user_id}", self._live) == 0

    @property
    def _live(self) -> Limit:
        rate = self.settings.live_events_per_second
        return Limit(rate, max(1, round(rate * 5)))

    async def room_change(self, user_id: int) -> None:
        """Creating, joining, leaving a room and adding someone to one."""
        limit = Limit.per_minute(self.settings.room_changes_per_minute)
        await enforce(self.limiter, f"rooms:{user_id}", limit)

    async def handshake(self, address: str) -> None:
        """Socket.IO connection attempts, before the token is even looked at."""
        limit = Limit.per_minute(self.settings.handshakes_per_minute)
        await enforce(self.limiter, f"connect:{address}", limit)
