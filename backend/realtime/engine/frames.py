"""Socket.IO frames the server cannot read still get an answer, never silence or a cut socket.

python-socketio decodes an event's JSON before any handler runs; a frame it cannot decode
(nesting deeper than a parser allows, invalid JSON) raised there, so the client never got an
ack. The transport now accepts frames up to `TRANSPORT_FRAME_MAX` (beyond it the WebSocket is
closed, as every Socket.IO server does) and this decoder turns anything that is not a readable
event of at most `FRAME_MAX` bytes into the event `INVALID_FRAME`, which the namespace answers
with an error ack through the packet's own ack id.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

from backend.shapes import jsonutil

FRAME_MAX = 64 * 1024  # an event's JSON; a 4,000-character message needs far less
TRANSPORT_FRAME_MAX = 1024 * 1024
INVALID_FRAME = "chatty:invalid-frame"
TOO_LARGE, MALFORMED = "payload_too_large", "malformed"


class _GuardedJson:
    """jsonutil for encoding; decoding never raises, it names what was wrong instead."""

    dumps = staticmethod(jsonutil.dumps)

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        if len(data) > FRAME_MAX:
            return [INVALID_FRAME, TOO_LARGE]
        try:
            return jsonutil.loads(data)
        except (ValueError, RecursionError, TypeError):
            return [INVALID_FRAME, MALFORMED]


class FramePacket(packet.Packet):  # type: ignore[misc]
    json = _GuardedJson
