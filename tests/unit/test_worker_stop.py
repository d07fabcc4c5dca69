"""A worker told to stop while the database is away leaves its batch pending, and stops."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.fanout.events import Notifier
from backend.queue.envelope import InboundMessage
from backend.queue.memory import MemoryQueue
from worker.apply.outcome import Outcome
from worker.consumer import Worker


class NoEmitter:
    async def emit(self, event: str, data: Any, *, room: Any, skip_sid: Any = None) -> None:
        raise AssertionError("nothing may be emitted")

    async def emit_many(self, emissions: Any) -> None:
        raise AssertionError("nothing may be emitted")

    async def close(self) -> None:
        return None


async def test_stop_during_a_database_outage_abandons_the_batch_unacked() -> None:
    attempts = 0
    retried = asyncio.Event()

    async def database_away(_items: Any) -> list[Outcome]:
        nonlocal attempts
        attempts += 1
        if attempts == 3:  # retrying with backoff, as long as it is not told to stop
            retried.set()
        raise ConnectionRefusedError("database away")

    queue = MemoryQueue(max_len=10)
    inbound = InboundMessage(room_id=1, sender_id=1, client_msg_id="m1", body="hi")
    await queue.publish(inbound.encode())
    worker = Worker(queue=queue, notifier=Notifier(NoEmitter()), persist=database_away, block_ms=50)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(retried.wait(), 10)
    stop.set()
    await asyncio.wait_for(running, 2)  # the backoff pause is cut short
    assert await queue.length() == 1, "the batch stays pending for another worker"
