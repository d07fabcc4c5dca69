"""More concurrent Redis calls than the pool has connections: they wait, they do not fail
(redis-py's own pool raises `MaxConnectionsError` for the 101st)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.utils
from redis.asyncio import Redis

from backend.infra.redis_client import POOL_SIZE, redis_client

BURST = POOL_SIZE + 50


async def _burst(client: Redis) -> list[object]:
    """Each call holds its connection for 0.1 s (BLPOP on an empty list), all at once."""
    key = f"test-burst-{uuid.uuid4().hex[:8]}"
    calls = (client.blpop([key], timeout=0.1) for _ in range(BURST))
    return await asyncio.gather(*calls, return_exceptions=True)


async def test_a_burst_past_the_pool_waits_for_connections(redis_url: str) -> None:
    client = redis_client(redis_url)
    try:
        assert await _burst(client) == [None] * BURST
    finally:
        await client.aclose()


async def test_new_connections_do_not_look_up_the_library_version(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """redis-py scans the installed packages for its version per connection unless told."""
    looked_up: list[str] = []
    monkeypatch.setattr(redis.utils.metadata, "version", looked_up.append)
    client = redis_client(redis_url)
    try:
        assert await _burst(client) == [None] * BURST  # a pool's worth of new connections
    finally:
        await client.aclose()
    assert looked_up == []
