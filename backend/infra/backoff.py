"""Doubling pauses between retries of something that is away (Redis, the database)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    """`first`, twice that, … up to `cap`; `reset()` once the thing answers again."""

    first: float = 0.1
    cap: float = 5.0
    _next: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._next = self.first

    def reset(self) -> None:
        self._next = self.first

    def next(self) -> float:
        delay = self._next
        self._next = min(delay * 2, self.cap)
        return delay
