"""The inbound queue split by room, each partition read by one worker at a time."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from backend.inbound.admission import INTERVAL, Admission
from backend.queue.envelope import InboundMessage
from backend.queue.partitions import CLAIM_ORDER, PARTITIONS, Leases, stream_of
from backend.queue.port import QueueFull
from backend.queue.redis_streams import RedisStreamQueue
from backend.shapes.errors import Unavailable


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def stream() -> str:
    return f"test-partitions-{uuid.uuid4().hex[:8]}"


def test_consecutive_rooms_are_spread_evenly_over_any_number_of_workers() -> None:
    assert sorted(CLAIM_ORDER) == list(range(PARTITIONS))
    for workers in (2, 4, 8):
        share = PARTITIONS // workers
        shares = [set(CLAIM_ORDER[w * share : (w + 1) * share]) for w in range(workers)]
        rooms = [sum(1 for room in range(1, 33) if room % PARTITIONS in s) for s in shares]
        assert rooms == [32 // workers] * workers
    assert stream_of("q", 16) == "q"
    assert stream_of("q", 17) == "q.1"


async def test_two_workers_share_the_partitions_and_one_leaving_hands_them_over(
    redis: Redis, stream: str
) -> None:
    leases = Leases(redis, stream, lease_ms=60_000)
    assert len(await leases.heartbeat("a")) == PARTITIONS  # alone: everything
    assert await leases.heartbeat("b") == []  # a still holds them until its next heartbeat
    a = await leases.heartbeat("a")
    b = await leases.heartbeat("b")
    assert len(a) == len(b) == PARTITIONS // 2
    assert not set(a) & set(b)
    assert all(p % 2 == 0 for p in a), "a keeps the first half of the claim order"
    await leases.leave("a")
    assert len(await leases.heartbeat("b")) == PARTITIONS


async def test_a_silent_worker_s_partitions_are_taken_over_after_its_lease(
    redis: Redis, stream: str
) -> None:
    leases = Leases(redis, stream, lease_ms=300)
    await leases.heartbeat("dead")
    survivor: list[int] = []
    async with asyncio.timeout(10):
        while len(survivor) < PARTITIONS:  # until the dead one's lease lapses
            survivor = await leases.heartbeat("alive")
            await asyncio.sleep(0.05)


async def test_two_consumers_read_disjoint_rooms(redis: Redis, stream: str) -> None:
    first = RedisStreamQueue(redis, stream=stream, max_len=1000, claim_idle_ms=3000)
    second = RedisStreamQueue(redis, stream=stream, max_len=1000, claim_idle_ms=3000)
    async with asyncio.timeout(20):  # heartbeats every second until the halves are settled
        while not len(first.owned) == len(second.owned) == PARTITIONS // 2:
            await first.read("a", 100, 1)
            await second.read("b", 100, 1)
            await asyncio.sleep(0.05)
    for room in range(1, 41):
        await first.publish(InboundMessage(room, 1, f"c{room}", "hi").encode(), room_id=room)
    read_a = await first.read("a", 100, 1)
    read_b = await second.read("b", 100, 1)
    rooms_a = {InboundMessage.decode(d.payload).room_id for d in read_a}
    rooms_b = {InboundMessage.decode(d.payload).room_id for d in read_b}
    assert len(rooms_a) == len(rooms_b) == 20
    assert not rooms_a & rooms_b
    await first.ack(read_a)
    await second.ack(read_b)
    assert await first.length() == 0


async def test_the_bound_and_the_wait_are_the_whole_queue_s(redis: Redis, stream: str) -> None:
    queue = RedisStreamQueue(redis, stream=stream, max_len=3, claim_idle_ms=60_000)
    for room in (1, 2, 3):
        await queue.publish(b"x", room_id=room)
    with pytest.raises(QueueFull):
        await queue.publish(b"x", room_id=4)
    assert await queue.length() == 3
    async with asyncio.timeout(10):  # Redis's clock: the oldest unread entry ages
        while min((await queue.waiting_ms())[1:4]) <= 0:
            await asyncio.sleep(0.01)
    assert (await queue.waiting_ms())[4:] == [0.0] * (PARTITIONS - 4), "per partition"


async def test_a_lagging_partition_refuses_its_rooms_only(redis: Redis, stream: str) -> None:
    """A dead worker's partitions wait for its lease to lapse: their rooms are refused, the
    rooms of the live workers' partitions are not."""
    queue = RedisStreamQueue(redis, stream=stream, max_len=100, claim_idle_ms=60_000)
    # Limit: 1 s of waiting. The gateway's own event-loop lag counts too (it refuses every
    # room): on a busy machine this test's loop lags past 50 ms, never near a second.
    admission = Admission(queue, budget_ms=2000)
    await queue.publish(b"x", room_id=1)  # nobody reads it
    watching = asyncio.create_task(admission.watch())
    try:
        async with asyncio.timeout(10):
            while len(admission.waiting) < PARTITIONS or admission.waiting[1] < 1000:
                await asyncio.sleep(INTERVAL / 4)
        with pytest.raises(Unavailable):
            admission.check(room_id=1 + PARTITIONS)  # the same partition
        admission.check(room_id=2)
    finally:
        watching.cancel()


async def test_a_read_takes_every_partition_s_share_then_fills_up_from_the_busy_one(
    redis: Redis, stream: str
) -> None:
    queue = RedisStreamQueue(redis, stream=stream, max_len=1000, claim_idle_ms=60_000)
    for n in range(300):
        await queue.publish(f"busy{n}".encode(), room_id=1)
    for room in range(2, 12):
        await queue.publish(f"quiet{room}".encode(), room_id=room)
    read = await queue.read("a", 100, 1)
    assert len(read) == 100
    assert {d.stream for d in read} == {stream_of(stream, room) for room in range(1, 12)}
    busy = [d.payload for d in read if d.stream == stream_of(stream, 1)]
    assert busy == [f"busy{n}".encode() for n in range(90)], "one partition's are in order"
