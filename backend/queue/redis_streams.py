"""`chat.inbound` on a Redis Stream with one consumer group.

At-least-once: an entry stays pending until the worker XACKs it after the database commit; a dead
consumer's entries are claimed by the others with XAUTOCLAIM once idle. The database's unique key
on (room, sender, client_msg_id) turns that into exactly-once storage.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from backend.queue.port import Delivery, QueueFull
from backend.ratelimit import BUCKET_TAKE_LUA, RedisRateLimiter, Toll, refuse_if_waiting

GROUP = "workers"
FIELD = b"m"

# The bound check and the append in one step, so concurrent gateways cannot overshoot it.
_BOUNDED_XADD = """
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])
"""


# The sender's rate paid, then the bound checked, then the append: a send's one round trip.
# KEYS: stream, bucket. ARGV: max_len, field, payload, rate/s, burst, now (s).
_PAID_XADD = (
    BUCKET_TAKE_LUA
    + """
local wait = take(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), 1)
if wait > 0 then return {'wait', tostring(wait)} end
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return {'full'} end
return {'added', redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])}
"""
)

# The age, by Redis's own clock (gateways' clocks may differ), of the oldest entry that no
# worker has read yet: the first one after the group's last-delivered id. KEYS: stream.
# ARGV: group. 0 when there is none (or no stream yet).
_WAITING_MS = """
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local last = '0-0'
for _, g in ipairs(groups) do
  local fields = {}
  for i = 1, #g, 2 do fields[g[i]] = g[i + 1] end
  if fields['name'] == ARGV[1] then last = fields['last-delivered-id'] end
end
local first = redis.call('XRANGE', KEYS[1], '(' .. last, '+', 'COUNT', 1)
if #first == 0 then return 0 end
local ms = tonumber(string.match(first[1][1], '^(%d+)'))
local t = redis.call('TIME')
return math.max(0, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - ms)
"""


class RedisStreamQueue:
    def __init__(self, redis: Redis, *, stream: str, max_len: int, claim_idle_ms: int) -> None:
        self._redis = redis
        self._stream = stream
        self._dead = f"{stream}.dead"
        self._max_len = max_len
        self._claim_idle_ms = claim_idle_ms
        self._next_claim = 0.0
        self._group_ready = False
        self._bounded_xadd = redis.register_script(_BOUNDED_XADD)
        self._paid_xadd = redis.register_script(_PAID_XADD)
        self._waiting_ms = redis.register_script(_WAITING_MS)

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def publish(self, payload: bytes, toll: Toll | None = None) -> str:
        # Entries are deleted once acknowledged, so XLEN is the backlog (never MAXLEN: that
        # would trim messages already promised to a client).
        bucket = self._bucket_of(toll)
        if toll is not None and bucket is None:
            await toll.pay()  # a limiter this script cannot reach
        if toll is None or bucket is None:
            entry_id = await self._bounded_xadd(
                keys=[self._stream], args=[self._max_len, FIELD, payload]
            )
        else:
            limit = toll.limit
            status, *rest = await self._paid_xadd(
                keys=[self._stream, bucket],
                args=[self._max_len, FIELD, payload, limit.rate, limit.burst, time.time()],
            )
            if _text(status) == "wait":
                refuse_if_waiting(float(rest[0]))
            entry_id = rest[0] if rest else None
        if entry_id is None:
            raise QueueFull
        return _text(entry_id)

    def _bucket_of(self, toll: Toll | None) -> str | None:
        """The toll's bucket when it lives in this queue's Redis: paid in the append's script."""
        if toll is None or not isinstance(toll.limiter, RedisRateLimiter):
            return None
        return toll.limiter.bucket(toll.key) if toll.limiter.redis is self._redis else None

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        await self._ensure_group()
        claimed = await self._claim(consumer, count)
        if claimed:
            return claimed
        try:
            reply: Any = await self._redis.xreadgroup(
                GROUP, consumer, {self._stream: ">"}, count=count, block=block_ms
            )
        except ResponseError as exc:
            if "NOGROUP" in str(exc):  # the stream was deleted under us (tests, FLUSHDB)
                self._group_ready = False
                return []
            raise
        return [
            Delivery(_text(entry_id), fields.get(FIELD, b""), 1)
            for _stream, entries in reply or []
            for entry_id, fields in entries
            if fields is not None
        ]

    async def _claim(self, consumer: str, count: int) -> list[Delivery]:
        """Take over entries idle past the claim time (their consumer is presumed dead)."""
        now = time.monotonic()
        if now < self._next_claim:
            return []
        self._next_claim = now + self._claim_idle_ms / 2000
        reply: Any = await self._redis.xautoclaim(
            self._stream, GROUP, consumer, self._claim_idle_ms, "0-0", count=count
        )
        entries = reply[1]
        deleted = reply[2] if len(reply) > 2 else []
        if deleted:  # pending ids whose entry is gone: nothing to do but ack them
            await self._redis.xack(self._stream, GROUP, *deleted)
        if not entries:
            return []
        attempts = await self._attempts([_text(e[0]) for e in entries])
        self._next_claim = now  # there may be more: look again on the next read
        return [
            Delivery(
                _text(entry_id), (fields or {}).get(FIELD, b""), attempts.get(_text(entry_id), 2)
            )
            for entry_id, fields in entries
        ]

    async def _attempts(self, entry_ids: list[str]) -> dict[str, int]:
        rows: Any = await self._redis.xpending_range(
            self._stream, GROUP, min=entry_ids[0], max=entry_ids[-1], count=len(entry_ids) * 2
        )
        return {_text(row["message_id"]): int(row["times_delivered"]) for row in rows}

    async def ack(self, entry_ids: Sequence[str]) -> None:
        if not entry_ids:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, GROUP, *entry_ids)
            pipe.xdel(self._stream, *entry_ids)
            await pipe.execute()

    async def park(self, delivery: Delivery, reason: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self._dead,
                {FIELD: delivery.payload, b"reason": reason, b"entry": delivery.entry_id},
                maxlen=10_000,
                approximate=True,
            )
            pipe.xack(self._stream, GROUP, delivery.entry_id)
            pipe.xdel(self._stream, delivery.entry_id)
            await pipe.execute()

    async def length(self) -> int:
        return int(await self._redis.xlen(self._stream))

    async def waiting_ms(self) -> float:
        return float(await self._waiting_ms(keys=[self._stream], args=[GROUP]))

    async def close(self) -> None:
        """The Redis client is owned by whoever opened it."""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
