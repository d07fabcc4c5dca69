"""Replies and threads (contract §6): over two gateways + a worker, and in both modes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import Api, Connect, ConnectedPair, Live

pytestmark = pytest.mark.integration


async def reply(live: Live, room_id: int, body: str, reply_to_id: Any) -> Any:
    return await live.call(
        "message:send",
        {
            "room_id": room_id,
            "body": body,
            "client_msg_id": str(uuid.uuid4()),
            "reply_to_id": reply_to_id,
        },
    )


async def test_a_reply_on_another_node_names_its_target_and_recounts_it(
    two_gateways: tuple[str, str], connected_pair: ConnectedPair
) -> None:
    alice, bob, room, live_a, live_b = await connected_pair(*two_gateways)
    assert (await live_a.send(room["id"], "**question**"))["ok"]
    await live_b.wait_until(lambda: len(live_b.messages(room["id"])) == 1)
    target = live_b.messages(room["id"])[0]
    assert (await reply(live_b, room["id"], "answer", target["id"]))["ok"]
    await live_a.wait_until(lambda: len(live_a.messages(room["id"])) == 2)
    answer = live_a.messages(room["id"])[1]
    assert answer["seq"] == 2
    assert answer["reply_to"]["id"] == target["id"]
    assert answer["reply_to"]["seq"] == 1
    assert answer["reply_to"]["sender"]["id"] == alice.id
    assert answer["reply_to"]["excerpt"] == "question"
    await live_a.wait_until(
        lambda: any(m["id"] == target["id"] for m in live_a.events["message:updated"])
    )
    updated = [m for m in live_a.events["message:updated"] if m["id"] == target["id"]]
    assert updated[-1]["reply_count"] == 1
    history = await bob.api.all_history(room["id"])
    assert history[0]["reply_count"] == 1
    assert history[1]["reply_to"]["id"] == target["id"]


async def test_replies_to_filter_and_a_target_in_another_room_is_refused(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    alice = await api_at(app_url).register()
    room, other = await alice.api.create_room(), await alice.api.create_room()
    live = await connect(app_url, alice.token)
    assert (await live.send(room["id"], "root"))["ok"]
    assert (await live.send(other["id"], "elsewhere"))["ok"]
    await live.wait_until(lambda: len(live.events["message:new"]) == 2)
    root = live.messages(room["id"])[0]
    elsewhere = live.messages(other["id"])[0]
    refused = await reply(live, room["id"], "x", elsewhere["id"])
    assert refused["error"]["code"] == "validation_error"
    assert (await reply(live, room["id"], "unknown", 10**12))["error"]["code"] == (
        "validation_error"
    )
    for n in range(3):
        assert (await reply(live, room["id"], f"r{n}", root["id"]))["ok"]
        assert (await live.send(room["id"], f"plain{n}"))["ok"]
    await live.wait_until(lambda: len(live.messages(room["id"])) == 7)
    _, page = await alice.api.call(
        "GET", f"/api/v1/rooms/{room['id']}/messages?replies_to={root['id']}", expect=200
    )
    assert [m["body"] for m in page["messages"]] == ["r0", "r1", "r2"]
    assert [m["seq"] for m in page["messages"]] == [2, 4, 6]
    fetched = await live.call("history:fetch", {"room_id": room["id"], "replies_to": root["id"]})
    assert [m["seq"] for m in fetched["messages"]] == [2, 4, 6]
