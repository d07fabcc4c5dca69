"""engine.io's socket without its per-socket tasks (`backend.realtime.engine.lean_socket`): the same
protocol to real clients over real sockets — pings, the upgrade from polling, the ping timeout —
and fewer tasks per idle socket."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import socketio
import structlog
from aiohttp import web
from aiohttp.test_utils import TestServer
from engineio import packet

from backend.realtime.engine import invalid_frames
from backend.realtime.engine.lean_socket import LeanSocket, _Corked
from backend.realtime.engine.server import CountingServer

PING_INTERVAL = 0.2
PING_TIMEOUT = 0.4


@contextlib.asynccontextmanager
async def serving(ping_interval: float, ping_timeout: float) -> AsyncIterator[tuple[Any, str]]:
    """A real server on a free port, with an `echo` event; yields it and its URL."""
    sio = CountingServer(
        async_mode="aiohttp", ping_interval=ping_interval, ping_timeout=ping_timeout
    )

    @sio.event  # type: ignore[misc]
    async def echo(sid: str, data: Any) -> Any:
        return data

    app = web.Application()
    sio.attach(app)
    server = TestServer(app)
    await server.start_server()
    try:
        yield sio, str(server.make_url("/"))
    finally:
        await server.close()


@pytest.fixture
async def served() -> AsyncIterator[tuple[CountingServer, str]]:
    async with serving(PING_INTERVAL, PING_TIMEOUT) as both:
        yield both


async def until(condition: Callable[[], bool], what: str, limit: float = 10.0) -> None:
    """Wait for `condition`; `limit` only bounds a failure."""
    async with asyncio.timeout(limit):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


async def connected(url: str, **kwargs: Any) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, wait_timeout=5, **kwargs)
    return client


def sockets(sio: CountingServer) -> list[Any]:
    return list(sio.eio.sockets.values())


@pytest.fixture
def pongs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When the server's sockets scheduled a ping: at the connect, then after every pong."""
    seen: list[float] = []
    schedule = LeanSocket.schedule_ping

    def counted(self: LeanSocket) -> None:
        seen.append(time.monotonic())
        schedule(self)

    monkeypatch.setattr(LeanSocket, "schedule_ping", counted)
    return seen


async def pings_answered(pongs: list[float], count: int) -> None:
    await until(lambda: len(pongs) > count, f"{count} pings answered")  # + the connect's


async def test_a_websocket_client_is_pinged_and_stays_connected(
    served: tuple[CountingServer, str], pongs: list[float]
) -> None:
    sio, url = served
    client = await connected(url, transports=["websocket"])
    try:
        assert [type(s) for s in sockets(sio)] == [LeanSocket]
        # Several ping cycles, each longer than the timeout would allow without pongs.
        await pings_answered(pongs, 4)
        assert client.connected
        assert await client.call("echo", {"n": 1}, timeout=5) == {"n": 1}
    finally:
        await client.disconnect()
    await until(lambda: not sockets(sio), "the server forgot the socket")


async def test_a_polling_client_upgrades_to_websocket(
    served: tuple[CountingServer, str], pongs: list[float]
) -> None:
    _, url = served
    client = await connected(url, transports=["polling", "websocket"])
    try:
        await until(lambda: client.transport() == "websocket", "upgraded")
        assert await client.call("echo", "after the upgrade", timeout=5) == "after the upgrade"
        await pings_answered(pongs, 2)
        assert client.connected
    finally:
        await client.disconnect()


async def test_a_polling_only_client_is_served_by_long_polls(
    served: tuple[CountingServer, str], pongs: list[float]
) -> None:
    sio, url = served
    client = await connected(url, transports=["polling"])
    try:
        await pings_answered(pongs, 3)  # each ping leaves in a poll's answer
        assert await client.call("echo", [1, 2], timeout=5) == [1, 2]
        assert client.transport() == "polling"
    finally:
        await client.disconnect()
    await until(lambda: not sockets(sio), "the server forgot the socket")


async def test_a_client_that_stops_answering_pings_is_closed(
    served: tuple[CountingServer, str],
) -> None:
    sio, url = served
    endpoint = url.replace("http", "ws", 1) + "socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session, session.ws_connect(endpoint) as ws:
        opened = await ws.receive_str()
        assert opened.startswith("0")  # engine.io OPEN
        await ws.send_str("40")  # socket.io CONNECT, then silence: no pongs
        async with asyncio.timeout(10):  # bounds a failure only
            async for _ in ws:  # ends when the server closes the connection
                pass
        assert ws.closed
    await until(lambda: not sockets(sio), "the server forgot the socket")


async def test_an_idle_socket_costs_the_server_three_tasks() -> None:
    """Its connection's, its handler's and its writer's: engine.io's own socket adds its read
    loop's and its writer's `wait_for` tasks and a task sleeping until the next ping."""
    async with serving(60, 60) as (sio, url), contextlib.AsyncExitStack() as stack:
        endpoint = url.replace("http", "ws", 1) + "socket.io/?EIO=4&transport=websocket"
        session = await stack.enter_async_context(aiohttp.ClientSession())

        async def connect() -> None:  # a raw WebSocket: the client side runs no task of its own
            ws = await stack.enter_async_context(session.ws_connect(endpoint))
            assert (await ws.receive_str()).startswith("0")  # engine.io OPEN
            await ws.send_str("40")  # socket.io CONNECT
            assert (await ws.receive_str()).startswith("40")

        await connect()  # the server's own tasks (engine.io's service task) start with the first
        before = len(asyncio.all_tasks())
        for _ in range(10):
            await connect()
        per_socket = (len(asyncio.all_tasks()) - before) / 10
        assert {type(s) for s in sockets(sio)} == {LeanSocket}
    assert per_socket <= 3, per_socket


async def test_a_burst_of_packets_leaves_in_one_write_in_order(
    served: tuple[CountingServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sio, url = served
    writes: list[int] = []  # chunks per corked write
    flush = _Corked.flush

    def counted(self: _Corked) -> None:
        if self.chunks:
            writes.append(len(self.chunks))
        flush(self)

    monkeypatch.setattr(_Corked, "flush", counted)
    client = await connected(url, transports=["websocket"])
    got: list[int] = []
    client.on("n", got.append)
    try:
        sid = next(iter(sio.manager.rooms["/"][None]))
        await asyncio.gather(*(sio.emit("n", n, to=sid) for n in range(50)))
        await until(lambda: len(got) == 50, "every packet arrives")
        assert got == list(range(50))
        assert writes, "a burst was written together"
        assert max(writes) > 1
    finally:
        await client.disconnect()


async def test_a_ping_due_as_the_socket_closes_leaves_no_failed_task(
    served: tuple[CountingServer, str],
) -> None:
    """A mass disconnect closed sockets whose ping was due: each ping's task then failed with
    `SocketIsClosedError` that nobody awaited, logged by asyncio (dozens per `make bench`)."""
    sio, url = served
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    client = await connected(url, transports=["websocket"])
    try:
        (socket,) = sockets(sio)
        socket._ping_due()
        await socket.close(wait=False, abort=True)
        for _ in range(5):  # whatever was scheduled runs, fails and is collected
            await asyncio.sleep(0)
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
        await client.disconnect()
    assert unhandled == []


async def test_a_packet_for_a_socket_already_gone_is_dropped_quietly(
    served: tuple[CountingServer, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Its rooms still list it while its disconnect runs; there is nothing to deliver."""
    sio, url = served
    client = await connected(url, transports=["websocket"])
    try:
        (socket,) = sockets(sio)
        socket.closed = True  # as engine.io marks it before its disconnect handlers run
        with caplog.at_level(logging.WARNING, logger="engineio.server"):
            await sio.eio.send_packet(socket.sid, packet.Packet(packet.MESSAGE, '2["x"]'))
            await sio.eio.send_packet("unknown", packet.Packet(packet.MESSAGE, '2["x"]'))
        assert caplog.records == []
        assert socket.sid not in sio.eio.sockets  # forgotten, as engine.io itself does
    finally:
        await client.disconnect()


async def test_invalid_frames_close_their_sessions_with_few_short_lines(
    served: tuple[CountingServer, str],
) -> None:
    """Issue 31, item 16: each `abc` frame logged a traceback and the socket stayed open.
    Frames of every kind of wrong: not a packet type, a type a client may not send (OPEN,
    PING), an empty frame, and one long frame whose log line still stays short."""
    sio, url = served
    endpoint = url.replace("http", "ws", 1) + "socket.io/?EIO=4&transport=websocket"
    bad = ["abc", "0", "2", "", "x" * 50_000] * 4
    with structlog.testing.capture_logs() as logs:
        async with aiohttp.ClientSession() as session:
            for frame in bad:
                async with session.ws_connect(endpoint) as ws:
                    assert (await ws.receive_str()).startswith("0")
                    await ws.send_str(frame)
                    async with asyncio.timeout(10):  # bounds a failure only
                        async for _ in ws:  # ends when the server closes the connection
                            pass
    lines = [e for e in logs if e["event"] == "invalid_engineio_frame"]
    assert 1 <= len(lines) <= invalid_frames.BURST < len(bad), "throttled"
    assert all(len(repr(line)) < 400 for line in lines), "each line short"
    assert not [e for e in logs if e.get("exc_info")], "no traceback"
    await until(lambda: not sockets(sio), "the server forgot every socket")
