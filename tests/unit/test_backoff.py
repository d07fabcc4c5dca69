"""The retry pauses: growing to the cap, jittered (so processes that lost the same server do
not retry in lockstep), back to the first after a reset, never overflowing in a long outage."""

from __future__ import annotations

from backend.infra.backoff import Backoff


def test_pauses_grow_to_the_cap_with_jitter_and_reset() -> None:
    backoff = Backoff(first=0.1, cap=2.0)
    pauses = [backoff.next() for _ in range(10_000)]
    assert 0.1 <= pauses[0] <= 0.2
    assert all(a <= 2.0 for a in pauses)
    assert pauses[-1] == 2.0
    backoff.reset()
    assert backoff.next() <= 0.2


def test_two_processes_draw_different_pauses() -> None:
    first = [Backoff(first=0.1, cap=5.0).next() for _ in range(20)]
    assert len(set(first)) > 1
