"""Token-bucket rate limits: in Redis (shared by every gateway) or in-process (embedded)."""

from __future__ import annotations

import math
import time
from typing import Protocol

from redis.asyncio import Redis

from backend.errors import RateLimited


class RateLimiter(Protocol):
    async def hit(self, key: str, *, rate: float, burst: int) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is available."""


async def enforce(limiter: RateLimiter, key: str, *, rate: float, burst: int) -> None:
    wait = await limiter.hit(key, rate=rate, burst=burst)
    if wait > 0:
        raise RateLimited(retry_after=max(1, math.ceil(wait)))


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    async def hit(self, key: str, *, rate: float, burst: int) -> float:
        now = time.monotonic()
        tokens, stamp = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - stamp) * rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / rate
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > 100_000:  # forget full buckets: they carry no information
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < burst - 1}
        return 0.0


# KEYS[1] bucket; ARGV: rate/s, burst, now (s). The bucket is a hash {tokens, ts} that expires
# once it would be full again, so idle users cost nothing.
_BUCKET_LUA = """
local rate = tonumber(ARGV[1]); local burst = tonumber(ARGV[2]); local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens < 1 then wait = (1 - tokens) / rate else tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str = "chatty:rl:") -> None:
        self._script = redis.register_script(_BUCKET_LUA)
        self._prefix = prefix

    async def hit(self, key: str, *, rate: float, burst: int) -> float:
        wait = await self._script(keys=[self._prefix + key], args=[rate, burst, time.time()])
        return float(wait)
