"""Private Redis and PostgreSQL servers that a test may stop, kill and restart.

The machine's own services (6379, 5432) are shared by everyone and are never touched: each of
these runs from a temporary directory on a free port, with the production durability settings
(Redis: AOF, fsync every second — as `docker-compose.yml`), and is removed afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from tests.support.procs import ROOT, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = Path(os.environ.get("CHATTY_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def wait_port(port: int, *, up: bool, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} not {'up' if up else 'down'} after {timeout}s")


@dataclass
class PrivateRedis:
    """`redis-server` with AOF in a directory of its own; `restart` keeps the data."""

    dir: Path
    port: int = field(default_factory=free_port)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.dir / "redis.log").open("ab")
        # The production durability settings (docker-compose.yml): AOF, fsync every second.
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "dir": str(self.dir),
            "appendonly": "yes",
            "appendfsync": "everysec",
            "save": "",
            "daemonize": "no",
        }
        self.popen = subprocess.Popen(
            [
                REDIS_SERVER,
                *(arg for name, value in options.items() for arg in (f"--{name}", value)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_port(self.port, up=True)
        self._wait_loaded()

    def _wait_loaded(self, timeout: float = 20) -> None:
        """A restarted Redis answers LOADING while it replays the AOF."""
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.exceptions.BusyLoadingError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown (the AOF is flushed); SIGKILL: a crash."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.popen = None
        wait_port(self.port, up=False)

    def restart(self, down_for: float = 0.0, sig: signal.Signals = signal.SIGTERM) -> None:
        self.stop(sig)
        time.sleep(down_for)
        self.start()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb into a temporary directory, trust auth).

    PostgreSQL refuses to run as root, so under root the cluster belongs to `postgres`.
    """

    dir: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/chatty"

    def _run(self, tool: str, *args: str) -> None:
        """A PostgreSQL program, as `postgres` when we are root (the server refuses root)."""
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        # Durability off (fsync): a restart is a clean stop, and the tests want speed.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.dir / "pg.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: sessions are cut (clients see AdminShutdown); `immediate`: a crash."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        wait_port(self.port, up=False)

    def restart(self, down_for: float = 0.0, mode: str = "fast") -> None:
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def create_and_migrate(self) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "chatty")
        env = {**os.environ, "DATABASE_URL": self.url, "CHATTY_LOG_FORMAT": "json"}
        subprocess.run(
            [sys.executable, "-m", "backend.cli", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )


def _tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(_tempdir("chatty-redis-"))
    try:
        server.start()
        yield server
    finally:
        server.stop(signal.SIGKILL)
        shutil.rmtree(server.dir, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Initialised, started and migrated by `chatty migrate` (about 2 s)."""
    server = PrivatePostgres(_tempdir("chatty-pg-"))
    try:
        server.init()
        server.start()
        server.create_and_migrate()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop("immediate")
        shutil.rmtree(server.dir, ignore_errors=True)


# ---- clients that behave like the SPA through faults ------------------------------------------


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
