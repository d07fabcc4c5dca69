"""What the gateway's handlers share for the app's lifetime, opened in `app.cleanup_ctx`."""

from __future__ import annotations

from dataclasses import dataclass, field

import socketio
from redis.asyncio import Redis

from backend.accounts.sessions import Sessions, open_sessions
from backend.chat.recent import RecentCache
from backend.config import Settings
from backend.queue.port import InboundQueue
from backend.ratelimit import RateLimiter
from backend.realtime.membership import MembershipSync
from backend.realtime.presence import Presence


@dataclass(slots=True)
class Runtime:
    settings: Settings
    sio: socketio.AsyncServer
    queue: InboundQueue
    limiter: RateLimiter
    membership: MembershipSync
    presence: Presence
    recent: RecentCache
    redis: Redis | None
    # Built from the two above, so each way of composing a Runtime gets the right one.
    sessions: Sessions = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = open_sessions(self.settings, self.redis)
