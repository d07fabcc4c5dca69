"""The recent-messages cache in Redis: one script per batch keeps the rules of the memory one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from backend.messages.recent import KEEP, MemoryRecentCache, RecentCache, RedisRecentCache


def _m(room: int, seq: int, body: str = "") -> dict[str, Any]:
    return {"room_id": room, "seq": seq, "body": body or f"m{seq}"}


@pytest.fixture(params=["redis", "memory"])
async def cache(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[RecentCache]:
    if request.param == "memory":
        yield MemoryRecentCache()
        return
    redis = Redis.from_url(redis_url)
    try:
        yield RedisRecentCache(redis, f"test-{uuid.uuid4().hex[:8]}")
    finally:
        await redis.aclose()


async def test_a_batch_over_several_rooms_keeps_each_room_s_newest(cache: RecentCache) -> None:
    await cache.put([_m(room, s) for s in range(1, KEEP + 51) for room in (1, 2)])
    for room in (1, 2):
        page = await cache.latest(room, last_seq=KEEP + 50, count=100)
        assert page is not None
        assert [m["seq"] for m in page] == list(range(KEEP - 49, KEEP + 51))
        assert {m["room_id"] for m in page} == {room}


async def test_a_change_replaces_its_seq_and_a_write_back_never_does(cache: RecentCache) -> None:
    await cache.put([_m(1, 1), _m(1, 2)])
    await cache.put([_m(1, 2, "edited")])
    await cache.put([_m(1, 2, "stale page from the database"), _m(1, 3)], replace=False)
    page = await cache.latest(1, last_seq=3, count=10)
    assert page is not None
    assert [(m["seq"], m["body"]) for m in page] == [(1, "m1"), (2, "edited"), (3, "m3")]
