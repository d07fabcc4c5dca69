"""The inbound queue's versioned envelope: what the gateway promises a worker will apply.

Every entry names its operation and the version of that operation's fields. A worker applies
only the (op, version) pairs it knows and parks anything else with the reason, never guessing:
during a rolling deploy an older worker meets operations that newer gateways already queue, and
treating an unknown operation as a known one would corrupt stored messages. Entries written
before versions existed carry no `v`; their format is version 1 of send, edit and delete.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from backend.content.sanitize import clean_message

SEND, EDIT, DELETE = "send", "edit", "delete"
# An admin's or the owner's delete of someone else's message: `sender_id` is the moderator,
# `message_id` the message; the worker checks the moderator's role again when applying it.
MODERATE_DELETE = "moderate.delete"
# A member's reaction to `message_id`; `body` carries the emoji. Applied in arrival order with
# edits and deletes; a retried add finds its row and changes nothing.
REACTION_ADD, REACTION_REMOVE = "reaction.add", "reaction.remove"
# (op, version) pairs this code applies. A new field or meaning is a new version; a new
# operation is a new name. Both are added here only together with the code that applies them.
# send v2 adds `reply_to_id` (a message of the same room) and `attachment_ids` (uploads the
# worker links to the message as it inserts it); the gateway queues v2 only when one is set, so
# v1 workers keep applying plain sends during a rolling deploy.
KNOWN: frozenset[tuple[str, int]] = frozenset(
    {
        (SEND, 1),
        (SEND, 2),
        (EDIT, 1),
        (DELETE, 1),
        (MODERATE_DELETE, 1),
        (REACTION_ADD, 1),
        (REACTION_REMOVE, 1),
    }
)


class UnknownOperation(ValueError):
    """An entry this worker cannot apply (a newer gateway's operation or version)."""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    room_id: int
    sender_id: int
    client_msg_id: str
    body: str
    op: str = SEND
    v: int = 1
    message_id: int = 0  # the message an edit or delete applies to
    reply_to_id: int = 0  # send v2: the message this one replies to (0: none)
    queued_at: float = field(default_factory=time.time)  # for end-to-end latency
    attachment_ids: tuple[int, ...] = ()  # send v2
    # The gateway's cleaned rendering of `body` (a send or an edit that is not a plain line):
    # the worker stores it instead of rendering the same body a second time. Optional in
    # every version (the same body renders to it): an older worker ignores it and renders,
    # and an entry without it is rendered by the worker. Gateways alone write the queue.
    html: str = ""

    def encode(self) -> bytes:
        data = asdict(self)
        if not self.attachment_ids:
            del data["attachment_ids"]  # a v1 send stays readable by older workers
        if not self.html:
            del data["html"]
        return orjson.dumps(data)

    def cleaned(self) -> str:
        """What the worker stores as the message's HTML."""
        return self.html or clean_message(self.body)

    @classmethod
    def decode(cls, raw: bytes | str) -> InboundMessage:
        """Raises UnknownOperation for an (op, v) not in KNOWN, ValueError for a malformed entry."""
        try:
            data: dict[str, Any] = orjson.loads(raw)
            op, version = str(data.get("op", SEND)), int(data.get("v", 1))
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed inbound entry: {exc}") from exc
        if (op, version) not in KNOWN:
            raise UnknownOperation(f"unknown operation {op[:40]!r} version {version}")
        try:
            return cls(
                room_id=int(data["room_id"]),
                sender_id=int(data["sender_id"]),
                client_msg_id=str(data["client_msg_id"]),
                body=str(data["body"]),
                op=op,
                v=version,
                message_id=int(data.get("message_id", 0)),
                reply_to_id=int(data.get("reply_to_id") or 0) if version >= 2 else 0,
                queued_at=float(data.get("queued_at", 0.0)),
                attachment_ids=tuple(int(i) for i in data.get("attachment_ids", ())),
                html=str(data.get("html") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed inbound entry: {exc}") from exc
