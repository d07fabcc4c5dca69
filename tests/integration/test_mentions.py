"""Mentions and notifications (contract §6) over two gateways + a worker, and in both modes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.clients import Api, Connect

pytestmark = [pytest.mark.integration, pytest.mark.seconds(28)]


async def test_a_notification_reaches_the_mentioned_user_on_the_other_node_not_the_sender(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api], connect: Connect
) -> None:
    url_a, url_b = two_gateways
    alice, bob = await api_at(url_a).register(), await api_at(url_b).register()
    outsider = await api_at(url_b).register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    live_a, live_b = await connect(url_a, alice.token), await connect(url_b, bob.token)
    live_out = await connect(url_b, outsider.token)
    body = f"ping @{bob.name} and @{outsider.name}"  # the outsider is no member
    assert (await live_a.send(room["id"], body))["ok"]
    await live_b.wait_until(lambda: len(live_b.events["notification"]) == 1)
    note = live_b.events["notification"][0]
    assert note["kind"] == "mention"
    assert note["room_id"] == room["id"]
    assert note["message"]["mentions"] == [bob.id]
    _, rooms = await bob.api.call("GET", "/api/v1/rooms", expect=200)
    assert [r["mention_count"] for r in rooms["rooms"] if r["id"] == room["id"]] == [1]
    await live_a.fence((await alice.api.create_room())["id"])
    await live_out.fence((await outsider.api.create_room())["id"])
    assert live_a.events["notification"] == []
    assert live_out.events["notification"] == []


async def test_notify_none_silences_and_levels_decide(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    api = api_at(app_url)
    alice, bob = await api.register(), await api.register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    live_a, live_b = await connect(app_url, alice.token), await connect(app_url, bob.token)
    path = f"/api/v1/rooms/{room['id']}/members/me"
    _, mine = await bob.api.call("PATCH", path, {"notify": "none"}, expect=200)
    assert mine["notify"] == "none"
    await bob.api.call("PATCH", path, {"notify": "loud"}, expect=422)
    assert (await live_a.send(room["id"], f"@{bob.name} are you there"))["ok"]
    own = (await bob.api.create_room())["id"]
    await live_b.fence(own)
    assert live_b.events["notification"] == []
    await bob.api.call("PATCH", path, {"notify": "mentions"}, expect=200)
    assert (await live_a.send(room["id"], "plain"))["ok"]
    assert (await live_a.send(room["id"], f"@{bob.name} now?"))["ok"]
    await live_b.wait_until(lambda: len(live_b.events["notification"]) == 1)
    await live_b.fence(own)
    assert [n["message"]["body"].endswith("now?") for n in live_b.events["notification"]] == [True]
    await bob.api.call("PATCH", path, {"notify": "all"}, expect=200)
    assert (await live_a.send(room["id"], "plain again"))["ok"]
    await live_b.wait_until(lambda: len(live_b.events["notification"]) == 2)
    assert live_b.events["notification"][1]["kind"] == "message"
