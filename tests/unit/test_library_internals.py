"""The private names of python-socketio, python-engineio and aiohttp that chatty relies on.

Each is measured and tested where it is used; this test fails first, naming what changed and
who relies on it, when an upgrade renames or reshapes one (issue 32, item 5). pyproject.toml
bounds the three libraries to the minor versions this passed with.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Any

import aiohttp
import engineio
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer
from engineio import async_socket, payload
from engineio.async_drivers import aiohttp as aiohttp_driver
from socketio.async_pubsub_manager import AsyncPubSubManager
from socketio.packet import Packet

# (owner, attribute, who relies on it)
NAMES: list[tuple[Any, str, str]] = [
    (socketio.AsyncServer, "_send_eio_packet", "server.DirectDelivery sends through it"),
    (socketio.AsyncServer, "_engineio_server_class", "server.CountingServer picks ours"),
    (socketio.AsyncServer, "_handle_connect", "the CONNECT-then-manager.connect order"),
    (AsyncPubSubManager, "_handle_emit", "server.RedisManager times each event"),
    (AsyncPubSubManager, "_publish", "tests/unit/test_emitter.py records it"),
    (socketio.AsyncRedisManager, "_redis_connect", "server.RedisManager: one client"),
    (socketio.AsyncRedisManager, "_redis_listen_with_retries", "server.RedisManager's loop"),
    (socketio.AsyncManager, "get_participants", "server.DirectDelivery's recipients"),
    (socketio.AsyncManager, "sid_from_eio_sid", "server.CountingServer._joined"),
    (socketio.AsyncManager, "eio_sid_from_sid", "emitter.ServerEmitter: a socket here"),
    (Packet, "data_is_binary", "emitter.encoded_message: a binary batch"),
    (Packet, "deconstruct_binary", "emitter.encoded_message: a binary batch"),
    (engineio.AsyncServer, "_trigger_event", "backpressure.BoundedEngineServer: connect"),
    (engineio.AsyncServer, "_get_socket", "backpressure.BoundedEngineServer.send_packet"),
    (engineio.AsyncServer, "_handle_connect", "the socket class swapped at 'connect'"),
    (engineio.AsyncServer, "_unauthorized", "a session refused past the address bound"),
    (async_socket.AsyncSocket, "schedule_ping", "lean_socket.LeanSocket overrides it"),
    (async_socket.AsyncSocket, "poll", "lean_socket.LeanSocket overrides it"),
    (async_socket.AsyncSocket, "_websocket_handler", "lean_socket.LeanSocket overrides it"),
    (async_socket.AsyncSocket, "handle_post_request", "lean_socket.LeanSocket overrides it"),
    (async_socket.AsyncSocket, "receive", "lean_socket.LeanSocket's read loops call it"),
    (aiohttp_driver.WebSocket, "wait", "backpressure._WebSocket overrides it"),
    (payload.Payload, "max_decode_packets", "lean_socket._split bounds a polling payload"),
]


def _source(function: Any) -> str:
    return inspect.getsource(function)


def _missing_names() -> list[str]:
    return [
        f"{owner.__module__}.{owner.__qualname__}.{name} is gone ({why})"
        for owner, name, why in NAMES
        if not hasattr(owner, name)
    ]


def _changed_behaviour() -> list[str]:
    """What the overrides assume of the code around them."""
    changed = []
    connect = _source(engineio.AsyncServer._handle_connect)
    if "async_socket.AsyncSocket(self, sid)" not in connect:
        changed.append("engineio AsyncServer._handle_connect no longer makes an AsyncSocket")
    if "self._trigger_event('connect', sid, environ" not in connect:
        changed.append("engineio's 'connect' event no longer gets (sid, environ)")
    if "self._unauthorized(ret" not in connect:
        changed.append("engineio no longer answers a refused 'connect' with its return value")
    sio_connect = _source(socketio.AsyncServer._handle_connect)
    last_connect_packet = sio_connect.rfind("packet.CONNECT, {'sid': sid}")
    if not 0 <= last_connect_packet < sio_connect.rfind("self.manager.connect(sid, namespace)"):
        changed.append("python-socketio no longer queues CONNECT before manager.connect")
    if not isinstance(getattr(engineio.AsyncServer(async_mode="aiohttp"), "_async", None), dict):
        changed.append("engineio AsyncServer._async (the driver table) is not a dict")
    if "self._sock" not in _source(aiohttp_driver.WebSocket.__call__):
        changed.append("engineio's aiohttp WebSocket no longer keeps its response in `_sock`")
    return changed


async def _aiohttp_websocket_internals() -> list[str]:
    """A server-side WebSocketResponse of a real connection: its reader's `_buffer` (frames
    received ahead) and its writer's `transport` (swapped while a burst is written)."""
    seen: dict[str, bool] = {}

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        reader: Any = getattr(ws, "_reader", None)
        writer: Any = getattr(ws, "_writer", None)
        seen["_reader._buffer"] = hasattr(reader, "_buffer")
        seen["_writer.transport"] = hasattr(writer, "transport")
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    server = TestServer(app)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(server.make_url("/")) as ws:
            await ws.receive()
    finally:
        await server.close()
    return [
        f"aiohttp WebSocketResponse.{name} is gone (backpressure._WebSocket, "
        "lean_socket._send_together)"
        for name, present in seen.items()
        if not present
    ] or ([] if seen else ["aiohttp's WebSocket handler never ran"])


async def test_the_private_names_chatty_relies_on_are_there() -> None:
    problems = _missing_names() + _changed_behaviour() + await _aiohttp_websocket_internals()
    versions = ", ".join(
        f"{name} {version(name)}" for name in ("python-socketio", "python-engineio", "aiohttp")
    )
    assert not problems, "\n".join([f"with {versions}:", *problems])
