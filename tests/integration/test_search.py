"""Search and around_seq (contract §6): PostgreSQL tsvector and SQLite FTS5 (both modes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import asyncpg
import pytest

from backend.gateway.app import create_app
from backend.settings.config import Settings
from tests.support.clients import Api, Connect, Live

pytestmark = [pytest.mark.integration, pytest.mark.seconds(28)]


async def send_all(live: Live, room_id: int, bodies: list[str]) -> None:
    before = len(live.messages(room_id))
    for body in bodies:
        assert (await live.send(room_id, body))["ok"]
    await live.wait_until(lambda: len(live.messages(room_id)) == before + len(bodies))


async def search(api: Api, query: str) -> dict[str, Any]:
    _, found = await api.call("GET", f"/api/v1/search?{query}", expect=200)
    return found


async def test_search_finds_words_phrases_prefixes_not_exclusions_newest_first(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room(name="ops")
    live = await connect(app_url, alice.token)
    await send_all(
        live,
        room["id"],
        ["the **release** notes are out", "release staging today", "kubernetes upgrade", "noise"],
    )
    found = await search(alice.api, "q=release")
    assert [r["message"]["seq"] for r in found["results"]] == [2, 1]
    assert found["results"][0]["room"] == {"id": room["id"], "name": "ops", "kind": "private"}
    assert (
        found["results"][1]["highlight"]
        == "the <strong><mark>release</mark></strong> notes are out"
    )
    assert not found["has_more"]
    assert [
        r["message"]["seq"] for r in (await search(alice.api, "q=release -staging"))["results"]
    ] == [1]
    phrase = await search(alice.api, 'q="release notes"')
    assert [r["message"]["seq"] for r in phrase["results"]] == [1]
    assert [r["message"]["seq"] for r in (await search(alice.api, "q=kube*"))["results"]] == [3]
    page = await search(alice.api, "q=release&limit=1")
    assert page["has_more"]
    rest = await search(alice.api, f"q=release&before_id={page['results'][0]['message']['id']}")
    assert [r["message"]["seq"] for r in rest["results"]] == [1]


async def test_search_never_returns_a_left_room_or_a_deleted_message(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    api = api_at(app_url)
    alice, bob = await api.register(), await api.register()
    kept, left = await alice.api.create_room(), await alice.api.create_room()
    for room in (kept, left):
        await alice.api.add_member(room["id"], bob.id)
    live = await connect(app_url, alice.token)
    await send_all(live, kept["id"], ["secret plan one", "secret plan two"])
    await send_all(live, left["id"], ["secret plan three"])
    assert len((await search(bob.api, "q=secret"))["results"]) == 3
    await bob.api.call("DELETE", f"/api/v1/rooms/{left['id']}/members/me", expect=204)
    doomed = live.messages(kept["id"])[1]
    assert (await live.call("message:delete", {"message_id": doomed["id"]}))["ok"]
    await live.wait_until(lambda: len(live.events["message:updated"]) == 1)
    found = await search(bob.api, "q=secret")
    assert [r["message"]["body"] for r in found["results"]] == ["secret plan one"]
    await bob.api.call("GET", f"/api/v1/search?q=secret&room_id={left['id']}", expect=403)


async def test_around_seq_returns_the_page_containing_it(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    live = await connect(app_url, alice.token)
    await send_all(live, room["id"], [f"m{n}" for n in range(1, 31)])
    _, page = await alice.api.call(
        "GET", f"/api/v1/rooms/{room['id']}/messages?around_seq=12&limit=10", expect=200
    )
    assert [m["seq"] for m in page["messages"]] == list(range(7, 17))
    assert page["has_more"]
    _, edge = await alice.api.call(
        "GET", f"/api/v1/rooms/{room['id']}/messages?around_seq=2&limit=10", expect=200
    )
    assert 2 in [m["seq"] for m in edge["messages"]]


async def test_a_costly_query_is_refused_before_it_runs(
    pg_app_url: str, api_at: Callable[[str], Api]
) -> None:
    """Issue 31: `0* 1* … f*` (200 characters) took a second over 200k messages. Prefixes
    are deduplicated and capped, a prefix needs 2+ characters, terms are capped."""
    alice = await api_at(pg_app_url).register()
    await alice.api.create_room(name="ops")
    hexes = " ".join(f"{c}*" for c in "0123456789abcdef")
    for query in ((hexes + " ") * 7)[:200], "ab* cd* ef* gh*", "a*", "w1 w2 w3 w4 w5 w6 w7 w8 w9":
        status, body = await alice.api.call("GET", f"/api/v1/search?q={quote(query)}")
        assert status == 422, query
        assert body["error"]["code"] == "validation_error"
        assert body["error"]["details"]["q"]
    # The same terms many times are one term each: within the caps.
    repeated = quote(" ".join(["deploy", "Deploy", "kube*", '"release notes"'] * 5))
    await alice.api.call("GET", f"/api/v1/search?q={repeated}", expect=200)


async def test_a_search_past_its_statement_timeout_is_a_validation_error(
    pg_settings: Settings,
    pg_url: str,
    aiohttp_server: Callable[..., Any],
    api_at: Callable[[str], Api],
) -> None:
    """The search's statement waits on a lock held by another session, so the (tiny) timeout
    is certain to pass: the answer is the documented 422, not a 500."""
    settings = replace(
        pg_settings,
        inbound_stream=f"chat.inbound.test.{uuid.uuid4().hex[:8]}",
        search_timeout_ms=50,
    )
    server = await aiohttp_server(create_app(settings))
    alice = await api_at(f"http://127.0.0.1:{server.port}").register()
    await alice.api.create_room(name="ops")
    conn = await asyncpg.connect(pg_url)
    try:
        async with conn.transaction():
            await conn.execute("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            status, body = await alice.api.call("GET", "/api/v1/search?q=deploy")
    finally:
        await conn.close()
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"] == {"q": ["too costly: use longer or fewer terms"]}
    await alice.api.call("GET", "/api/v1/search?q=deploy", expect=200)  # the lock is gone
