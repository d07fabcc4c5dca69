"""The worker's batched emits publish exactly what python-socketio's own `emit` would."""

from __future__ import annotations

from typing import Any

import socketio

from backend.fanout.events import Emission
from backend.realtime.engine.emitter import ServerEmitter, encoded_message, pubsub_message
from backend.realtime.engine.server import DirectDelivery, RedisManager
from backend.shapes import jsonutil


async def test_a_batched_message_is_what_the_manager_itself_publishes() -> None:
    manager = RedisManager("redis://127.0.0.1:1", channel="c", write_only=True, json=jsonutil)
    published: list[dict[str, Any]] = []

    async def record(message: dict[str, Any]) -> None:
        published.append(message)

    manager._publish = record
    for emission in (
        Emission("message:new", {"id": 1, "body": "hi"}, "room:3"),
        Emission("notification", {"kind": "dm"}, ["user:1", "user:2"], skip_sid="abc"),
    ):
        await manager.emit(
            emission.event,
            emission.data,
            namespace="/",
            room=emission.room,
            skip_sid=emission.skip_sid,
        )
        ours = pubsub_message(emission, host_id=manager.host_id)
        assert isinstance(ours.pop("sent_at"), float)  # our addition, ignored by python-socketio
        assert published.pop() == ours


async def _delivered(manager: socketio.AsyncManager) -> list[tuple[str, Any]]:
    """What `manager.emit` hands to each socket: three sockets, two in the room, one skipped."""
    server = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager)
    sent: list[tuple[str, Any]] = []

    async def record(eio_sid: str, pkt: Any) -> None:
        sent.append((eio_sid, pkt.encode()))

    server._send_eio_packet = record
    sids = []
    for eio_sid in ("e1", "e2", "e3"):
        sid = await manager.pre_connect(eio_sid, "/")
        await manager.connect(sid, "/")
        sids.append(sid)
    for sid in sids[:2]:
        await manager.enter_room(sid, "/", "room:1")
    await manager.emit("message:new", {"id": 1}, "/", room="room:1")
    await manager.emit("typing", {"on": True}, "/", room="room:1", skip_sid=sids[0])
    return sorted(sent)


async def test_direct_delivery_sends_each_socket_what_python_socketio_would() -> None:
    assert await _delivered(DirectDelivery()) == await _delivered(socketio.AsyncManager())
    assert len(await _delivered(DirectDelivery())) == 3


async def test_a_socket_still_connecting_here_gets_its_events_without_a_publish() -> None:
    """A connect's presence snapshot goes to its own socket, on this node, before the connect
    handler returns: publishing it made every other node look it up and drop it."""
    manager = RedisManager("redis://127.0.0.1:1", channel="c", json=jsonutil)
    server = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager)
    published: list[dict[str, Any]] = []
    sent: list[str] = []

    async def publish(message: dict[str, Any]) -> None:
        published.append(message)

    async def send(eio_sid: str, pkt: Any) -> None:
        sent.append(eio_sid)

    manager._publish = publish
    server._send_eio_packet = send
    sid = await manager.pre_connect("e1", "/")  # the connect handler is running
    emitter = ServerEmitter(server)

    await emitter.emit("presence", {"online": True}, room=sid)
    assert (sent, published) == (["e1"], [])
    await emitter.emit("presence", {"online": True}, room="user:1")  # a channel: every node
    assert len(published) == 1


async def test_a_binary_emit_reaches_each_socket_as_python_socketio_sends_it() -> None:
    """Issue 31, item 18: a payload with bytes was refused (`binary=False` forced)."""

    async def binary(manager: socketio.AsyncManager) -> list[tuple[str, Any]]:
        server = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager)
        sent: list[tuple[str, Any]] = []

        async def record(eio_sid: str, pkt: Any) -> None:
            sent.append((eio_sid, pkt.encode()))

        server._send_eio_packet = record
        sid = await manager.pre_connect("e1", "/")
        await manager.connect(sid, "/")
        await manager.emit("file", {"name": "a", "bytes": b"\x00\x01"}, "/", room=sid)
        return sent

    ours = await binary(DirectDelivery())
    assert ours == await binary(socketio.AsyncManager())
    assert [data for _, data in ours][1] == b"\x00\x01", "the attachment, as its own frame"


async def test_a_batched_binary_message_is_what_the_manager_itself_publishes() -> None:
    manager = RedisManager("redis://127.0.0.1:1", channel="c", write_only=True, json=jsonutil)
    published: list[dict[str, Any]] = []

    async def record(message: dict[str, Any]) -> None:
        published.append(message)

    manager._publish = record
    emission = Emission("file", {"bytes": b"\x00\x01"}, "room:3")
    await manager.emit(emission.event, emission.data, namespace="/", room=emission.room)
    ours = jsonutil.loads(encoded_message(manager, emission))
    assert isinstance(ours.pop("sent_at"), float)
    assert jsonutil.loads(jsonutil.dumps(published.pop())) == ours
