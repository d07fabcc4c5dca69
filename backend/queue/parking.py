"""A parked entry is bounded, whatever made it poison.

The reason is an error's text, which may quote the offending value (a driver's message, a
validation's), and a malformed entry's payload is whatever was written to the stream: both are
cut here, in the one place every queue's `park` goes through, so the dead-letter stream (and
the log line that reports a park) stays small however big the entry that was refused.
"""

from __future__ import annotations

from dataclasses import replace

from backend.infra.logs import clip
from backend.queue.port import Delivery

PARK_REASON_MAX = 1000
# Every entry a gateway writes fits (a 4,000-character body is at most ~24 KB of JSON); a bigger
# one is kept cut, for inspection only.
PARK_PAYLOAD_MAX = 64 * 1024


def bounded_park(delivery: Delivery, reason: str) -> tuple[Delivery, str]:
    """The delivery and reason to store: within PARK_PAYLOAD_MAX bytes and PARK_REASON_MAX chars."""
    if len(delivery.payload) > PARK_PAYLOAD_MAX:
        size = len(delivery.payload)
        reason = f"{clip(reason, PARK_REASON_MAX - 60)} (payload of {size} bytes cut)"
        delivery = replace(delivery, payload=delivery.payload[:PARK_PAYLOAD_MAX])
    return delivery, clip(reason, PARK_REASON_MAX)
