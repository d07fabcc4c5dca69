"""Engine.IO sessions, as a raw client sees them (issue 31, items 15-17): a session that never
connects is closed, one address holds a bounded number, an invalid frame closes its session,
and a connect's presence events come after its CONNECT packet.

Raw WebSocket and long-polling requests (aiohttp), not a Socket.IO client: what is checked is
the wire, as the official protocol suites (socketio/engine.io-protocol, socket.io-protocol)
check it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from tests.support.clients import Api, Live

pytestmark = pytest.mark.integration
Serve = Callable[..., Awaitable[str]]
FAILS_AFTER = 15  # seconds: bounds a stuck run only, never how long a test waits


def ws_url(url: str) -> str:
    return url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"


def polling_url(url: str, sid: str | None = None) -> str:
    return url + "/socket.io/?EIO=4&transport=polling" + (f"&sid={sid}" if sid else "")


async def frames_until_closed(ws: aiohttp.ClientWebSocketResponse) -> list[str]:
    """Every text frame the server sends until it closes the WebSocket."""
    frames: list[str] = []
    async with asyncio.timeout(FAILS_AFTER):
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                frames.append(message.data)
    return frames


async def test_a_session_that_never_connects_is_closed_after_the_deadline(
    serve: Serve, http: aiohttp.ClientSession
) -> None:
    url = await serve(socket_connect_timeout=0.5)
    async with http.ws_connect(ws_url(url)) as ws:
        frames = await frames_until_closed(ws)
    assert frames[0].startswith("0{"), "the Engine.IO open packet"
    assert frames[-1] == "1", "an Engine.IO CLOSE, then the WebSocket closed"
    open_packet = await (await http.get(polling_url(url))).text()
    sid = json.loads(open_packet[1:])["sid"]
    async with asyncio.timeout(FAILS_AFTER):
        while (poll := await http.get(polling_url(url, sid))).status == 200:
            assert await poll.text() in {"1", "6"}, "nothing but CLOSE (or a NOOP) on the way"
    assert poll.status == 400, "the long-polling session is gone too"


async def test_a_connected_session_outlives_the_deadline(
    serve: Serve, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    url = await serve(socket_connect_timeout=0.3)
    alice = await api_at(url).register()
    live = await Live.connect(url, alice.token)
    try:
        room = await alice.api.create_room()
        async with http.ws_connect(ws_url(url)) as ws:  # opened after: closed after it too
            await frames_until_closed(ws)
        assert (await live.send(room["id"], "still here"))["ok"]
        assert live.sio.connected
    finally:
        await live.close()


async def test_one_address_holds_at_most_the_session_bound(
    serve: Serve, http: aiohttp.ClientSession
) -> None:
    url = await serve(sessions_per_address=3)
    held = [await http.ws_connect(ws_url(url)) for _ in range(3)]
    for ws in held:
        assert (await ws.receive_str()).startswith("0{")
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(ws_url(url))
    assert refused.value.status == 401
    polled = await http.get(polling_url(url))
    assert polled.status == 401
    assert (await polled.json())["error"]["code"] == "rate_limited"
    await held.pop().close()
    async with asyncio.timeout(FAILS_AFTER):  # the closed one's place is given back
        while (again := await http.get(polling_url(url))).status != 200:
            await asyncio.sleep(0.02)
    assert (await again.text()).startswith("0{")
    for ws in held:
        await ws.close()


async def test_an_invalid_frame_closes_its_session_over_both_transports(
    serve: Serve, http: aiohttp.ClientSession
) -> None:
    """engine.io-protocol's "closes the session upon invalid packet format", both ways."""
    url = await serve()
    async with http.ws_connect(ws_url(url)) as ws:
        assert (await ws.receive_str()).startswith("0{")
        await ws.send_str("abc")
        assert await frames_until_closed(ws) == []
    sid = json.loads((await (await http.get(polling_url(url))).text())[1:])["sid"]
    pushed = await http.post(polling_url(url, sid), data="abc")
    assert pushed.status == 400
    assert (await http.get(polling_url(url, sid))).status == 400


async def test_the_connect_packet_comes_before_any_presence_event(
    serve: Serve, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    url = await serve()
    api = api_at(url)
    alice, bob = await api.register(), await api.register()
    room = await alice.api.create_room("public")  # both chose it: presence flows
    await bob.api.call("POST", f"/api/v1/rooms/{room['id']}/join", expect=200)
    live_bob = await Live.connect(url, bob.token)  # online: alice's connect tells her so
    try:
        async with http.ws_connect(ws_url(url)) as ws:
            assert (await ws.receive_str()).startswith("0{")
            await ws.send_str("40" + json.dumps({"token": alice.token}))
            packets: list[str] = []
            async with asyncio.timeout(FAILS_AFTER):
                while not any(p.startswith('42["presence"') for p in packets):
                    frame = await ws.receive_str()
                    if frame != "2":  # a ping
                        packets.append(frame)
            assert packets[0].startswith("40{"), packets
            presence = json.loads(packets[-1][2:])
            assert presence[1]["user"]["id"] == bob.id
    finally:
        await live_bob.close()
