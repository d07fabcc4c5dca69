"""Transport choices that keep a gateway's per-socket cost low, and the Engine.IO heartbeat."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import aiohttp
import pytest

from tests.support.procs import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(15)]
FAILS_AFTER = 15  # seconds: bounds a stuck run only, never how long a test waits


async def test_websocket_refuses_per_message_deflate(
    pg_app_url: str, http: aiohttp.ClientSession
) -> None:
    url = f"{pg_app_url}/socket.io/?EIO=4&transport=websocket"
    async with http.ws_connect(url, compress=15) as ws:
        assert ws.compress == 0, "each socket would carry its own compressor"
        assert (await ws.receive_str()).startswith("0{")  # the Engine.IO open packet


# ---- heartbeat (issue 31, item 19) -------------------------------------------------------------
# What the official Engine.IO suite's heartbeat tests check (socketio/engine.io-protocol,
# test-suite/test-suite.js, `describe("heartbeat")`; it is not published on npm, so CI cannot
# install it): over long-polling and WebSocket, the server sends PING ("2") three times and each
# PONG ("3") is accepted; a client that does not answer has its session closed (polling: the
# next request answers 400; WebSocket: the server closes it). Its handshake tests check that the
# open packet advertises the configured interval and timeout. Here against a real gateway
# process with short settings; the suite sleeps where these tests wait for the event.

PING_S = 1  # engine.io advertises the interval in whole seconds


@pytest.fixture(scope="module")
def heartbeat_url(
    tmp_path_factory: pytest.TempPathFactory, pg_url: str, redis_url: str
) -> Iterator[str]:
    """One gateway process for these tests (each session is its own)."""
    c = Cluster.distributed(
        tmp_path_factory.mktemp("heartbeat"),
        database_url=pg_url,
        redis_url=redis_url,
        CHATTY_SOCKET_PING_INTERVAL=str(PING_S),
        CHATTY_SOCKET_PING_TIMEOUT=str(PING_S),
    )
    try:
        yield c.gateway().url
    finally:
        c.stop()


def _eio(url: str, transport: str, sid: str | None = None) -> str:
    base = url.replace("http", "ws") if transport == "websocket" else url
    return f"{base}/socket.io/?EIO=4&transport={transport}" + (f"&sid={sid}" if sid else "")


async def _open_polling(http: aiohttp.ClientSession, url: str) -> str:
    response = await http.get(_eio(url, "polling"))
    assert response.status == 200
    opened = json.loads((await response.text())[1:])
    assert (opened["pingInterval"], opened["pingTimeout"]) == (PING_S * 1000, PING_S * 1000)
    return str(opened["sid"])


async def test_the_open_packet_advertises_the_configured_heartbeat(
    heartbeat_url: str, http: aiohttp.ClientSession
) -> None:
    await _open_polling(http, heartbeat_url)
    async with http.ws_connect(_eio(heartbeat_url, "websocket")) as ws:
        opened = json.loads((await ws.receive_str())[1:])
        assert (opened["pingInterval"], opened["pingTimeout"]) == (PING_S * 1000, PING_S * 1000)


async def test_polling_sends_pings_and_takes_pongs(
    heartbeat_url: str, http: aiohttp.ClientSession
) -> None:
    sid = await _open_polling(http, heartbeat_url)
    async with asyncio.timeout(FAILS_AFTER):
        for _ in range(3):
            poll = await http.get(_eio(heartbeat_url, "polling", sid))
            assert (poll.status, await poll.text()) == (200, "2")
            pong = await http.post(_eio(heartbeat_url, "polling", sid), data="3")
            assert pong.status == 200


async def test_polling_closes_the_session_upon_ping_timeout(
    heartbeat_url: str, http: aiohttp.ClientSession
) -> None:
    sid = await _open_polling(http, heartbeat_url)
    async with asyncio.timeout(FAILS_AFTER):  # polls, never answering the pings
        while (poll := await http.get(_eio(heartbeat_url, "polling", sid))).status == 200:
            assert await poll.text() in {"2", "1"}, "a PING, or the CLOSE of a timed-out session"
    assert poll.status == 400


async def test_websocket_sends_pings_and_takes_pongs(
    heartbeat_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(_eio(heartbeat_url, "websocket")) as ws:
        assert (await ws.receive_str()).startswith("0{")
        async with asyncio.timeout(FAILS_AFTER):
            for _ in range(3):
                assert await ws.receive_str() == "2"
                await ws.send_str("3")


async def test_websocket_closes_the_session_upon_ping_timeout(
    heartbeat_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(_eio(heartbeat_url, "websocket")) as ws:
        async with asyncio.timeout(FAILS_AFTER):
            frames = [m.data async for m in ws if m.type == aiohttp.WSMsgType.TEXT]
    assert frames[0].startswith("0{")
    assert ws.closed, "closed by the server, the pings unanswered"
