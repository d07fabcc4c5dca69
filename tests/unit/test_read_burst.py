"""Frames already received are handled in one turn, in order; the upgrade handshake's are not.

The integration suites drive this through real sockets (`test_transport.py`, `test_faults.py`);
here the adapter's rules are pinned with a stand-in for aiohttp's reader and engine.io's socket.
"""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace
from typing import Any

import pytest
from engineio import exceptions as eio_exceptions

from backend.realtime.engine.backpressure import BURST_MAX, _WebSocket


class FakeSocket:
    """engine.io's AsyncSocket as the read loop sees it."""

    def __init__(self, *, upgrading: bool = False, closed_after: int | None = None) -> None:
        self.upgraded, self.upgrading, self.sid = True, upgrading, "s1"
        self.received: list[str] = []
        self._closed_after = closed_after

    async def receive(self, pkt: Any) -> None:
        if self._closed_after is not None and len(self.received) >= self._closed_after:
            raise eio_exceptions.SocketIsClosedError()
        self.received.append(pkt.data)

    async def _websocket_handler(self, ws: Any) -> None:
        """Only bound, as engine.io's handler is: the adapter finds the socket through it."""


class FakeReader:
    def __init__(self, frames: list[str]) -> None:
        self._buffer = deque(frames)


class FakeResponse:
    def __init__(self, frames: list[str]) -> None:
        self._reader = FakeReader(frames)

    async def receive(self) -> Any:
        return SimpleNamespace(data=self._reader._buffer.popleft())


def ws_for(socket: FakeSocket, frames: list[str]) -> _WebSocket:
    ws = _WebSocket(socket._websocket_handler, server=None)
    ws._sock = FakeResponse(frames)  # type: ignore[assignment]
    return ws


def messages(n: int) -> list[str]:
    return [f"4m{i}" for i in range(n)]  # engine.io MESSAGE packets


async def test_buffered_frames_go_to_the_socket_in_order_and_the_last_to_the_loop() -> None:
    socket = FakeSocket()
    ws = ws_for(socket, messages(5))
    assert await ws.wait() == "4m4"
    assert socket.received == ["m0", "m1", "m2", "m3"]


async def test_a_burst_is_bounded_so_other_sockets_get_their_turn() -> None:
    socket = FakeSocket()
    ws = ws_for(socket, messages(BURST_MAX + 10))
    assert await ws.wait() == f"4m{BURST_MAX}"
    assert len(socket.received) == BURST_MAX
    assert await ws.wait() == f"4m{BURST_MAX + 9}"  # the rest on the next call


async def test_during_the_upgrade_handshake_every_frame_goes_to_engine_io_itself() -> None:
    socket = FakeSocket(upgrading=True)
    ws = ws_for(socket, ["2probe", "5"])
    assert await ws.wait() == "2probe"
    assert socket.received == []


async def test_a_socket_closed_mid_burst_ends_the_read_loop() -> None:
    socket = FakeSocket(closed_after=2)
    ws = ws_for(socket, messages(5))
    with pytest.raises(OSError, match="socket is closed"):
        await ws.wait()
    assert socket.received == ["m0", "m1"]
