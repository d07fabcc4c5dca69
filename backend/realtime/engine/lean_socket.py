"""engine.io's socket with fewer objects per idle connection.

python-engineio keeps, for every idle WebSocket, three tasks besides the connection's own: the
read loop's `ensure_future` + `wait_for` around each frame, the writer's `wait_for` around its
queue read, and a task sleeping until the next ping: each a task, a coroutine frame, a future
and a timer. Here the reads wait under `asyncio.timeout` (a timer, no task) and the next ping is
a `call_later`; what the socket does is engine.io's own, step for step (4.x, `async_socket.py`).
With the connect's environ cut to the request (`connection.py`): 37.4 → 33.2 KB per idle socket
(`make bench`'s connections scenario alone, 10,000 sockets).

A frame that is not an Engine.IO packet a client may send closes the session, as engine.io's
does (`invalid_frames.py`), over WebSocket and long-polling alike.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from typing import Any

from engineio import async_socket, exceptions, packet, payload

from backend.realtime.engine.invalid_frames import PROBE_TYPES, InvalidFrame, decode, report


class LeanSocket(async_socket.AsyncSocket):  # type: ignore[misc]
    """Installed by `BoundedEngineServer` on each socket before its first ping."""

    last_ping: float | None
    connected: bool

    def schedule_ping(self) -> None:
        if self.last_ping:  # only after the previous ping was answered
            self.last_ping = None
            loop = asyncio.get_running_loop()
            loop.call_later(self.server.ping_interval, self._ping_due)

    def _ping_due(self) -> None:
        """Queued now, not by a task: a socket closed before such a task ran failed it with
        `SocketIsClosedError` that nobody awaited (logged by asyncio, dozens per mass close)."""
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            self.queue.put_nowait(packet.Packet(packet.PING))

    async def poll(self) -> list[Any]:
        """The packets to send, waiting for the first one at most a ping cycle."""
        try:
            async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
                first = await self.queue.get()
            self.queue.task_done()
        except (TimeoutError, asyncio.CancelledError):
            raise exceptions.QueueEmpty() from None
        if first is None:
            return []
        packets = [first]
        while True:
            try:
                pkt = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            self.queue.task_done()
            if pkt is None:
                self.queue.put_nowait(None)
                break
            packets.append(pkt)
        return packets

    async def _websocket_handler(self, ws: Any) -> None:
        if self.connected:  # an upgrade from polling
            if not await self._upgrade(ws):
                return
        else:
            self.connected = True
            self.upgraded = True
        writer = asyncio.ensure_future(self._write_to(ws))
        await self._read_from(ws)
        await self.queue.put(None)  # unlock the writer so it can exit
        await writer
        await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    async def _frame(self, ws: Any) -> Any:
        data = await ws.wait()
        if data and len(data) > self.server.max_http_buffer_size:
            raise ValueError("packet is too large")
        return data

    async def _upgrade(self, ws: Any) -> bool:
        """The probe and the upgrade packet; polling's sends are held meanwhile."""
        self.upgrading = True
        try:
            probe = decode(await self._frame(ws), types=PROBE_TYPES)
        except (OSError, InvalidFrame):
            return False
        if probe.packet_type != packet.PING or probe.data != "probe":
            self.upgrading = False
            return False
        await ws.send(packet.Packet(packet.PONG, data="probe").encode())
        await self.queue.put(packet.Packet(packet.NOOP))  # end the pending poll
        try:
            upgrade = decode(await self._frame(ws))
        except (OSError, InvalidFrame):
            self.upgrading = False
            return False
        self.upgrading = False
        self.upgraded = upgrade.packet_type == packet.UPGRADE
        return bool(self.upgraded)

    async def _write_to(self, ws: Any) -> None:
        while True:
            try:
                packets = await self.poll()
            except exceptions.QueueEmpty:
                break
            if not packets:  # closed
                break
            try:
                if len(packets) == 1:
                    await ws.send(packets[0].encode())
                else:
                    await _send_together(ws, packets)
            except Exception:
                break
        await ws.close()

    async def _read_from(self, ws: Any) -> None:
        cycle = self.server.ping_interval + self.server.ping_timeout
        while True:
            try:
                async with asyncio.timeout(cycle):
                    data = await self._frame(ws)
            except (asyncio.CancelledError, Exception):  # timed out, too large, cut, cancelled
                return  # engine.io's own loop ends the same way on each
            if data is None:  # closed by the client
                return
            try:
                await self.receive(decode(data))
            except InvalidFrame as exc:
                report(self.server.invalid_frames, self.sid, data, exc)
                return  # the handler closes the session
            except exceptions.UnknownPacketError:
                pass
            except exceptions.SocketIsClosedError:
                return
            except Exception:
                self.server.logger.exception("Unknown receive error")

    async def handle_post_request(self, environ: dict[str, Any]) -> None:
        """engine.io's, with an invalid packet closing the session: the POST answers 400 and
        the next request for the session too."""
        length = int(environ.get("CONTENT_LENGTH", "0"))
        if length > self.server.max_http_buffer_size:
            raise exceptions.ContentTooLongError()
        body = (await environ["wsgi.input"].read(length)).decode("utf-8", errors="replace")
        try:
            packets = [decode(p) for p in _split(body)]
        except InvalidFrame as exc:
            report(self.server.invalid_frames, self.sid, body, exc)
            await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_ERROR)
            raise exceptions.EngineIOError("invalid packet") from None
        for pkt in packets:
            await self.receive(pkt)


def _split(body: str) -> list[str]:
    """A polling payload's packets, as engine.io's `Payload` splits them (JSONP's `d=` too)."""
    if not body:
        return []
    if body.startswith("d="):
        body = urllib.parse.parse_qs(body).get("d", [""])[0]
    encoded = body.split("\x1e")
    if len(encoded) > payload.Payload.max_decode_packets:
        raise InvalidFrame("too many packets in one payload")
    return encoded


class _Corked:
    """Stands in for a WebSocket's transport while a burst of frames is written: they leave in
    one write (one system call, one TCP segment where they fit) instead of one each."""

    FLUSH_AT = 64 * 1024

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.chunks: list[bytes] = []
        self.size = 0

    def is_closing(self) -> bool:
        return bool(self.transport.is_closing())

    def write(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if self.chunks and not self.transport.is_closing():
            self.transport.write(b"".join(self.chunks))
        self.chunks, self.size = [], 0


async def _send_together(ws: Any, packets: list[Any]) -> None:
    """engine.io sends one frame per packet; a socket with several queued (a busy room, the
    presence snapshot at a connect) gets them in one write. aiohttp's frame writer uses only
    `write` and `is_closing` of its transport (3.x, `_websocket/writer.py`)."""
    writer: Any = getattr(getattr(ws, "_sock", None), "_writer", None)
    transport = getattr(writer, "transport", None)
    if transport is None:  # not aiohttp's WebSocketResponse: one by one
        for pkt in packets:
            await ws.send(pkt.encode())
        return
    corked = _Corked(transport)
    writer.transport = corked
    try:
        for pkt in packets:
            await ws.send(pkt.encode())
    finally:
        writer.transport = transport
        corked.flush()
