"""Issue 13, the socket side: each test replays what an attacker did and sees it refused.

Each runs the distributed system in this process (PostgreSQL + Redis, gateway with its worker)
with small limits, so the limit is reached in a few calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
import socketio

from backend.settings.config import Settings
from chatty.compose import gateway_app
from tests.support.clients import Api, Live, pair_in_room
from tests.support.procs import ROOT
from tests.support.services import private_redis

pytestmark = [pytest.mark.integration, pytest.mark.seconds(25)]
Serve = Callable[..., Awaitable[str]]


async def connect(url: str, token: str, lives: list[Live]) -> Live:
    live = await Live.connect(url, token)
    lives.append(live)
    return live


async def test_a_sync_reply_is_bounded_and_the_rest_answers_has_more(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve(sync_max_rooms=2, reply_max_bytes=10_000)
    api = api_at(url)
    alice = await api.register()
    live = await connect(url, alice.token, lives)
    rooms = [(await alice.api.create_room())["id"] for _ in range(3)]
    for room in rooms:
        for _ in range(5):
            assert (await live.send(room, "x" * 3000))["ok"]
    await live.wait_until(lambda: all(len(live.messages(r)) == 5 for r in rooms))
    reply = await live.call("sync", {"rooms": {str(r): 0 for r in rooms}})
    first, second, third = (reply["rooms"][str(r)] for r in rooms)
    assert len(first["messages"]) == 5
    assert second == {"messages": [], "has_more": True}, "past the byte budget"
    assert third == {"messages": [], "has_more": True}, "past the room limit"
    again = await live.call("sync", {"rooms": {str(rooms[1]): 0}})
    assert len(again["rooms"][str(rooms[1])]["messages"]) == 5


async def test_a_body_that_escaping_would_inflate_past_the_stored_limit_is_refused(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve()
    alice = await api_at(url).register()
    live = await connect(url, alice.token, lives)
    room = (await alice.api.create_room())["id"]
    ack = await live.send(room, "&" * 4000)  # 20,000 characters once escaped
    assert ack["error"]["code"] == "validation_error"
    assert (await live.send(room, "a & b < c"))["ok"]


async def test_history_and_sync_are_rate_limited(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve(read_rate=0.01, read_burst=3)
    alice = await api_at(url).register()
    live = await connect(url, alice.token, lives)
    room = (await alice.api.create_room())["id"]
    for _ in range(2):
        assert (await live.call("history:fetch", {"room_id": room}))["ok"]
    assert (await live.call("sync", {"rooms": {str(room): 0}}))["ok"]
    refused = await live.call("sync", {"rooms": {str(room): 0}})
    assert refused["error"]["code"] == "rate_limited"
    status, _ = await alice.api.call("GET", f"/api/v1/rooms/{room}/messages")
    assert status == 429


async def test_typing_and_read_floods_reach_others_only_within_the_limit(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve(live_events_per_second=0.01)  # a burst of 1 (5 x rate, at least 1)
    alice, bob, pair = await pair_in_room(api_at(url), api_at(url))
    room = pair["id"]
    typer, watcher = await connect(url, alice.token, lives), await connect(url, bob.token, lives)
    acks = [await typer.call("typing", {"room_id": room, "typing": n % 2 == 0}) for n in range(20)]
    assert [a["ok"] for a in acks].count(True) == 1
    assert {a["error"]["code"] for a in acks if not a["ok"]} == {"rate_limited"}
    assert (await typer.send(room, "hello"))["ok"]
    await watcher.wait_until(lambda: len(watcher.messages(room)) == 1)
    for _ in range(20):
        await watcher.call("read", {"room_id": room, "seq": 1})
    await typer.wait_until(lambda: len(typer.events["read"]) >= 1)
    assert len(watcher.events["typing"]) <= 1
    assert len(typer.events["read"]) == 1, "a marker that did not move is not news"


async def test_room_changes_are_rate_limited(serve: Serve, api_at: Callable[[str], Api]) -> None:
    url = await serve(room_changes_per_minute=3)
    alice = await api_at(url).register()
    statuses = [
        (await alice.api.call("POST", "/api/v1/rooms", {"name": f"r{n}", "kind": "public"}))[0]
        for n in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


async def test_a_user_holds_at_most_the_socket_cap(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve(sockets_per_user=2)
    alice = await api_at(url).register()
    for _ in range(2):
        await connect(url, alice.token, lives)
    refused = await refused_connect(url, alice.token)
    assert refused == {"code": "rate_limited", "message": "too many connections for this user"}


async def test_handshakes_from_one_address_are_limited_before_the_token_is_read(
    serve: Serve,
) -> None:
    url = await serve(handshakes_per_minute=3)
    codes = [(await refused_connect(url, "not-a-token"))["code"] for _ in range(4)]
    assert codes == ["unauthorized"] * 3 + ["rate_limited"]


async def refused_connect(url: str, token: str) -> dict[str, Any]:
    client = socketio.AsyncClient(reconnection=False)
    refused: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    client.on("connect_error", lambda data: refused.done() or refused.set_result(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(url, auth={"token": token}, transports=["websocket"])
    data = await asyncio.wait_for(refused, 10)
    return dict(data.get("data", data))  # python-socketio wraps it: {"message", "data"}


async def test_unreadable_and_oversized_frames_get_an_error_ack_and_the_socket_stays(
    serve: Serve, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    url = await serve()
    alice = await api_at(url).register()
    ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with http.ws_connect(ws_url) as ws:
        assert (await ws.receive_str()).startswith("0{")
        await ws.send_str("40" + json.dumps({"token": alice.token}))
        assert (await ws.receive_str()).startswith("40")
        deep = "[" * 30_000 + "]" * 30_000
        frames = {
            1: f'["message:send",{deep}]',
            2: '["message:send",{"room_id": 1,',
            3: json.dumps(["message:send", {"body": "x" * 70_000}]),
        }
        for ack_id, payload in frames.items():
            await ws.send_str(f"42{ack_id}{payload}")
        acks = {}
        while len(acks) < len(frames):
            frame = await ws.receive_str()
            if frame.startswith("43"):
                ack_id = int(frame[2 : frame.index("[")])
                acks[ack_id] = json.loads(frame[frame.index("[") :])[0]
        assert acks[1]["error"]["code"] == "validation_error"
        assert acks[2]["error"]["code"] == "validation_error"
        assert acks[3]["error"]["code"] == "payload_too_large"
        await ws.send_str('424["history:fetch",{"room_id":"x"}]')
        while not (frame := await ws.receive_str()).startswith("434"):
            pass
        assert json.loads(frame[3:])[0]["error"]["code"] == "validation_error"


async def test_a_socket_is_sent_to_reauthenticate_when_its_token_expires(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url = await serve(access_ttl=2)
    alice = await api_at(url).register()
    live = await Live.connect(url, alice.token)
    try:
        assert (await live.call("history:fetch", {"room_id": 1}))["error"]["code"] != "unauthorized"
        for _ in range(100):  # the socket is ended at expiry (no fixed sleep: a condition)
            if not live.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not live.sio.connected
        refused = await refused_connect(url, alice.token)
        assert refused["code"] == "unauthorized"
    finally:
        await live.close()


async def test_a_leave_while_redis_is_away_is_refused_and_not_applied(
    pg_settings: Settings, aiohttp_server: Callable[..., Any], api_at: Callable[[str], Api]
) -> None:
    with private_redis() as redis:
        stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
        settings = replace(pg_settings, redis_url=redis.url, inbound_stream=stream)
        server = await aiohttp_server(gateway_app(settings, with_worker=True))
        api = api_at(f"http://127.0.0.1:{server.port}")
        alice, _bob, pair = await pair_in_room(api, api)
        room = pair["id"]
        redis.stop()
        status, body = await alice.api.call("DELETE", f"/api/v1/rooms/{room}/members/me")
        assert (status, body["error"]["code"]) == (503, "unavailable")
        redis.start()
        status, body = await alice.api.call("GET", "/api/v1/rooms")
        assert room in [r["id"] for r in body["rooms"]], "still a member: nothing was half-done"


def test_a_gateway_without_redis_refuses_to_start(tmp_path: Any) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "chatty.cli", "gateway", "--port", "0"],
        cwd=ROOT,
        env={**env, "CHATTY_DATA_DIR": str(tmp_path), "CHATTY_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "needs REDIS_URL" in done.stderr


async def test_logout_disconnects_that_sessions_sockets_on_every_node(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api]
) -> None:
    """Finding 2, the socket half: a revoked session's open sockets end on every node, the
    user's other sessions stay."""
    url_a, url_b = two_gateways
    alice = await api_at(url_a).register()
    status, other = await api_at(url_a).call(
        "POST", "/api/v1/auth/login", {"username": alice.name, "password": "password123"}
    )
    assert status == 200
    doomed = await Live.connect(url_b, alice.token)
    kept = await Live.connect(url_b, other["access_token"])
    try:
        status, _ = await alice.api.call(
            "POST", "/api/v1/auth/logout", {"refresh_token": alice.auth["refresh_token"]}
        )
        assert status == 204
        for _ in range(100):  # polling a condition, not waiting for a time
            if not doomed.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not doomed.sio.connected
        assert kept.sio.connected
        assert (await kept.call("sync", {"rooms": {}}))["ok"]
    finally:
        await doomed.close()
        await kept.close()
