"""Each of admission's signals alone makes a gateway refuse, and its passing lets sends in."""

from __future__ import annotations

import asyncio

import pytest

from backend.inbound.admission import INTERVAL, Admission
from backend.queue.memory import MemoryQueue
from backend.shapes.errors import Unavailable


async def test_workers_events_waiting_on_this_gateway_make_it_refuse() -> None:
    waits = [400.0]  # ms the oldest event from a worker waited before this node handled it
    admission = Admission(MemoryQueue(max_len=10), budget_ms=500, events_wait_ms=lambda: waits[-1])
    watching = asyncio.create_task(admission.watch())
    try:
        while admission.events_ms == 0:  # the first sample
            await asyncio.sleep(INTERVAL / 4)
        with pytest.raises(Unavailable) as refused:
            admission.check()
        assert refused.value.retry_after == 1
        waits.append(0.0)  # caught up
        while admission.events_ms > 0:
            await asyncio.sleep(INTERVAL / 4)
        admission.check()
    finally:
        watching.cancel()


async def test_once_refusing_it_goes_on_until_the_lag_is_under_half_the_limit() -> None:
    waits = [400.0]  # the limit is half the budget: 250 ms
    admission = Admission(MemoryQueue(max_len=10), budget_ms=500, events_wait_ms=lambda: waits[-1])

    async def settle(ms: float) -> None:
        """Until a sample taken wholly after the change was decided on."""
        waits.append(ms)
        seen = admission.samples
        while admission.samples < seen + 2:
            await asyncio.sleep(INTERVAL / 4)

    watching = asyncio.create_task(admission.watch())
    try:
        await settle(400.0)
        await settle(200.0)  # under the limit, not yet under half of it
        with pytest.raises(Unavailable):
            admission.check()
        await settle(100.0)
        admission.check()
        await settle(200.0)  # admitting again: the limit itself decides
        admission.check()
    finally:
        watching.cancel()
