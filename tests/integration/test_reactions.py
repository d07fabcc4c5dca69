"""Reactions (contract §6): through the queue over two gateways + a worker, and both modes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import Api, Connect, Live
from tests.support.procs import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(30)]

THUMBS = "\U0001f44d"


def reactions_of(live: Live, message_id: int) -> list[Any] | None:
    updates = [m for m in live.events["message:updated"] if m["id"] == message_id]
    return updates[-1]["reactions"] if updates else None


async def test_a_reaction_retried_after_a_worker_sigkill_is_counted_once_on_every_node(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], connect: Connect
) -> None:
    c = cluster()
    node_a, node_b = c.gateway(), c.gateway()
    first = c.worker()
    alice, bob = await api_at(node_a.url).register(), await api_at(node_b.url).register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    live_a, live_b = await connect(node_a.url, alice.token), await connect(node_b.url, bob.token)
    assert (await live_a.send(room["id"], "react to me"))["ok"]
    await live_b.wait_until(lambda: len(live_b.messages(room["id"])) == 1)
    message = live_b.messages(room["id"])[0]
    first.kill()
    add = {"message_id": message["id"], "emoji": THUMBS}
    acks = await asyncio.gather(*(live_b.call("reaction:add", add) for _ in range(3)))
    assert all(ack["ok"] for ack in acks), acks
    c.worker()
    expected = [{"emoji": THUMBS, "count": 1, "user_ids": [bob.id]}]
    await live_a.wait_until(lambda: reactions_of(live_a, message["id"]) == expected)
    await live_b.fence((await bob.api.create_room())["id"])
    history = await alice.api.all_history(room["id"])
    assert history[0]["reactions"] == expected
    assert (await live_a.call("reaction:remove", add))["ok"]  # not alice's: a no-op
    assert (await live_b.call("reaction:remove", add))["ok"]
    await live_a.wait_until(lambda: reactions_of(live_a, message["id"]) == [])


async def test_reaction_rules(app_url: str, api_at: Callable[[str], Api], connect: Connect) -> None:
    api = api_at(app_url)
    alice, eve = await api.register(), await api.register()
    room = await alice.api.create_room()
    live, stranger = await connect(app_url, alice.token), await connect(app_url, eve.token)
    assert (await live.send(room["id"], "x"))["ok"]
    await live.wait_until(lambda: len(live.messages(room["id"])) == 1)
    message_id = live.messages(room["id"])[0]["id"]
    bad = await live.call("reaction:add", {"message_id": message_id, "emoji": "not one"})
    assert bad["error"]["code"] == "validation_error"
    outsider = await stranger.call("reaction:add", {"message_id": message_id, "emoji": THUMBS})
    assert outsider["error"]["code"] == "forbidden"
    names = [f":e{n}:" for n in range(21)]
    for name in names[:20]:
        assert (await live.call("reaction:add", {"message_id": message_id, "emoji": name}))["ok"]
    await live.wait_until(lambda: len(reactions_of(live, message_id) or []) == 20)
    over = await live.call("reaction:add", {"message_id": message_id, "emoji": names[20]})
    assert over["error"]["code"] == "validation_error"
    assert [r["emoji"] for r in reactions_of(live, message_id) or []] == names[:20]
