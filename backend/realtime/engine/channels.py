"""Which channels a socket of this node is in, asked of python-socketio's manager directly."""

from __future__ import annotations

from collections.abc import Container
from typing import Any


def in_channel(sio: Any, sid: str, channel: str) -> bool:
    """Is this socket in this channel? One lookup: python-socketio's `rooms(sid)` walks every
    room of the namespace (each connected user has one), on every send."""
    members = sio.manager.rooms.get("/", {}).get(channel)
    return members is not None and sid in members


class SocketChannels(Container[str]):
    """A socket's channels, as the write half asks about them (`inbound.send`): one lookup
    each, never the list of them all."""

    def __init__(self, sio: Any, sid: str) -> None:
        self._sio, self._sid = sio, sid

    def __contains__(self, channel: object) -> bool:
        return isinstance(channel, str) and in_channel(self._sio, self._sid, channel)
