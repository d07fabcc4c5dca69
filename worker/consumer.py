"""Read a batch → persist it in one transaction → emit to the rooms → acknowledge.

The order is the guarantee: nothing is acknowledged before its commit, so a worker killed at any
point leaves its entries pending for another worker to claim; the database's unique key makes the
second attempt find the first one's rows instead of writing new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from redis.exceptions import RedisError

from backend.fanout.events import Collector, Notifier
from backend.infra import metrics
from backend.infra.backoff import Backoff
from backend.infra.outages import is_outage
from backend.messages.recent import MemoryRecentCache, RecentCache
from backend.queue.envelope import SEND, InboundMessage, UnknownOperation
from backend.queue.port import Delivery, InboundQueue
from worker.apply.outcome import Outcome
from worker.batch_log import lag_ms, log_stored
from worker.followups import emit_followups
from worker.ordering import EmitOrder, SingleWorkerOrder

log = structlog.get_logger("chatty.worker")

BACKOFF_MAX = 5.0
Persist = Callable[[Sequence[InboundMessage]], Awaitable[list[Outcome]]]
Batch = list[tuple[Delivery, InboundMessage]]


class BatchAbandoned(Exception):
    """Stopping while the database is unreachable: the batch is left pending, uncommitted and
    unacknowledged, for another worker to claim; nothing of it was half-done."""


def consumer_name() -> str:
    """Unique per process, so a restarted worker never inherits a dead one's identity."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Worker:
    queue: InboundQueue
    notifier: Notifier
    persist: Persist
    order: EmitOrder = field(default_factory=SingleWorkerOrder)
    recent: RecentCache = field(default_factory=MemoryRecentCache)
    batch_size: int = 200
    linger_ms: int = 0
    max_deliveries: int = 5
    block_ms: int = 1000
    name: str = field(default_factory=consumer_name)
    processed: int = 0
    _stop: asyncio.Event | None = field(default=None, init=False, repr=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set; the batch in hand is always finished and acknowledged first."""
        log.info("worker_started", consumer=self.name)
        self._stop = stop
        backoff = Backoff(cap=BACKOFF_MAX)
        while not stop.is_set():
            try:
                if 0 < await self.step() < self.batch_size and self.linger_ms > 0:
                    # A batch costs ~13 round trips whatever its size: at low rates, let the
                    # next one gather for a moment (one read, not one per message).
                    await self._pause(self.linger_ms / 1000)
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except BatchAbandoned as exc:
                log.warning("batch_abandoned", size=exc.args[0], reason="stopping, database away")
            except Exception as exc:  # Redis away: back off, never spin
                delay = backoff.next()
                log.warning("worker_read_failed", error=str(exc), retry_in=delay)
                await self._pause(delay)
        with contextlib.suppress(Exception):  # Redis away: the leases lapse on their own
            await self.queue.leave(self.name)
        log.info("worker_stopped", consumer=self.name, processed=self.processed)

    async def run_burst(self) -> int:
        """Process until the queue is empty (tests, one-off drains); returns entries handled."""
        start = self.processed
        while await self.step(block_ms=50):
            pass
        return self.processed - start

    async def step(self, block_ms: int | None = None) -> int:
        deliveries = await self.queue.read(
            self.name, self.batch_size, self.block_ms if block_ms is None else block_ms
        )
        for start in range(0, len(deliveries), self.batch_size):  # several partitions' worth
            await self.handle(deliveries[start : start + self.batch_size])
        return len(deliveries)

    async def handle(self, deliveries: Sequence[Delivery]) -> None:
        metrics.BATCH_SIZE.observe(len(deliveries))
        good: Batch = []
        for delivery in deliveries:
            try:
                good.append((delivery, InboundMessage.decode(delivery.payload)))
            except UnknownOperation as exc:  # a newer gateway's operation: never guess
                await self._park(delivery, f"unsupported: {exc}")
            except ValueError as exc:
                await self._park(delivery, f"malformed: {exc}")
        if good:
            metrics.CONSUMER_LAG.set(lag_ms(good) / 1000)
            await self._persist_and_emit(good)
        self.processed += len(deliveries)

    async def _park(self, delivery: Delivery, reason: str, **context: Any) -> None:
        await self.queue.park(delivery, reason)  # bounded there (`queue.parking`)
        log.error("inbound_parked", entry=delivery.entry_id, reason=reason, **context)

    async def _persist_and_emit(self, batch: Batch) -> None:
        with metrics.PERSIST_SECONDS.time():
            outcomes = await self._persist(batch)
        await self._cache([o for o in outcomes if o and o.created and o.message is not None])
        collected = Collector()  # the batch's events leave together, in this order
        out = Notifier(collected)
        fresh: dict[int, list[dict[str, Any]]] = defaultdict(list)
        again: list[tuple[Delivery, dict[str, Any]]] = []
        for (delivery, _), outcome in zip(batch, outcomes, strict=True):
            if outcome is None:
                continue
            log_stored(outcome)
            if outcome.error:
                await self._park(
                    delivery, outcome.error, client_msg_id=outcome.inbound.client_msg_id
                )
            elif outcome.message is None:
                continue
            elif outcome.inbound.op != SEND:  # changes are emitted first
                await out.message_updated(outcome.message)
            elif outcome.created:
                fresh[outcome.inbound.room_id].append(outcome.message)
            else:
                again.append((delivery, outcome.message))
        await self._emit_in_order(out, collected, fresh, [o for o in outcomes if o])
        for delivery, message in again:
            await self._emit_again(delivery, message)
        emitted = time.time()
        for (_, inbound), outcome in zip(batch, outcomes, strict=True):
            if outcome is not None and outcome.created and not outcome.error:
                metrics.END_TO_END_SECONDS.observe(max(0.0, emitted - inbound.queued_at))
        await self.queue.ack(
            [d for (d, _), o in zip(batch, outcomes, strict=True) if o and not o.error]
        )
        log.debug("batch_done", size=len(batch), lag_ms=lag_ms(batch))

    async def _emit_in_order(
        self,
        out: Notifier,
        collected: Collector,
        fresh: dict[int, list[dict[str, Any]]],
        done: list[Outcome],
    ) -> None:
        """New messages, each room's after every earlier batch of that room was emitted, then
        what they caused (and the refused sends' `message:rejected`): every room of the batch
        is waited for at once, its events leave in one `emit_many`, then the rooms advance."""
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for room_id, messages in fresh.items():
            messages.sort(key=lambda m: int(m["seq"]))
            first[room_id], last[room_id] = messages[0]["seq"] - 1, messages[-1]["seq"]
        await self.order.wait_turns(first)
        for messages in fresh.values():
            for message in messages:
                await out.message_new(message)
        await emit_followups(out, done)
        await self.notifier.emitter.emit_many(collected.emissions)
        await self.order.done(last)

    async def _emit_again(self, delivery: Delivery, message: dict[str, Any]) -> None:
        """A send found already stored. A client's retry → its sender only, once the room's
        turn has reached it (so it never overtakes an earlier message). A redelivery after a
        crash → the room again, since the crash may have come between commit and emit."""
        if delivery.attempts > 1:
            await self.notifier.message_new(message)
            return
        await self.order.wait_turns({int(message["room_id"]): int(message["seq"])})
        await self.notifier.message_new(message, only_sender=True)

    async def _cache(self, outcomes: list[Outcome]) -> None:
        """Committed rows into the recent-messages cache, before anyone is told of them."""
        try:
            await self.recent.put(
                [m for o in outcomes if o.message is not None for m in (o.message, *o.updated)]
            )
        except (RedisError, OSError) as exc:  # readers fall back to the database
            log.warning("recent_cache_write_failed", error=str(exc))

    async def _persist(self, batch: Batch) -> list[Outcome | None]:
        """One transaction per batch; the database away → wait and retry the same batch.

        A batch that fails for another reason is retried entry by entry, so one poison entry
        is parked after `max_deliveries` attempts instead of blocking everyone's messages.
        """
        backoff = Backoff(cap=BACKOFF_MAX)
        while True:
            try:
                return list(await self.persist([m for _, m in batch]))
            except Exception as exc:
                if not is_outage(exc):
                    break
                if self._stop is not None and self._stop.is_set():
                    raise BatchAbandoned(len(batch)) from exc
                delay = backoff.next()
                log.warning("persist_retry", error=str(exc), retry_in=delay, size=len(batch))
                await self._pause(delay)
        return [await self._persist_alone(delivery, message) for delivery, message in batch]

    async def _persist_alone(self, delivery: Delivery, message: InboundMessage) -> Outcome | None:
        try:
            return (await self.persist([message]))[0]
        except Exception as exc:
            last = delivery.attempts >= self.max_deliveries  # the traceback once: as it parks
            (log.exception if last else log.warning)(
                "persist_failed",
                entry=delivery.entry_id,
                client_msg_id=message.client_msg_id,
                attempt=delivery.attempts,
                error=str(exc),
            )
            if last:
                return Outcome(message, None, False, error=f"failed: {exc}")
            return None  # stays pending; retried after the claim time

    async def _pause(self, seconds: float) -> None:
        """Sleep, cut short when the worker is told to stop."""
        if self._stop is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stop.wait()
