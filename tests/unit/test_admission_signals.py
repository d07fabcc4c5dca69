"""Each of admission's signals alone makes a gateway refuse, and its passing lets sends in."""

from __future__ import annotations

import asyncio

import pytest

from backend.inbound.admission import INTERVAL, Admission
from backend.queue.memory import MemoryQueue
from backend.shapes.errors import Unavailable


async def test_workers_events_waiting_on_this_gateway_make_it_refuse() -> None:
    waits = [4000.0]  # ms the oldest event from a worker waited before this node handled it
    # Limits in seconds, not in tens of ms: the test's own event-loop lag is a signal too, and
    # on a busy machine it passes 100 ms.
    admission = Admission(MemoryQueue(max_len=10), budget_ms=5000, events_wait_ms=lambda: waits[-1])
    watching = asyncio.create_task(admission.watch())
    try:
        while admission.events_ms == 0:  # the first sample
            await asyncio.sleep(INTERVAL / 4)
        with pytest.raises(Unavailable) as refused:
            admission.check()
        assert refused.value.retry_after == 4
        waits.append(0.0)  # caught up
        while admission.events_ms > 0:
            await asyncio.sleep(INTERVAL / 4)
        admission.check()
    finally:
        watching.cancel()


async def test_once_refusing_it_goes_on_until_the_lag_is_under_half_the_limit() -> None:
    waits = [4000.0]  # the limit is half the budget: 2.5 s (so the loop's own lag stays under)
    admission = Admission(MemoryQueue(max_len=10), budget_ms=5000, events_wait_ms=lambda: waits[-1])

    async def settle(ms: float) -> None:
        """Until a sample taken wholly after the change was decided on."""
        waits.append(ms)
        seen = admission.samples
        while admission.samples < seen + 2:
            await asyncio.sleep(INTERVAL / 4)

    watching = asyncio.create_task(admission.watch())
    try:
        await settle(4000.0)
        await settle(2000.0)  # under the limit, not yet under half of it
        with pytest.raises(Unavailable):
            admission.check()
        await settle(1000.0)
        admission.check()
        await settle(2000.0)  # admitting again: the limit itself decides
        admission.check()
    finally:
        watching.cancel()
