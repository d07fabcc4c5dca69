"""An Engine.IO frame the server cannot read closes its session, with one short log line.

engine.io (Node) decodes an unreadable packet as an `error` packet and closes the socket
("parse error"); python-engineio closes too, by letting the exception end its loop. Our read
loops caught it, logged a traceback (11 lines) and kept reading: 1,000 `abc` frames, 11,000
log lines and the socket still open (issue 31, item 16). Now the session is closed at the first
one, and the line that says so is bounded in length and in number: at most `BURST` lines per
`WINDOW` seconds per gateway, the next one saying how many were left out.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from engineio import packet

log = structlog.get_logger("chatty.engineio")
WINDOW = 10.0  # seconds
BURST = 5  # lines per window
SAMPLE = 40  # characters of the frame shown
# What a client may send (protocol v4): a PING from a client is the wrong direction and an
# OPEN makes no sense, as engine.io says; a NOOP is harmless (older clients send it).
CLIENT_TYPES = frozenset({packet.CLOSE, packet.PONG, packet.MESSAGE, packet.UPGRADE, packet.NOOP})
PROBE_TYPES = CLIENT_TYPES | {packet.PING}  # the upgrade's probe is a PING


class InvalidFrame(ValueError):
    """Not an Engine.IO packet a client may send."""


class ThrottledLog:
    """At most `burst` lines per `window` seconds; the first after a gap counts the rest."""

    def __init__(self, *, window: float = WINDOW, burst: int = BURST) -> None:
        self.window, self.burst = window, burst
        self._started = -window
        self._lines = 0
        self.suppressed = 0

    def warning(self, event: str, **fields: Any) -> bool:
        now = time.monotonic()
        if now - self._started >= self.window:
            self._started, self._lines = now, 0
        if self._lines >= self.burst:
            self.suppressed += 1
            return False
        self._lines += 1
        if self.suppressed:
            fields["suppressed"], self.suppressed = self.suppressed, 0
        log.warning(event, **fields)
        return True


def decode(data: Any, *, types: frozenset[int] = CLIENT_TYPES) -> Any:
    """The packet in `data`, or `InvalidFrame`; `types`: those allowed here."""
    try:
        pkt = packet.Packet(encoded_packet=data)
    except Exception as exc:  # int('a'), an empty frame, bad base64, bad JSON after a type
        raise InvalidFrame(type(exc).__name__) from None
    if pkt.packet_type not in types:
        raise InvalidFrame(f"packet type {pkt.packet_type!r}")
    return pkt


def report(throttle: ThrottledLog, sid: str | None, data: Any, error: InvalidFrame) -> None:
    """The one line said about an invalid frame (its session is being closed)."""
    sample = data[:SAMPLE] if isinstance(data, str | bytes) else type(data).__name__
    throttle.warning(
        "invalid_engineio_frame",
        sid=sid,
        error=str(error)[:80],
        frame=repr(sample),
        size=len(data) if isinstance(data, str | bytes) else None,
    )
