"""Admission control: refuse a send the system cannot deliver within its budget.

Accepting more than can be delivered only moves the wait into queues that grow (the inbound
stream, pub/sub buffers, sockets), and latency grows with them to seconds. So each gateway
watches two signals and refuses new writes with `unavailable` + `retry_after` once either
reaches half of `CHATTY_DELIVERY_BUDGET_MS` (the other half is for persisting and fanning out):

- how long the oldest entry no worker has read yet has waited, in the partition of the send's
  room (system-wide, from the queue): the workers are behind, or the one holding that
  partition died and its lease has not lapsed yet (other rooms are not refused for it);
- this gateway's event-loop lag: it is too busy to deliver what it already has;
- how long the workers' events waited in Redis before this gateway handled them (its pub/sub
  backlog: a saturated gateway can keep a short loop lag while its unread events pile up).

A refused send was not queued; the client retries with the same `client_msg_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable

import structlog

from backend.infra import metrics
from backend.queue.port import InboundQueue
from backend.shapes.errors import Unavailable

log = structlog.get_logger("chatty.admission")

INTERVAL = 0.1  # seconds between samples; a refusal starts at most this late


class Admission:
    def __init__(
        self,
        queue: InboundQueue,
        *,
        budget_ms: int,
        events_wait_ms: Callable[[], float] | None = None,
    ) -> None:
        self._queue = queue
        self._limit_ms = budget_ms / 2
        self._events_wait_ms = events_wait_ms
        self.waiting = [0.0]  # per partition of the queue
        self.loop_lag_ms = 0.0
        self.events_ms = 0.0
        self._refusing = False  # for this gateway's own signals
        self._refusing_partitions: set[int] = set()
        self.samples = 0  # taken so far (tests wait for one to be decided)

    @property
    def waiting_ms(self) -> float:
        return max(self.waiting, default=0.0)

    @property
    def lag_ms(self) -> float:
        return max(self.waiting_ms, self.loop_lag_ms, self.events_ms)

    def check(self, room_id: int = 0) -> None:
        """Raise `unavailable` (with `retry_after`) while the lag of a send to the room is past
        the limit, and once refusing, until it is back under half of it: refusing only while a
        sample is over the limit let the backlog refill between samples (p99 past 1 s at 2x
        the rate held)."""
        if self._limit_ms <= 0:
            return
        partition = self._queue.partition(room_id)
        waiting = self.waiting[partition] if partition < len(self.waiting) else 0.0
        lag = max(waiting, self.loop_lag_ms, self.events_ms)
        if self._refusing or partition in self._refusing_partitions or lag >= self._limit_ms:
            metrics.ADMISSION_REFUSED.inc()
            retry_after = max(1, math.ceil(lag / 1000))
            raise Unavailable("busy: try again shortly", retry_after=retry_after)

    async def watch(self) -> None:
        """Samples both signals for the gateway's lifetime."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(INTERVAL)
            self.loop_lag_ms = max(0.0, (loop.time() - started - INTERVAL) * 1000)
            if self._events_wait_ms is not None:
                self.events_ms = self._events_wait_ms()
            # A queue that does not answer keeps the last figure: sends then fail on their own.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    self.waiting = await self._queue.waiting_ms()
            metrics.DELIVERY_LAG.set(self.lag_ms / 1000)
            self._decide()
            self.samples += 1

    def _decide(self) -> None:
        """Decides, signal by signal, whether to go on refusing (see `check`); one line when
        refusals start or stop anywhere, naming the signals (not one per refusal)."""
        if self._limit_ms <= 0:  # no budget: never refusing
            return
        before = self._refusing or bool(self._refusing_partitions)
        own = max(self.loop_lag_ms, self.events_ms)
        self._refusing = own >= self._limit(self._refusing)
        self._refusing_partitions = {
            p
            for p, ms in enumerate(self.waiting)
            if ms >= self._limit(p in self._refusing_partitions)
        }
        refusing = self._refusing or bool(self._refusing_partitions)
        if refusing != before:
            log.info(
                "admission_refusing" if refusing else "admission_admitting",
                queue_wait_ms=round(self.waiting_ms),
                partitions_refused=len(self._refusing_partitions),
                loop_lag_ms=round(self.loop_lag_ms),
                events_wait_ms=round(self.events_ms),
            )

    def _limit(self, refusing: bool) -> float:
        return self._limit_ms / 2 if refusing else self._limit_ms
