"""What the gateway and the worker need of the inbound queue, whatever is behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from backend.infra.ratelimit import Toll


@dataclass(frozen=True, slots=True)
class Delivery:
    """One queue entry handed to a consumer; `attempts` > 1 means it was delivered before."""

    entry_id: str
    payload: bytes
    attempts: int
    stream: str = ""  # the partition it came from, where there are several (acked there)


class QueueFull(Exception):
    """The backlog is at its bound: refuse new work instead of growing without limit."""


class InboundQueue(Protocol):
    async def publish(self, payload: bytes, toll: Toll | None = None, *, room_id: int = 0) -> str:
        """Durably enqueue; returns only once the entry is stored (the client may then be acked).

        `toll`: a rate-limit payment due first (`rate_limited`, and nothing stored, if unpaid).
        `room_id`: one room's entries are read by one worker at a time, in order.
        """

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        """Entries for this consumer: ones abandoned by dead consumers first, then new ones."""

    async def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Done with these entries (after the database commit)."""

    async def park(self, delivery: Delivery, reason: str) -> None:
        """Move a poison entry aside (a dead-letter stream) and ack it."""

    async def leave(self, consumer: str) -> None:
        """This consumer stops reading: what it held is for the others now, not after a lease."""

    async def length(self) -> int:
        """Entries not yet acknowledged."""

    async def waiting_ms(self) -> list[float]:
        """Per partition, how long its oldest entry that no worker has read yet has waited;
        0 where there is none."""

    def partition(self, room_id: int) -> int:
        """The partition a room's entries go to (an index into `waiting_ms`)."""

    async def close(self) -> None: ...
