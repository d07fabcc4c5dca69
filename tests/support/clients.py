"""Real clients: aiohttp for REST, the python-socketio client for Socket.IO."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import aiohttp
import socketio

from backend.fanout.schemas import violations
from tests.support.procs import Cluster, Proc

# Every event any test's client received that did not match its schema (backend/fanout/
# schemas.py): (event, errors, payload). tests/conftest.py fails the test that saw one.
SCHEMA_VIOLATIONS: list[tuple[str, dict[str, Any], Any]] = []


def new_name(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Api:
    """The REST API of one gateway, optionally as one user."""

    def __init__(self, base: str, session: aiohttp.ClientSession, token: str | None = None):
        self.base = base
        self.session = session
        self.token = token

    def as_user(self, token: str) -> Api:
        return Api(self.base, self.session, token)

    async def call(
        self, method: str, path: str, json: Any = None, *, expect: int | None = None, **kw: Any
    ) -> tuple[int, Any]:
        headers = kw.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        async with self.session.request(
            method, self.base + path, json=json, headers=headers, **kw
        ) as resp:
            body = await resp.json(content_type=None) if resp.status != 204 else None
            if expect is not None:
                assert resp.status == expect, (resp.status, body)
            return resp.status, body

    async def register(self, username: str | None = None, password: str = "password123") -> User:
        name = username or new_name()
        _, body = await self.call(
            "POST", "/api/v1/auth/register", {"username": name, "password": password}, expect=201
        )
        return User(self.as_user(body["access_token"]), body)

    async def create_room(self, kind: str = "private", name: str | None = None) -> dict[str, Any]:
        """Public names are unique: an unnamed room gets a fresh one."""
        name = name or f"room {uuid.uuid4().hex[:8]}"
        _, room = await self.call("POST", "/api/v1/rooms", {"name": name, "kind": kind}, expect=201)
        return room  # type: ignore[no-any-return]

    async def add_member(self, room_id: int, user_id: int) -> None:
        await self.call(
            "POST", f"/api/v1/rooms/{room_id}/members", {"user_id": user_id}, expect=200
        )

    async def all_history(self, room_id: int) -> list[dict[str, Any]]:
        """Every message of a room, walking forward with `after_seq` pages."""
        messages: list[dict[str, Any]] = []
        after = 0
        while True:
            _, page = await self.call(
                "GET", f"/api/v1/rooms/{room_id}/messages?after_seq={after}&limit=100", expect=200
            )
            messages.extend(page["messages"])
            if not page["has_more"]:
                return messages
            after = page["messages"][-1]["seq"]


class Pair(NamedTuple):
    """Alice and Bob share a room, each connected to their own gateway."""

    alice: User
    bob: User
    room: dict[str, Any]
    live_a: Live
    live_b: Live


ConnectedPair = Callable[[str, str], Awaitable[Pair]]
"""The `connected_pair` fixture: (url_a, url_b) → a `Pair`."""


class Alone(NamedTuple):
    """One gateway and one worker; alice connected, in a room of hers."""

    cluster: Cluster
    node: Proc
    worker: Proc
    alice: User
    room: dict[str, Any]
    live: Live


async def pair_in_room(
    api_a: Api, api_b: Api, kind: str = "private"
) -> tuple[User, User, dict[str, Any]]:
    """Alice (registered on `api_a`) creates a room and adds Bob (registered on `api_b`)."""
    alice, bob = await api_a.register(), await api_b.register()
    room = await alice.api.create_room(kind)
    await alice.api.add_member(room["id"], bob.id)
    return alice, bob, room


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    """Poll `check` until it holds, for a state no event announces (a metric, a stored row).
    `timeout` only bounds a run that is stuck: it is never how long a test waits."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not true after {timeout}s: {check}")
        await asyncio.sleep(0.05)


class User:
    def __init__(self, api: Api, auth: dict[str, Any]):
        self.api = api
        self.auth = auth
        self.id: int = auth["user"]["id"]
        self.name: str = auth["user"]["username"]
        self.token: str = auth["access_token"]


Connect = Callable[[str, str], Awaitable["Live"]]
"""The `connect` fixture: a connected `Live` for (url, token), closed after the test."""


class Live:
    """A connected Socket.IO client that records every server event it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Condition()
        for event in (
            "message:new",
            "message:updated",
            "message:rejected",
            "typing",
            "presence",
            "read",
            "room:member_joined",
            "room:member_left",
            "room:updated",
            "room:removed",
            "user:updated",
            "notification",
            "disconnect",  # with its reason
        ):
            self.sio.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Callable[..., Any]:
        async def record(data: Any = None) -> None:
            if errors := violations(event, data):
                SCHEMA_VIOLATIONS.append((event, errors, data))
            self.events[event].append(data)
            async with self._changed:
                self._changed.notify_all()

        return record

    @classmethod
    async def connect(cls, url: str, token: str) -> Live:
        live = cls()
        await live.sio.connect(
            url, auth={"token": token}, transports=["websocket"], wait_timeout=10
        )
        return live

    async def call(self, event: str, data: Any, timeout: float = 10) -> Any:
        return await self.sio.call(event, data, timeout=timeout)

    async def send(self, room_id: int, body: str, client_msg_id: str | None = None) -> Any:
        cmid = client_msg_id or str(uuid.uuid4())
        return await self.call(
            "message:send", {"room_id": room_id, "body": body, "client_msg_id": cmid}
        )

    def messages(self, room_id: int) -> list[dict[str, Any]]:
        return [m for m in self.events["message:new"] if m["room_id"] == room_id]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        async def waiter() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(waiter(), timeout)

    async def fence(self, own_room: int) -> None:
        """Return once whatever was acknowledged or emitted before has reached this socket.

        It sends a message to `own_room` (a room of this user that no assertion reads) and waits
        for its copy: one worker handles the stream in order and every emit crosses one Redis
        channel (or one process), so anything due to this socket from earlier is here by then.
        A check that something did *not* arrive follows a fence, never a sleep.
        """
        before = len(self.messages(own_room))
        assert (await self.send(own_room, "fence"))["ok"]
        await self.wait_until(lambda: len(self.messages(own_room)) > before)

    async def close(self) -> None:
        await self.sio.disconnect()
