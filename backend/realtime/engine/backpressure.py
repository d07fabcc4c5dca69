"""A client that stops reading cannot grow a gateway's memory without bound.

python-engineio gives every socket an unbounded `asyncio.Queue` of outgoing packets, drained by
a writer task that waits on the TCP connection: when the client stops reading, the kernel's
buffers fill, the writer blocks in aiohttp's drain (which has no timeout), and every event for
that socket piles up in the queue. Past `max_queued_packets` unsent packets the socket is cut
off instead: closed as a lost transport (disconnect handlers run), its queue dropped, and its TCP
connection aborted, which also frees the stuck writer. A socket.io client that comes back
reconnects and `sync`s what it missed, so a cut-off costs it nothing but the round trip.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import engineio
import structlog
from aiohttp import web
from engineio import async_socket
from engineio import exceptions as eio_exceptions
from engineio.async_drivers import aiohttp as aiohttp_driver

from backend.infra import metrics
from backend.realtime.engine.invalid_frames import InvalidFrame, ThrottledLog, decode, report
from backend.realtime.engine.lean_socket import LeanSocket
from backend.realtime.engine.memory import release_freed_memory
from backend.realtime.engine.sessions import SessionGuard
from backend.shapes.errors import RateLimited

log = structlog.get_logger("chatty.backpressure")
BURST_MAX = 32  # frames of one socket handled in one turn of the loop, then others get theirs


class _WebSocket(aiohttp_driver.WebSocket):  # type: ignore[misc]
    """engineio's aiohttp WebSocket, remembering its TCP transport on the Engine.IO socket,
    and without per-message deflate.

    aiohttp accepts `permessage-deflate` by default, which costs every socket a compressor
    (~90 KB of RSS) and compresses each frame once per recipient: 12-14 % of gateway CPU in
    the benchmarks, for chat frames of a few hundred bytes.
    """

    async def __call__(self, environ: dict[str, Any]) -> Any:
        socket = getattr(self.handler, "__self__", None)  # the bound AsyncSocket method
        request = environ["aiohttp.request"]
        if socket is not None and isinstance(self.server, BoundedEngineServer):
            self.server.tcp_transports[socket] = request.transport
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(request)
        self.environ = environ
        await self.handler(self)
        return self._sock

    async def wait(self) -> Any:
        """The next frame for engine.io's read loop; frames already received behind it are
        handed to the socket first, in order (up to `BURST_MAX`).

        engine.io's loop costs two event-loop turns per frame (a task and a `wait_for`): on a
        busy gateway, whose turns take 10-30 ms, a socket sending 50 events/s fell seconds
        behind in its TCP buffer, where no queue we watch could see it (bench, open loop).
        """
        data = await super().wait()
        socket = getattr(self.handler, "__self__", None)
        burst = 0
        while socket is not None and burst < BURST_MAX and self._received_more(socket):
            await _handle(socket, data)
            data = await super().wait()
            burst += 1
        return data

    def _received_more(self, socket: Any) -> bool:
        """A next frame is buffered (so `receive` will not wait), and engine.io's loop is past
        the upgrade handshake, whose frames it must see itself."""
        reader = getattr(self._sock, "_reader", None)
        buffered = getattr(reader, "_buffer", ())
        return bool(buffered) and socket.upgraded and not socket.upgrading


async def _handle(socket: Any, data: Any) -> None:
    """What the socket's read loop (`LeanSocket._read_from`) does with one frame; an invalid
    one ends that loop, which closes the session."""
    try:
        await socket.receive(decode(data))
    except InvalidFrame as exc:
        report(socket.server.invalid_frames, getattr(socket, "sid", None), data, exc)
        raise OSError("invalid frame") from None
    except eio_exceptions.UnknownPacketError:
        pass
    except eio_exceptions.SocketIsClosedError as exc:
        raise OSError("socket is closed") from exc  # ends engine.io's loop, as its own would
    except Exception:
        log.exception("receive_failed", sid=getattr(socket, "sid", None))


class ByteCountingQueue(asyncio.Queue[Any]):
    """A socket's outgoing packets, knowing how many bytes they hold (one big `sync` reply
    weighs as much as thousands of small events)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bytes = 0

    def _put(self, item: Any) -> None:
        self.bytes += _size(item)
        super()._put(item)

    def _get(self) -> Any:
        item = super()._get()
        self.bytes -= _size(item)
        return item


def _size(packet: Any) -> int:
    data = getattr(packet, "data", None)
    return len(data) if isinstance(data, str | bytes) else 0


class BoundedEngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """An Engine.IO server whose sockets hold at most `max_queued_packets` unsent packets
    and `max_queued_bytes` unsent bytes, whose sessions are bounded per address and closed
    when they never connect (`sessions.py`), and whose invalid frames close their session
    (`invalid_frames.py`)."""

    def __init__(
        self,
        *args: Any,
        max_queued_packets: int = 1000,
        max_queued_bytes: int = 4 * 1024 * 1024,
        sessions_per_address: int | None = None,
        connect_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_queued_packets = max_queued_packets
        self.max_queued_bytes = max_queued_bytes
        self.guard = SessionGuard(
            per_address=sessions_per_address,
            connect_timeout=connect_timeout,
            close=self._close_unjoined,
        )
        self.invalid_frames = ThrottledLog()
        self._unjoined_log = ThrottledLog()
        drivers: dict[str, Any] = dict(getattr(self, "_async", {}))
        drivers["websocket"] = _WebSocket
        setattr(self, "_async", drivers)  # noqa: B010 - a copy of engineio's module-wide table
        self._cutting: set[asyncio.Task[None]] = set()
        # Per-socket state of ours, keyed by engineio's socket objects and gone with them.
        self.tcp_transports: weakref.WeakKeyDictionary[Any, asyncio.Transport] = (
            weakref.WeakKeyDictionary()
        )
        self._cut_off_sockets: weakref.WeakSet[Any] = weakref.WeakSet()

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect":  # engine.io made the socket a moment ago, with its own class
            if not self.guard.admit(args[0], args[1]):
                # engine.io answers 401 with this body, before the socket does anything.
                return {"error": RateLimited("too many sessions from this address").to_dict()}
            socket = self.sockets.get(args[0])
            if type(socket) is async_socket.AsyncSocket:
                socket.__class__ = LeanSocket
        elif event == "disconnect":
            self.guard.release(args[0])
        return await super()._trigger_event(event, *args, **kwargs)

    def _close_unjoined(self, sid: str) -> None:
        """A session that never connected to Socket.IO: closed as engine.io closes one
        (a CLOSE packet, then the transport)."""
        socket = self.sockets.get(sid)
        if socket is None or socket.closing or socket.closed:
            return
        self._unjoined_log.warning("socket_connect_timeout", sid=sid)
        task = asyncio.get_running_loop().create_task(self._close_now(socket))
        self._cutting.add(task)
        task.add_done_callback(self._cutting.discard)

    async def _close_now(self, socket: Any) -> None:
        await socket.close(wait=False, abort=False, reason=self.reason.SERVER_DISCONNECT)
        socket.queue.put_nowait(None)  # the writer sends the CLOSE, then ends the WebSocket

    def create_queue(self, *args: Any, **kwargs: Any) -> ByteCountingQueue:
        return ByteCountingQueue(*args, **kwargs)

    def _over(self, queue: Any) -> bool:
        return bool(
            queue.qsize() >= self.max_queued_packets
            or getattr(queue, "bytes", 0) >= self.max_queued_bytes
        )

    async def send_packet(self, sid: str, pkt: Any) -> None:
        try:
            socket = self._get_socket(sid)  # forgets a closed one, as engine.io's own does
        except KeyError:
            # Closed, still in its rooms while its disconnect runs: nothing to deliver.
            # engine.io logs a warning per packet there, 81 in one mass disconnect.
            return
        if self._over(socket.queue):
            if socket not in self._cut_off_sockets:
                self._cut_off_sockets.add(socket)
                # Not inline: the emit loop that got here is serving other sockets too.
                # Measured now: by the time the task runs, its writer may have taken some.
                queued = (socket.queue.qsize(), getattr(socket.queue, "bytes", 0))
                task = asyncio.get_running_loop().create_task(self._cut_off(socket, *queued))
                self._cutting.add(task)
                task.add_done_callback(self._cutting.discard)
            return  # dropped: the client will `sync` it after reconnecting
        await socket.send(pkt)

    async def _cut_off(self, socket: Any, queued: int, queued_bytes: int) -> None:
        metrics.SLOW_CLIENTS_CUT_OFF.inc()
        log.warning("slow_client_cut_off", sid=socket.sid, queued=queued, bytes=queued_bytes)
        try:
            await socket.close(wait=False, abort=True, reason=self.reason.TRANSPORT_ERROR)
        finally:
            while not socket.queue.empty():  # what it never read
                socket.queue.get_nowait()
                socket.queue.task_done()
            socket.queue.put_nowait(None)  # a writer that is not stuck exits on this
            transport = self.tcp_transports.pop(socket, None)
            if transport is not None:
                transport.abort()  # one that is stuck in drain gets an error instead
            release_freed_memory()  # what it never read was the large part of this process
