"""The embedded queue: in-process, same contract as the Redis stream (pending until acked).

It is durable only as long as the process lives; embedded mode is one process, so an entry that
is lost is lost together with the socket that would have been acked.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import OrderedDict, deque
from collections.abc import Sequence

from backend.infra.ratelimit import Toll
from backend.queue.parking import bounded_park
from backend.queue.port import Delivery, QueueFull


class MemoryQueue:
    def __init__(self, *, max_len: int) -> None:
        self._max_len = max_len
        self._ready: OrderedDict[str, bytes] = OrderedDict()
        self._pending: dict[str, tuple[bytes, int]] = {}
        self._ids = itertools.count(1)
        self._published_at: dict[str, float] = {}  # of ready entries, oldest first
        self._wakeup = asyncio.Event()
        # The dead-letter stream's counterpart: the latest parked entries, with their reasons.
        self.parked: deque[tuple[Delivery, str]] = deque(maxlen=1000)

    async def publish(self, payload: bytes, toll: Toll | None = None, *, room_id: int = 0) -> str:
        if toll is not None:
            await toll.pay()
        if len(self._ready) + len(self._pending) >= self._max_len:
            raise QueueFull
        entry_id = f"{next(self._ids)}-0"
        self._ready[entry_id] = payload
        self._published_at[entry_id] = time.monotonic()
        self._wakeup.set()
        return entry_id

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        if not self._ready:
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), block_ms / 1000)
            except TimeoutError:
                return []
        batch: list[Delivery] = []
        while self._ready and len(batch) < count:
            entry_id, payload = self._ready.popitem(last=False)
            self._published_at.pop(entry_id, None)
            self._pending[entry_id] = (payload, 1)
            batch.append(Delivery(entry_id, payload, 1))
        return batch

    async def ack(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            self._pending.pop(delivery.entry_id, None)

    async def park(self, delivery: Delivery, reason: str) -> None:
        self._pending.pop(delivery.entry_id, None)
        self.parked.append(bounded_park(delivery, reason))

    async def leave(self, consumer: str) -> None:
        """One process, one worker: nothing is held for others."""

    async def length(self) -> int:
        return len(self._ready) + len(self._pending)

    async def waiting_ms(self) -> list[float]:
        oldest = next(iter(self._published_at.values()), None)
        return [0.0 if oldest is None else (time.monotonic() - oldest) * 1000]

    def partition(self, room_id: int) -> int:
        return 0

    async def close(self) -> None:
        self._ready.clear()
        self._pending.clear()
        self._published_at.clear()
