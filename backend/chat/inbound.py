"""The inbound queue's envelope: what the gateway promises the worker will persist."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class InboundMessage:
    room_id: int
    sender_id: int
    client_msg_id: str
    body: str
    op: str = "send"  # send | edit | delete
    message_id: int = 0  # the message an edit or delete applies to
    queued_at: float = field(default_factory=time.time)  # for end-to-end latency

    def encode(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def decode(cls, raw: bytes | str) -> InboundMessage:
        """Raises ValueError on anything that is not a well-formed envelope (a poison entry)."""
        try:
            data: dict[str, Any] = orjson.loads(raw)
            return cls(
                room_id=int(data["room_id"]),
                sender_id=int(data["sender_id"]),
                client_msg_id=str(data["client_msg_id"]),
                body=str(data["body"]),
                op=str(data.get("op", "send")),
                message_id=int(data.get("message_id", 0)),
                queued_at=float(data.get("queued_at", 0.0)),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed inbound entry: {exc}") from exc
