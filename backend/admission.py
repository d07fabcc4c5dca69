"""Admission control: refuse a send the system cannot deliver within its budget.

Accepting more than can be delivered only moves the wait into queues that grow (the inbound
stream, pub/sub buffers, sockets), and latency grows with them to seconds. So each gateway
watches two signals and refuses new writes with `unavailable` + `retry_after` once either
reaches half of `CHATTY_DELIVERY_BUDGET_MS` (the other half is for persisting and fanning out):

- how long the oldest entry no worker has read yet has waited (system-wide, from the queue):
  the workers are behind, or down;
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

from backend import metrics
from backend.errors import Unavailable
from backend.queue.port import InboundQueue

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
        self.waiting_ms = 0.0
        self.loop_lag_ms = 0.0
        self.events_ms = 0.0
        self._refusing = False
        self.samples = 0  # taken so far (tests wait for one to be decided)

    @property
    def lag_ms(self) -> float:
        return max(self.waiting_ms, self.loop_lag_ms, self.events_ms)

    def check(self) -> None:
        """Raise `unavailable` (with `retry_after`) while the lag is past the limit, and once
        refusing, until it is back under half of it: refusing only while a sample is over the
        limit let the backlog refill between samples (p99 past 1 s at 2x the rate held)."""
        if self._limit_ms > 0 and (self._refusing or self.lag_ms >= self._limit_ms):
            metrics.ADMISSION_REFUSED.inc()
            retry_after = max(1, math.ceil(self.lag_ms / 1000))
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
                    self.waiting_ms = await self._queue.waiting_ms()
            metrics.DELIVERY_LAG.set(self.lag_ms / 1000)
            self._decide()
            self.samples += 1

    def _decide(self) -> None:
        """Decides whether to go on refusing (see `check`); one line when refusals start or
        stop, naming the signal (not one per refusal)."""
        limit = self._limit_ms / 2 if self._refusing else self._limit_ms
        refusing = self._limit_ms > 0 and self.lag_ms >= limit
        if refusing != self._refusing:
            self._refusing = refusing
            log.info(
                "admission_refusing" if refusing else "admission_admitting",
                queue_wait_ms=round(self.waiting_ms),
                loop_lag_ms=round(self.loop_lag_ms),
                events_wait_ms=round(self.events_ms),
            )
