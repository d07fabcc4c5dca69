"""What became of one inbound entry; the dispatcher and every applier return one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.queue.envelope import SEND, InboundMessage
from backend.rooms.notify import Due


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one inbound entry: stored now, found already stored, or refused."""

    inbound: InboundMessage
    message: dict[str, Any] | None
    created: bool
    error: str | None = None
    # Other messages this one changed (a reply's target, its count advanced): `message:updated`.
    updated: tuple[dict[str, Any], ...] = ()
    notify: Due = ()  # (user id, kind): the `notification`s a new message is due

    @property
    def new_send(self) -> bool:
        """A send stored by this very batch (not found already stored, not a change)."""
        return self.created and self.inbound.op == SEND and self.message is not None
