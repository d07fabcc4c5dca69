"""Pauses between retries of something that is away (Redis, the database): redis-py's
equal-jitter exponential backoff, with the failure count kept here, so gateways and workers
that lost the same server do not all come back in the same millisecond."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.backoff import EqualJitterBackoff


@dataclass
class Backoff:
    """About `first`, twice that, … up to `cap` (each drawn from the upper half of its step);
    `reset()` once the thing answers again."""

    first: float = 0.1
    cap: float = 5.0
    _failures: int = field(init=False, default=0)
    _policy: EqualJitterBackoff = field(init=False)

    def __post_init__(self) -> None:
        # compute(n) draws from [step / 2, step] with step = min(cap, base * 2**n): a base of
        # 2 * first makes the first pause about `first`, as before the jitter.
        self._policy = EqualJitterBackoff(cap=self.cap * 2, base=self.first * 2)

    def reset(self) -> None:
        self._failures = 0

    def next(self) -> float:
        delay = min(self.cap, self._policy.compute(self._failures))
        self._failures = min(self._failures + 1, 32)  # the cap is reached long before
        return delay
