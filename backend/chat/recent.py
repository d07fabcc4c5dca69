"""A cache of each room's most recent messages, written by the worker after its commit.

The latest history page is the one every client asks for on open; serving it from Redis keeps
that read off the database. The cache is only trusted when it holds an unbroken run of seqs
ending at the room's `last_seq` (read from the database): anything missing — a worker that died
between commit and cache write, a flushed Redis — sends the read to the database, and the page
read there is written back. Entries are only ever written from committed rows, so the cache
never serves a message the database does not have.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis

KEEP = 200  # per room; a latest page is at most 100
TTL = 3600


class RecentCache(Protocol):
    async def put(self, messages: Sequence[dict[str, Any]], *, replace: bool = True) -> None:
        """Store committed messages (new, edited or deleted), keyed by (room, seq)."""

    async def latest(
        self, room_id: int, *, last_seq: int, count: int
    ) -> list[dict[str, Any]] | None:
        """The `count` newest messages up to `last_seq`, or None when the cache cannot vouch."""


def contiguous(messages: list[dict[str, Any]], *, last_seq: int, count: int) -> bool:
    """An unbroken run ending at `last_seq`, as long as asked (or reaching seq 1)."""
    if last_seq == 0:
        return True
    if not messages or messages[-1]["seq"] != last_seq:
        return False
    if len(messages) < min(count, last_seq):
        return False
    return all(b["seq"] - a["seq"] == 1 for a, b in itertools.pairwise(messages))


class MemoryRecentCache:
    def __init__(self) -> None:
        self._rooms: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)

    async def put(self, messages: Sequence[dict[str, Any]], *, replace: bool = True) -> None:
        for message in messages:
            room = self._rooms[message["room_id"]]
            if replace or message["seq"] not in room:
                room[message["seq"]] = message
            for old in sorted(room)[:-KEEP]:
                del room[old]

    async def latest(
        self, room_id: int, *, last_seq: int, count: int
    ) -> list[dict[str, Any]] | None:
        room = self._rooms.get(room_id, {})
        page = [room[s] for s in sorted(room) if s <= last_seq][-count:]
        return page if contiguous(page, last_seq=last_seq, count=count) else None


class RedisRecentCache:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:recent:"

    async def put(self, messages: Sequence[dict[str, Any]], *, replace: bool = True) -> None:
        if not messages:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            for message in messages:
                key = self._prefix + str(message["room_id"])
                if replace:
                    pipe.zremrangebyscore(key, message["seq"], message["seq"])
                pipe.zadd(key, {orjson.dumps(message): message["seq"]}, nx=not replace)
                pipe.zremrangebyrank(key, 0, -KEEP - 1)
                pipe.expire(key, TTL)
            await pipe.execute()

    async def latest(
        self, room_id: int, *, last_seq: int, count: int
    ) -> list[dict[str, Any]] | None:
        raw: list[bytes] = await self._redis.zrange(  # type: ignore[assignment]
            self._prefix + str(room_id),
            last_seq,
            "-inf",
            desc=True,
            byscore=True,
            offset=0,
            num=count,
        )
        page = [orjson.loads(item) for item in reversed(raw)]
        return page if contiguous(page, last_seq=last_seq, count=count) else None
