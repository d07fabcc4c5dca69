"""What the gateway's handlers share for the app's lifetime, opened in `app.cleanup_ctx`."""

from __future__ import annotations

from dataclasses import dataclass

import socketio
from redis.asyncio import Redis

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
