"""`chat.inbound` on Redis Streams: one stream per partition (`queue.partitions`), one
consumer group on each.

At-least-once: an entry stays pending until the worker XACKs it after the database commit; a dead
consumer's entries are claimed with XAUTOCLAIM once idle, by whoever then holds the partition.
The database's unique key on (room, sender, client_msg_id) turns that into exactly-once storage.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from backend.infra import metrics
from backend.infra.ratelimit import RedisRateLimiter, Toll, refuse_if_waiting
from backend.queue.parking import bounded_park
from backend.queue.partitions import LEASE_MS, Leases, partition_of, partition_streams
from backend.queue.port import Delivery, QueueFull
from backend.queue.stream_scripts import BOUNDED_XADD, PAID_XADD, READ_SHARES, WAITING_MS

log = structlog.get_logger("chatty.queue")

GROUP = "workers"
FIELD = b"m"


class RedisStreamQueue:
    def __init__(self, redis: Redis, *, stream: str, max_len: int, claim_idle_ms: int) -> None:
        self._redis = redis
        self._stream = stream
        self.streams = partition_streams(stream)
        self._dead = f"{stream}.dead"
        self._max_len = max_len
        self._claim_idle_ms = claim_idle_ms
        self._next_claim = 0.0
        self._groups_ready = False
        self._leases = Leases(redis, stream, lease_ms=min(claim_idle_ms, LEASE_MS))
        self._owned: list[str] = []
        self._next_heartbeat = 0.0
        self._bounded_xadd = redis.register_script(BOUNDED_XADD)
        self._paid_xadd = redis.register_script(PAID_XADD)
        self._waiting_ms = redis.register_script(WAITING_MS)
        self._read_shares = redis.register_script(READ_SHARES)

    async def _ensure_groups(self) -> None:
        if self._groups_ready:
            return
        for stream in self.streams:
            try:
                await self._redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    async def publish(self, payload: bytes, toll: Toll | None = None, *, room_id: int = 0) -> str:
        # Entries are deleted once acknowledged, so XLEN is the backlog (never MAXLEN: that
        # would trim messages already promised to a client).
        target = self.streams[partition_of(room_id)]
        bucket = self._bucket_of(toll)
        if toll is not None and bucket is None:
            await toll.pay()  # a limiter this script cannot reach
        if toll is None or bucket is None:
            entry_id = await self._bounded_xadd(
                keys=[target, *self.streams], args=[self._max_len, FIELD, payload]
            )
        else:
            limit = toll.limit
            status, *rest = await self._paid_xadd(
                keys=[target, bucket, *self.streams],
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
        """Up to `count` entries from the partitions this consumer holds, shared evenly."""
        await self._ensure_groups()
        await self._heartbeat(consumer)
        # Blocking no longer than a third of the lease keeps the heartbeats in time.
        block_ms = min(block_ms, self._leases.lease_ms // 3)
        if not self._owned:  # more workers than partitions: wait for a share
            await asyncio.sleep(block_ms / 1000)
            return []
        claimed = await self._claim(consumer, count)
        if claimed:
            return claimed
        try:
            return await self._read_new(consumer, count, block_ms)
        except ResponseError as exc:
            if "NOGROUP" in str(exc):  # a stream was deleted under us (tests, FLUSHDB)
                self._groups_ready = False
                return []
            raise

    async def _read_new(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        """What is there, in one round trip; else wait for the first entry in any partition."""
        self._owned.append(self._owned.pop(0))  # no partition always served first
        ready: Any = await self._read_shares(keys=self._owned, args=[GROUP, consumer, count])
        if ready:
            return [Delivery(_text(e), payload, 1, _text(s)) for s, e, payload in ready]
        share = -(-count // len(self._owned))
        reply: Any = await self._redis.xreadgroup(
            GROUP, consumer, dict.fromkeys(self._owned, ">"), count=share, block=block_ms
        )
        return [
            Delivery(_text(entry_id), fields.get(FIELD, b""), 1, _text(stream))
            for stream, entries in reply or []
            for entry_id, fields in entries
            if fields is not None
        ]

    @property
    def owned(self) -> list[str]:
        """The partitions' streams this queue's consumer read at its latest heartbeat."""
        return self._owned

    async def _heartbeat(self, consumer: str) -> None:
        now = time.monotonic()
        if now < self._next_heartbeat:
            return
        self._next_heartbeat = now + self._leases.lease_ms / 3000
        owned = [self.streams[p] for p in await self._leases.heartbeat(consumer)]
        if set(owned) != set(self._owned):
            log.info("partitions_owned", consumer=consumer, count=len(owned))
            self._owned = owned
            self._next_claim = 0.0  # a partition taken over may hold a dead worker's entries
        metrics.PARTITIONS_OWNED.set(len(owned))

    async def leave(self, consumer: str) -> None:
        self._owned = []
        await self._leases.leave(consumer)

    async def _claim(self, consumer: str, count: int) -> list[Delivery]:
        """Take over entries idle past the claim time (their consumer is presumed dead)."""
        now = time.monotonic()
        if now < self._next_claim:
            return []
        self._next_claim = now + self._claim_idle_ms / 2000
        for stream in self._owned:
            claimed = await self._claim_from(stream, consumer, count)
            if claimed:
                self._next_claim = now  # there may be more: look again on the next read
                return claimed
        return []

    async def _claim_from(self, stream: str, consumer: str, count: int) -> list[Delivery]:
        reply: Any = await self._redis.xautoclaim(
            stream, GROUP, consumer, self._claim_idle_ms, "0-0", count=count
        )
        entries = reply[1]
        deleted = reply[2] if len(reply) > 2 else []
        if deleted:  # pending ids whose entry is gone: nothing to do but ack them
            await self._redis.xack(stream, GROUP, *deleted)
        if not entries:
            return []
        attempts = await self._attempts(stream, [_text(e[0]) for e in entries])
        return [
            Delivery(
                _text(entry_id),
                (fields or {}).get(FIELD, b""),
                attempts.get(_text(entry_id), 2),
                stream,
            )
            for entry_id, fields in entries
        ]

    async def _attempts(self, stream: str, entry_ids: list[str]) -> dict[str, int]:
        rows: Any = await self._redis.xpending_range(
            stream, GROUP, min=entry_ids[0], max=entry_ids[-1], count=len(entry_ids) * 2
        )
        return {_text(row["message_id"]): int(row["times_delivered"]) for row in rows}

    async def ack(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        by_stream: dict[str, list[str]] = {}
        for delivery in deliveries:
            by_stream.setdefault(delivery.stream, []).append(delivery.entry_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            for stream, entry_ids in by_stream.items():
                pipe.xack(stream, GROUP, *entry_ids)
                pipe.xdel(stream, *entry_ids)
            await pipe.execute()

    async def park(self, delivery: Delivery, reason: str) -> None:
        delivery, reason = bounded_park(delivery, reason)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self._dead,
                {FIELD: delivery.payload, b"reason": reason, b"entry": delivery.entry_id},
                maxlen=10_000,
                approximate=True,
            )
            pipe.xack(delivery.stream, GROUP, delivery.entry_id)
            pipe.xdel(delivery.stream, delivery.entry_id)
            await pipe.execute()

    async def length(self) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            for stream in self.streams:
                pipe.xlen(stream)
            return sum(int(n) for n in await pipe.execute())

    async def waiting_ms(self) -> list[float]:
        return [float(ms) for ms in await self._waiting_ms(keys=self.streams, args=[GROUP])]

    def partition(self, room_id: int) -> int:
        return partition_of(room_id)

    async def close(self) -> None:
        """The Redis client is owned by whoever opened it."""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
