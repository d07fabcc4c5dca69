"""A send's rate paid with its append (one Redis round trip): the same rules as paying first."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from backend.infra.ratelimit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter, Toll
from backend.queue.memory import MemoryQueue
from backend.queue.port import InboundQueue, QueueFull
from backend.queue.redis_streams import RedisStreamQueue
from backend.shapes.errors import RateLimited


@dataclass
class Setup:
    queue: InboundQueue
    limiter: RateLimiter

    def toll(self, key: str = "msg:1") -> Toll:
        return Toll(self.limiter, key, Limit(rate=0.5, burst=2))


def _setups(redis: Redis, max_len: int) -> dict[str, Setup]:
    stream = f"test-{uuid.uuid4().hex[:8]}"
    limiter = RedisRateLimiter(redis, prefix=f"{stream}:rl:")
    queue = RedisStreamQueue(redis, stream=stream, max_len=max_len, claim_idle_ms=60_000)
    return {
        "redis-one-script": Setup(queue, limiter),
        # A limiter the queue cannot reach in its script: paid first, through the limiter.
        "redis-paid-first": Setup(queue, MemoryRateLimiter()),
        "memory": Setup(MemoryQueue(max_len=max_len), MemoryRateLimiter()),
    }


@pytest.fixture(params=["redis-one-script", "redis-paid-first", "memory"])
async def make(
    request: pytest.FixtureRequest, redis_url: str
) -> AsyncIterator[Callable[..., Setup]]:
    redis = Redis.from_url(redis_url)
    try:
        yield lambda max_len=10: _setups(redis, max_len)[request.param]
    finally:
        await redis.aclose()


async def test_past_the_burst_a_send_is_refused_and_nothing_is_appended(
    make: Callable[..., Setup],
) -> None:
    s = make()
    for n in range(2):
        await s.queue.publish(f"m{n}".encode(), s.toll())
    with pytest.raises(RateLimited) as refused:
        await s.queue.publish(b"m2", s.toll())
    assert refused.value.retry_after == 2  # one token at 0.5/s
    assert await s.queue.length() == 2
    await s.queue.publish(b"other", s.toll("msg:2"))  # another sender's bucket is full
    assert await s.queue.length() == 3


async def test_a_full_queue_refuses_a_paid_send(make: Callable[..., Setup]) -> None:
    s = make(max_len=1)
    await s.queue.publish(b"m0", s.toll())
    with pytest.raises(QueueFull):
        await s.queue.publish(b"m1", s.toll())
    assert await s.queue.length() == 1
