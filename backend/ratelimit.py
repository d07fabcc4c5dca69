"""Token-bucket rate limits: in Redis (shared by every gateway) or in-process (embedded)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from backend.errors import RateLimited


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
    wait = await limiter.take(key, limit, cost)
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


# KEYS[1] bucket; ARGV: rate/s, burst, now (s), cost (negative: a refund). The bucket is a hash
# {tokens, ts} that expires once it would be full again, so idle users cost nothing.
_BUCKET_LUA = """
local rate = tonumber(ARGV[1]); local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3]); local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
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
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str = "chatty:rl:") -> None:
        self._script = redis.register_script(_BUCKET_LUA)
        self._prefix = prefix

    async def take(self, key: str, limit: Limit, cost: int = 1) -> float:
        wait = await self._script(
            keys=[self._prefix + key], args=[limit.rate, limit.burst, time.time(), cost]
        )
        return float(wait)
