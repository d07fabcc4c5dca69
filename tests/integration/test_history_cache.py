"""The latest history page comes from the worker's Redis cache, and only when it is whole."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
import redis.asyncio as aioredis

from backend.messages.recent import MemoryRecentCache, contiguous
from tests.integration.test_message_path import send_many
from tests.support.clients import Alone

pytestmark = pytest.mark.integration


def _m(room: int, seq: int) -> dict[str, Any]:
    return {"room_id": room, "seq": seq, "body": f"m{seq}"}


def test_contiguous_runs_only() -> None:
    run = [_m(1, s) for s in (3, 4, 5)]
    assert contiguous(run, last_seq=5, count=3)
    assert contiguous(run, last_seq=5, count=2)
    assert not contiguous(run, last_seq=6, count=3), "the newest message is missing"
    assert not contiguous(run, last_seq=5, count=4), "too short, and seq 1 not reached"
    assert not contiguous([_m(1, 3), _m(1, 5)], last_seq=5, count=2), "a hole"
    assert contiguous([_m(1, 1), _m(1, 2)], last_seq=2, count=50), "the whole room"
    assert contiguous([], last_seq=0, count=50), "an empty room"


async def test_memory_cache_keeps_the_newest_and_refuses_holes() -> None:
    cache = MemoryRecentCache()
    await cache.put([_m(7, s) for s in range(1, 301)])
    page = await cache.latest(7, last_seq=300, count=50)
    assert page is not None
    assert [m["seq"] for m in page] == list(range(251, 301))
    assert await cache.latest(7, last_seq=301, count=50) is None
    assert await cache.latest(7, last_seq=300, count=250) is None, "only 200 are kept"


async def test_latest_page_is_served_from_the_cache_and_never_beyond_the_database(
    alone: Callable[..., Awaitable[Alone]], redis_url: str
) -> None:
    c, _, _, alice, room, live = await alone()
    redis = aioredis.Redis.from_url(redis_url)
    key = f"{c.env['CHATTY_SOCKETIO_CHANNEL']}:recent:{room['id']}"
    try:
        await send_many(live, room["id"], 120)
        await live.wait_until(lambda: len(live.messages(room["id"])) == 120)
        assert await redis.zcard(key) == 120, "the worker caches what it committed"
        from_db = await alice.api.all_history(room["id"])

        async def latest() -> dict[str, Any]:
            _, page = await alice.api.call(
                "GET", f"/api/v1/rooms/{room['id']}/messages?limit=50", expect=200
            )
            return page  # type: ignore[no-any-return]

        page = await latest()
        assert page["messages"] == from_db[-50:]
        assert page["has_more"] is True
        # A cached entry past the database's last_seq is never served.
        ghost = {**from_db[-1], "id": 10**9, "seq": 121, "body": "not in the database"}
        await redis.zadd(key, {orjson.dumps(ghost): 121})
        assert (await latest())["messages"] == from_db[-50:]
        # A hole (a cache write lost between commit and cache) sends the read to the database,
        # which writes the page back.
        await redis.zremrangebyscore(key, 100, 100)
        assert (await latest())["messages"] == from_db[-50:]
        assert await redis.zcount(key, 100, 100) == 1, "written back before the answer"
        # Without Redis's copy at all, the answer is the same.
        await redis.delete(key)
        assert (await latest())["messages"] == from_db[-50:]
    finally:
        await redis.aclose()
