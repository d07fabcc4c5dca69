"""Clients that behave like the SPA through faults, and the checks every fault test ends with.

The private Redis and PostgreSQL servers a fault test stops and restarts are in
`tests/support/services.py`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

from tests.support.clients import Api


class Member:
    """A Socket.IO member that keeps a timeline, reconnects by itself and `sync`s on connect.

    What the member *received* is its timeline: `message:new` events and `sync` replies merged
    by (room, seq), as the SPA keeps them. Every copy of one (room, seq) must be the same
    message (a redelivery after a crash repeats it; it must never be another one). After each
    (re)connection it calls `sync` with the highest seq it holds without a gap, per room; it
    never syncs while connected, so a message lost on the live path stays missing.

    Reconnection tries its addresses in turn (`urls`: the client is given every gateway), the
    one that last worked first, with a short backoff.
    """

    def __init__(self, urls: list[str], token: str, rooms: list[int], name: str = "") -> None:
        self.urls = list(urls)
        self.token = token
        self.name = name
        self.rooms: dict[int, dict[int, dict[str, Any]]] = {room: {} for room in rooms}
        self.deliveries = 0  # every copy, live or synced
        self.duplicates = 0  # copies of a (room, seq) already held
        self.conflicts: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.synced_again: list[tuple[int, int]] = []  # (room, seq) a sync sent at or below its ask
        self.presence: list[tuple[float, int, bool]] = []  # (monotonic time, user id, online)
        self.connects: list[str] = []  # the url of each successful connection
        self.sio: socketio.AsyncClient | None = None
        self.connected = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> Member:
        # One HTTP session for every attempt: a failed connect would leak one of its own.
        self._http = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.connected.wait(), 15)
        return self

    async def close(self) -> None:
        self._closing = True
        if self.sio is not None:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._http is not None:
            await self._http.close()

    async def _run(self) -> None:
        index, delay = 0, 0.05
        while not self._closing:
            url = self.urls[index % len(self.urls)]
            sio = socketio.AsyncClient(reconnection=False, http_session=self._http)
            gone = asyncio.Event()
            sio.on("message:new", self._on_message)
            sio.on("presence", self._on_presence)
            sio.on("disconnect", lambda *_, gone=gone: gone.set())
            try:
                await sio.connect(
                    url, auth={"token": self.token}, transports=["websocket"], wait_timeout=5
                )
            except Exception:
                index += 1  # that gateway is away: the next address
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            delay = 0.05
            self.sio = sio
            self.connects.append(url)
            try:
                await self._sync(sio)
                self.connected.set()
            except Exception:
                with contextlib.suppress(Exception):
                    await sio.disconnect()
            await gone.wait()
            self.connected.clear()
            self.sio = None
            with contextlib.suppress(Exception):
                await sio.disconnect()

    async def _sync(self, sio: socketio.AsyncClient) -> None:
        while True:
            wanted = {str(room): self.seen(room) for room in self.rooms}
            ack = await sio.call("sync", {"rooms": wanted}, timeout=10)
            if not ack.get("ok"):
                raise RuntimeError(f"sync refused: {ack}")
            more = False
            for room, entry in ack["rooms"].items():
                for message in entry["messages"]:
                    if message["seq"] <= wanted[room]:
                        self.synced_again.append((int(room), message["seq"]))
                    await self._record(message)
                more = more or entry["has_more"]
            if not more:
                return

    def seen(self, room: int) -> int:
        """The highest seq held with every earlier one held too (what `sync` is asked after)."""
        held = self.rooms[room]
        seq = 0
        while seq + 1 in held:
            seq += 1
        return seq

    async def _on_message(self, message: dict[str, Any]) -> None:
        await self._record(message)

    async def _on_presence(self, event: dict[str, Any]) -> None:
        self.presence.append((time.monotonic(), int(event["user"]["id"]), bool(event["online"])))
        async with self._changed:
            self._changed.notify_all()

    async def _record(self, message: dict[str, Any]) -> None:
        room = self.rooms.get(int(message["room_id"]))
        if room is None:
            return
        self.deliveries += 1
        held = room.get(int(message["seq"]))
        if held is None:
            room[int(message["seq"])] = message
        else:
            self.duplicates += 1
            same = ("id", "client_msg_id", "body", "seq")
            if any(held[k] != message[k] for k in same):
                self.conflicts.append((held, message))
        async with self._changed:
            self._changed.notify_all()

    async def send(self, room: int, body: str, client_msg_id: str, timeout: float = 5) -> Any:
        sio = self.sio
        if sio is None or not self.connected.is_set():
            return {"ok": False, "error": {"code": "disconnected"}}
        payload = {"room_id": room, "body": body, "client_msg_id": client_msg_id}
        try:
            return await sio.call("message:send", payload, timeout=timeout)
        except Exception as exc:  # the gateway went away mid-call: no ack
            return {"ok": False, "error": {"code": "no_ack", "message": repr(exc)}}

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        async def waiter() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(waiter(), timeout)

    def holds(self, room: int, count: int) -> bool:
        return self.seen(room) >= count


@dataclass
class SendLog:
    """What a sender was told: ids acknowledged `ok`, and every refusal with its latency."""

    acked: list[str] = field(default_factory=list)
    refusals: list[tuple[str, float]] = field(default_factory=list)  # (code, seconds)
    oks: list[float] = field(default_factory=list)  # seconds per ok ack


async def send_steadily(
    member: Member,
    room: int,
    count: int,
    log: SendLog,
    *,
    in_flight: int = 5,
    pause: float = 0.0,
    deadline: float = 90,
    body_size: int = 0,
) -> None:
    """Send `count` messages, each retried with its own client_msg_id until acknowledged `ok`,
    like a client: `unavailable`, a missing ack or a lost connection mean "try again"."""
    gate = asyncio.Semaphore(in_flight)
    stop_at = time.monotonic() + deadline

    async def one(i: int) -> None:
        cmid = str(uuid.uuid4())
        async with gate:
            while True:
                started = time.monotonic()
                ack = await member.send(room, f"{member.name} {i} " + "x" * body_size, cmid)
                took = time.monotonic() - started
                if ack.get("ok"):
                    log.oks.append(took)
                    log.acked.append(cmid)
                    break
                code = ack.get("error", {}).get("code", "?")
                log.refusals.append((code, took))
                assert code in {"unavailable", "no_ack", "disconnected"}, ack
                if time.monotonic() > stop_at:
                    raise TimeoutError(f"message {i} not accepted in {deadline}s: {ack}")
                await asyncio.sleep(0.1 if code != "disconnected" else 0.05)
            if pause:
                await asyncio.sleep(pause)

    await asyncio.gather(*(one(i) for i in range(count)))


async def stored(api: Api, room: int, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    """The room's history once the workers have stored `count` messages (acks mean queued)."""
    deadline = time.monotonic() + timeout
    while True:
        history = await api.all_history(room)
        if len(history) >= count or time.monotonic() > deadline:
            return history
        await asyncio.sleep(0.2)


async def assert_everything_once(
    api: Api, room: int, count: int, acked: list[str], members: tuple[Member, ...]
) -> None:
    """How a fault test ends: `count` messages stored exactly once, every acknowledged one
    among them, and each member's timeline that history, message for message."""
    history = await stored(api, room, count)
    assert len(history) == count
    assert_stored_exactly_once(history, acked)
    for member in members:
        await member.wait_until(lambda m=member: m.seen(room) >= count, 20)
        assert_received_exactly_once(member, room, history)


def assert_stored_exactly_once(history: list[dict[str, Any]], acked: list[str]) -> None:
    """Seq 1..n without gap or repeat, no client_msg_id twice, every acknowledged one there."""
    seqs = [m["seq"] for m in history]
    assert seqs == list(range(1, len(history) + 1)), "seq must be 1..n, no gap, no repeat"
    ids = [m["client_msg_id"] for m in history]
    assert len(ids) == len(set(ids)), "a message was stored twice"
    lost = set(acked) - set(ids)
    assert not lost, f"{len(lost)} acknowledged messages lost"


def assert_received_exactly_once(member: Member, room: int, history: list[dict[str, Any]]) -> None:
    """The member's timeline of the room is the stored history, message for message."""
    assert not member.conflicts, f"{member.name}: two messages at one seq: {member.conflicts[:2]}"
    held = member.rooms[room]
    missing = [m["seq"] for m in history if m["seq"] not in held]
    assert not missing, f"{member.name} never received seq {missing[:20]} ({len(missing)})"
    assert sorted(held) == [m["seq"] for m in history], f"{member.name} holds unknown seqs"
    for stored in history:
        got = held[stored["seq"]]
        assert (got["id"], got["client_msg_id"]) == (stored["id"], stored["client_msg_id"])


class StalledClient:
    """A Socket.IO client over a raw WebSocket that connects, then never reads again.

    Its receive buffer is tiny, so the gateway's writes back up at once: the client a gateway
    must not let grow its memory (a frozen tab, a phone that lost its radio mid-read).
    """

    def __init__(self, port: int, token: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self._buffer = b""
        head = self._read_until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        assert self._frame().startswith("0{"), "no Engine.IO open packet"
        self._send("40" + json.dumps({"token": token}))
        while not (reply := self._frame()).startswith("40"):
            assert not reply.startswith("44"), reply  # connect_error
        self.sid = json.loads(reply[2:])["sid"]

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(marker)
        return head

    def _read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _frame(self) -> str:
        _, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(self._read(2), "big")
        elif length == 127:
            length = int.from_bytes(self._read(8), "big")
        return self._read(length).decode()

    def _send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        assert len(payload) < 65536
        if len(payload) < 126:
            head = bytes([0x81, 0x80 | len(payload)])
        else:
            head = bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def closed_by_server(self, timeout: float = 15) -> bool:
        """Read at last: True once the server has closed (or reset) the connection."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                if not self.sock.recv(65536):
                    return True
            except TimeoutError:
                continue
            except ConnectionError:
                return True
        return False

    def close(self) -> None:
        self.sock.close()
