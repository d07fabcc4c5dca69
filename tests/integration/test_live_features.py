"""Rooms, history and live features across two gateway nodes (issue: rooms and live features)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import asyncpg
import pytest

from tests.integration.test_message_path import send_many
from tests.support.clients import Api, Connect, ConnectedPair, Live, eventually, pair_in_room
from tests.support.faults import Member, assert_received_exactly_once
from tests.support.procs import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(45)]

METRICS_TOKEN = "metrics-token-for-tests"


@pytest.fixture
def two_nodes(cluster: Callable[..., Cluster]) -> tuple[Cluster, str, str]:
    """Two gateways and a worker of the test's own (it kills one), presence expiring in 2 s."""
    c = cluster(CHATTY_PRESENCE_TTL="2", CHATTY_METRICS_TOKEN=METRICS_TOKEN)
    a, b = c.gateway(), c.gateway()
    c.worker()
    return c, a.url, b.url


async def test_join_add_and_leave_take_effect_live_on_the_other_node(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api]
) -> None:
    url_a, url_b = two_gateways
    alice = await api_at(url_a).register()
    bob = await api_at(url_b).register()
    carol = await api_at(url_b).register()
    private = await alice.api.create_room("private")
    public = await alice.api.create_room("public")
    bobs_own = await bob.api.create_room("private")
    owner = await Live.connect(url_a, alice.token)
    added = await Live.connect(url_b, bob.token)
    joiner = await Live.connect(url_b, carol.token)
    try:
        await alice.api.add_member(private["id"], bob.id)  # REST on node A, socket on node B
        await owner.wait_until(lambda: len(owner.events["room:member_joined"]) == 1)
        status, _ = await carol.api.call("POST", f"/api/v1/rooms/{public['id']}/join")
        assert status == 200
        await owner.wait_until(lambda: len(owner.events["room:member_joined"]) == 2)
        # Room-mates who both chose the room learn each other's presence at once, across
        # nodes; being added by someone reveals nothing (issue 13, finding 7).
        await joiner.wait_until(lambda: _presence(joiner, alice.id) == [True])
        await owner.wait_until(lambda: _presence(owner, carol.id) == [True])
        assert _presence(owner, bob.id) == []
        assert _presence(added, alice.id) == []
        assert (await owner.send(private["id"], "to bob"))["ok"]
        assert (await owner.send(public["id"], "to carol"))["ok"]
        await added.wait_until(lambda: len(added.messages(private["id"])) == 1)
        await joiner.wait_until(lambda: len(joiner.messages(public["id"])) == 1)
        # Leaving on node B: node A's sends no longer reach the leaver.
        status, _ = await bob.api.call("DELETE", f"/api/v1/rooms/{private['id']}/members/me")
        assert status == 204
        await owner.wait_until(lambda: len(owner.events["room:member_left"]) == 1)
        assert (await owner.send(private["id"], "bob is gone"))["ok"]
        await owner.wait_until(lambda: len(owner.messages(private["id"])) == 2)
        await added.fence(bobs_own["id"])
        assert len(added.messages(private["id"])) == 1
    finally:
        for live in (owner, added, joiner):
            await live.close()


async def test_edit_and_delete_reach_the_other_node_and_history(
    two_gateways: tuple[str, str], connected_pair: ConnectedPair
) -> None:
    url_a, url_b = two_gateways
    _, bob, room, author, reader = await connected_pair(url_a, url_b)
    assert (await author.send(room["id"], "first draft"))["ok"]
    await reader.wait_until(lambda: len(reader.messages(room["id"])) == 1)
    message = reader.messages(room["id"])[0]
    other = await reader.call("message:edit", {"message_id": message["id"], "body": "mine!"})
    assert other["error"]["code"] == "forbidden"
    ack = await author.call("message:edit", {"message_id": message["id"], "body": "<b>final</b>"})
    assert ack == {"ok": True}
    await reader.wait_until(lambda: len(reader.events["message:updated"]) == 1)
    edited = reader.events["message:updated"][0]
    assert edited["body"] == "<b>final</b>"
    assert edited["edited_at"] is not None
    assert edited["seq"] == message["seq"]
    assert (await author.call("message:delete", {"message_id": message["id"]})) == {"ok": True}
    await reader.wait_until(lambda: len(reader.events["message:updated"]) == 2)
    deleted = reader.events["message:updated"][1]
    assert deleted["deleted"] is True
    assert deleted["body"] == ""
    (stored,) = await bob.api.all_history(room["id"])
    assert stored["deleted"] is True
    assert stored["body"] == ""
    assert stored["seq"] == 1
    gone = await author.call("message:edit", {"message_id": message["id"], "body": "again"})
    assert gone["error"]["code"] == "not_found"


async def test_typing_crosses_nodes_is_not_echoed_and_expires(
    two_gateways: tuple[str, str], connected_pair: ConnectedPair
) -> None:
    url_a, url_b = two_gateways
    alice, _, room, typer, watcher = await connected_pair(url_a, url_b)
    for _ in range(5):  # a burst is throttled to one announcement
        assert (await typer.call("typing", {"room_id": room["id"], "typing": True}))["ok"]
    await watcher.wait_until(lambda: len(watcher.events["typing"]) >= 1)
    first = watcher.events["typing"][0]
    assert first["typing"] is True
    assert first["user"]["id"] == alice.id
    assert first["room_id"] == room["id"]
    # Nobody says "stopped": the indicator expires by itself.
    await watcher.wait_until(lambda: watcher.events["typing"][-1]["typing"] is False, 15)
    assert [e["typing"] for e in watcher.events["typing"]] == [True, False]
    assert typer.events["typing"] == []


async def test_presence_crosses_nodes_and_a_killed_node_turns_offline(
    two_nodes: tuple[Cluster, str, str], connect: Connect, api_at: Callable[[str], Api]
) -> None:
    c, url_a, url_b = two_nodes
    alice, bob = await api_at(url_a).register(), await api_at(url_b).register()
    room = await alice.api.create_room("public")  # both chose it: presence flows
    await bob.api.call("POST", f"/api/v1/rooms/{room['id']}/join", expect=200)
    watcher = await connect(url_a, alice.token)
    first = await connect(url_b, bob.token)
    await watcher.wait_until(lambda: _presence(watcher, bob.id) == [True])
    second = await connect(url_b, bob.token)
    await first.close()
    # Node B has handled that disconnect (the socket is gone from its count only after the
    # handler, and its presence emit, have run); the fence brings along anything it sent.
    await eventually(lambda: sockets_connected(url_b, 1))
    await watcher.fence(room["id"])
    assert _presence(watcher, bob.id) == [True], "online while any socket is connected"
    _, listing = await alice.api.call("GET", f"/api/v1/rooms/{room['id']}/members")
    assert {m["id"]: m["online"] for m in listing["members"]} == {alice.id: True, bob.id: True}
    # Node B dies without a word: bob turns offline within the presence TTL.
    node_b = next(p for p in c.procs if p.url == url_b)
    node_b.kill()
    await watcher.wait_until(lambda: _presence(watcher, bob.id) == [True, False], 20)
    await second.sio.disconnect()


async def sockets_connected(url: str, count: int) -> bool:
    """The gateway at `url` holds `count` sockets (its `/metrics`)."""
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(url + "/metrics", headers=headers) as resp,
    ):
        return f"chatty_sockets_connected {float(count)}" in (await resp.text()).splitlines()


def _presence(live: Live, user_id: int) -> list[bool]:
    return [e["online"] for e in live.events["presence"] if e["user"]["id"] == user_id]


async def test_unread_counts_rise_with_messages_and_drop_after_read(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api], connect: Connect
) -> None:
    url_a, url_b = two_gateways
    alice, bob = await api_at(url_a).register(), await api_at(url_b).register()
    quiet = await alice.api.create_room(name="quiet")
    busy = await alice.api.create_room(name="busy")
    for room in (quiet, busy):
        await alice.api.add_member(room["id"], bob.id)
    sender = await connect(url_a, alice.token)
    reader = await connect(url_b, bob.token)
    await send_many(sender, busy["id"], 5)
    await reader.wait_until(lambda: len(reader.messages(busy["id"])) == 5)
    _, listing = await bob.api.call("GET", "/api/v1/rooms")
    rooms = {r["id"]: r for r in listing["rooms"]}
    assert listing["rooms"][0]["id"] == busy["id"], "most recent activity first"
    assert rooms[busy["id"]]["unread_count"] == 5
    assert rooms[busy["id"]]["last_seq"] == 5
    assert rooms[quiet["id"]]["unread_count"] == 0
    assert (await reader.call("read", {"room_id": busy["id"], "seq": 5})) == {"ok": True}
    await sender.wait_until(lambda: len(sender.events["read"]) == 1)
    assert sender.events["read"][0] == {"room_id": busy["id"], "user_id": bob.id, "seq": 5}
    _, listing = await bob.api.call("GET", "/api/v1/rooms")
    assert {r["id"]: r["unread_count"] for r in listing["rooms"]}[busy["id"]] == 0


async def test_reconnect_to_the_other_node_and_sync_closes_every_gap(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api], connect: Connect
) -> None:
    url_a, url_b = two_gateways
    alice, bob, room = await pair_in_room(api_at(url_a), api_at(url_b))
    sender = await connect(url_a, alice.token)
    reader = await connect(url_a, bob.token)
    bob_again = Member([url_b], bob.token, [room["id"]], "bob")
    try:
        await send_many(sender, room["id"], 10)
        await reader.wait_until(lambda: len(reader.messages(room["id"])) == 10)
        bob_again.rooms[room["id"]].update({m["seq"]: m for m in reader.messages(room["id"])})
        await reader.close()
        # While bob is away. Acknowledged means queued: some are still being stored when he is
        # back, and reach him live; the others come from `sync` after seq 10, as the SPA does.
        await send_many(sender, room["id"], 50)
        await bob_again.start()  # on node B, synced once
        await bob_again.wait_until(lambda: bob_again.holds(room["id"], 60))
        assert bob_again.synced_again == [], "sync sent messages it was not asked for"
        history = await bob.api.all_history(room["id"])
        assert [m["seq"] for m in history] == list(range(1, 61))
        assert_received_exactly_once(bob_again, room["id"], history)
    finally:
        await bob_again.close()


async def test_history_pages_over_1000_messages_both_ways(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api], pg_url: str, connect: Connect
) -> None:
    url_a, _ = two_gateways
    alice = await api_at(url_a).register()
    room = await alice.api.create_room()
    live = await connect(url_a, alice.token)
    await send_many(live, room["id"], 1000, in_flight=50)
    await live.wait_until(lambda: len(live.messages(room["id"])) == 1000, 60)  # all stored
    forward = await alice.api.all_history(room["id"])
    assert [m["seq"] for m in forward] == list(range(1, 1001))
    backward: list[dict[str, Any]] = []
    cursor = ""
    while True:
        _, page = await alice.api.call(
            "GET", f"/api/v1/rooms/{room['id']}/messages?limit=100{cursor}", expect=200
        )
        backward = page["messages"] + backward
        if not page["has_more"]:
            break
        cursor = f"&before_seq={page['messages'][0]['seq']}"
    assert [m["seq"] for m in backward] == list(range(1, 1001))
    assert [m["id"] for m in backward] == [m["id"] for m in forward]
    plan = await _latest_page_plan(pg_url, room["id"])
    assert "uid_messages_room_id" in plan, plan  # the unique (room_id, seq) index
    print("EXPLAIN latest page:\n" + plan)


async def _latest_page_plan(pg_url: str, room_id: int) -> str:
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("ANALYZE messages")
        rows = await conn.fetch(
            "EXPLAIN SELECT * FROM messages WHERE room_id = $1 ORDER BY seq DESC LIMIT 51",
            room_id,
        )
    finally:
        await conn.close()
    return "\n".join(r[0] for r in rows)
