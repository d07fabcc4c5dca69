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

# One script per batch, not four commands per message. KEYS: the rooms' sorted sets. ARGV:
# replace (1: a newer version of a seq wins; 0: written back from the database, only where the
# seq is absent), KEEP, TTL, then (key index, seq, message JSON) per message.
_PUT = """
local replace, keep, ttl = ARGV[1] == '1', tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 3 do
  local key, seq = KEYS[tonumber(ARGV[i])], ARGV[i + 1]
  if replace then
    redis.call('ZREMRANGEBYSCORE', key, seq, seq)
    redis.call('ZADD', key, seq, ARGV[i + 2])
  elseif redis.call('ZCOUNT', key, seq, seq) == 0 then
    redis.call('ZADD', key, seq, ARGV[i + 2])
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYRANK', key, 0, -keep - 1)
  redis.call('EXPIRE', key, ttl)
end
return 1
"""


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
        self._put = redis.register_script(_PUT)

    async def put(self, messages: Sequence[dict[str, Any]], *, replace: bool = True) -> None:
        if not messages:
            return
        keys: dict[int, int] = {}  # room id → its index in KEYS (1-based, as Lua counts)
        args: list[Any] = [1 if replace else 0, KEEP, TTL]
        for message in messages:
            index = keys.setdefault(message["room_id"], len(keys) + 1)
            args += (index, message["seq"], orjson.dumps(message))
        await self._put(keys=[self._prefix + str(room) for room in keys], args=args)

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
