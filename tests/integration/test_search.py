"""Search and around_seq (contract §6): PostgreSQL tsvector and SQLite FTS5 (both modes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import Api, Connect, Live

pytestmark = pytest.mark.integration


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
