"""Issue 31, item 14 (part): the live-delivery turn counters expire and go with their room; the
`sync` reply's byte budget counts what each message carries (reactions, attachments)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio as redis_asyncio

from backend.realtime.engine.emitter import emit_turn_key
from backend.settings.config import Settings
from tests.support.clients import Api, Live

pytestmark = pytest.mark.integration

Serve = Callable[..., Awaitable[str]]


async def test_a_room_s_turn_counter_expires_and_is_deleted_with_the_room(
    serve: Serve,
    pg_settings: Settings,
    redis_url: str,
    api_at: Callable[[str], Api],
    lives: list[Live],
) -> None:
    url = await serve(emit_order_ttl=600)
    alice = await api_at(url).register()
    room = await alice.api.create_room()
    live = await Live.connect(url, alice.token)
    lives.append(live)
    for _ in range(2):  # the counter is advanced by each batch's emit
        assert (await live.send(room["id"], "hello"))["ok"]
    await live.wait_until(lambda: len(live.messages(room["id"])) == 2)
    key = emit_turn_key(pg_settings.socketio_channel, room["id"])
    client = redis_asyncio.Redis.from_url(redis_url)
    try:
        assert int(await client.get(key) or 0) >= 1
        assert 0 < await client.ttl(key) <= 600
        await alice.api.call("DELETE", f"/api/v1/rooms/{room['id']}", expect=204)
        assert await client.exists(key) == 0
    finally:
        await client.aclose()


async def test_the_sync_budget_counts_reactions(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    """Two one-character messages with 20 reactions each are ~2 KB on the wire: past a 1,000
    byte budget, though a count of body + 300 bytes each called them 602."""
    url = await serve(reply_max_bytes=1000)
    alice = await api_at(url).register()
    live = await Live.connect(url, alice.token)
    lives.append(live)
    heavy, light = (await alice.api.create_room())["id"], (await alice.api.create_room())["id"]
    for room in (heavy, light):
        for _ in range(2):
            assert (await live.send(room, "x"))["ok"]
    await live.wait_until(lambda: all(len(live.messages(r)) == 2 for r in (heavy, light)))
    for message in live.messages(heavy):
        for n in range(20):
            emoji = f":reaction_{n:02d}:"
            reply = await live.call("reaction:add", {"message_id": message["id"], "emoji": emoji})
            assert reply["ok"]

    async def reacted() -> bool:
        _, page = await alice.api.call("GET", f"/api/v1/rooms/{heavy}/messages", expect=200)
        return all(len(m["reactions"]) == 20 for m in page["messages"])

    while not await reacted():  # the worker applies them in order: wait for the last
        await live.wait_until(lambda: bool(live.events["message:updated"]), timeout=10)
        live.events["message:updated"].clear()
    reply = await live.call("sync", {"rooms": {str(heavy): 0, str(light): 0}})
    assert len(reply["rooms"][str(heavy)]["messages"]) == 2
    assert reply["rooms"][str(light)] == {"messages": [], "has_more": True}
