"""Token-bucket rate limits: in Redis (shared by every gateway) or in-process (embedded)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from backend.shapes.errors import RateLimited


@dataclass(frozen=True, slots=True)
class Limit:
    """`burst` tokens, refilled at `rate` per second."""

    rate: float
    burst: int

    @classmethod
    def per_minute(cls, count: int) -> Limit:
        return cls(rate=count / 60, burst=count)


class RateLimiter(Protocol):
    async def take(self, key: str, limit: Limit, cost: int = 1) -> float:
        """Take `cost` tokens (0: only look); 0 when allowed, else seconds until allowed.

        A negative cost gives tokens back (a refund, never beyond `burst`).
        """


async def enforce(limiter: RateLimiter, key: str, limit: Limit, cost: int = 1) -> None:
    """Raise `rate_limited` (with Retry-After) when the bucket cannot pay `cost` (or is empty)."""
    refuse_if_waiting(await limiter.take(key, limit, cost))


def refuse_if_waiting(wait: float) -> None:
    """`rate_limited` when a bucket said to wait `wait` seconds."""
    if wait > 0:
        raise RateLimited(retry_after=max(1, math.ceil(wait)))


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, key: str, limit: Limit, cost: int = 1) -> float:
        now = time.monotonic()
        tokens, stamp = self._buckets.get(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + (now - stamp) * limit.rate)
        if cost < 0:
            self._buckets[key] = (min(float(limit.burst), tokens - cost), now)
            return 0.0
        need = max(cost, 1)
        if tokens < need:
            self._buckets[key] = (tokens, now)
            return (need - tokens) / limit.rate
        self._buckets[key] = (tokens - cost, now)
        if len(self._buckets) > 100_000:  # forget nearly full buckets: they carry no information
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < limit.burst - 1}
        return 0.0


# `take(key, rate/s, burst, now (s), cost)` -> seconds to wait (0: paid); a negative cost is a
# refund. The bucket is a hash {tokens, ts} that expires once it would be full again, so idle
# users cost nothing. A function, so that a queue's append can pay in the same script.
BUCKET_TAKE_LUA = """
local function take(key, rate, burst, now, cost)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1]) or burst
  local ts = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  local wait = 0
  if cost < 0 then
    tokens = math.min(burst, tokens - cost)
  else
    local need = math.max(cost, 1)
    if tokens < need then wait = (need - tokens) / rate else tokens = tokens - cost end
  end
  redis.call('HSET', key, 'tokens', tokens, 'ts', now)
  redis.call('EXPIRE', key, math.ceil(burst / rate) + 1)
  return wait
end
"""

# KEYS[1] bucket; ARGV: rate/s, burst, now (s), cost.
_BUCKET_LUA = (
    BUCKET_TAKE_LUA
    + """
return tostring(take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
                     tonumber(ARGV[4])))
"""
)


@dataclass(frozen=True, slots=True)
class Toll:
    """A rate-limit payment due with a queue append: a queue on the limiter's Redis takes both
    in one script (one round trip per send); any other pays first, through the limiter."""

    limiter: RateLimiter
    key: str
    limit: Limit

    async def pay(self) -> None:
        await enforce(self.limiter, self.key, self.limit)


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str = "chatty:rl:") -> None:
        self.redis = redis
        self._script = redis.register_script(_BUCKET_LUA)
        self._prefix = prefix

    def bucket(self, key: str) -> str:
        """The Redis key of a bucket (for a script that pays from it)."""
        return self._prefix + key

    async def take(self, key: str, limit: Limit, cost: int = 1) -> float:
        wait = await self._script(
            keys=[self.bucket(key)], args=[limit.rate, limit.burst, time.time(), cost]
        )
        return float(wait)
