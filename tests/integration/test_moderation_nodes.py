"""Moderation across two gateway nodes and a worker (PostgreSQL + Redis, real processes): a
removal takes the user's sockets out of the room on every node at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.test_moderation import see_nothing_more
from tests.support.clients import Api, Live

pytestmark = pytest.mark.integration


async def test_a_member_kicked_on_one_node_receives_nothing_more_on_the_other(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api]
) -> None:
    url_a, url_b = two_gateways
    alice, bob, carol = (
        await api_at(url_a).register(),
        await api_at(url_b).register(),
        await api_at(url_b).register(),
    )
    room = await alice.api.create_room("public")
    for user in (bob, carol):
        await user.api.call("POST", f"/api/v1/rooms/{room['id']}/join", expect=200)
    owner = await Live.connect(url_a, alice.token)
    kicked, witness = await Live.connect(url_b, bob.token), await Live.connect(url_b, carol.token)
    try:
        assert (await owner.send(room["id"], "before"))["ok"]
        await kicked.wait_until(lambda: len(kicked.messages(room["id"])) == 1)
        await alice.api.call("DELETE", f"/api/v1/rooms/{room['id']}/members/{bob.id}", expect=204)
        await kicked.wait_until(lambda: bool(kicked.events["room:removed"]))
        assert kicked.events["room:removed"] == [{"room_id": room["id"], "reason": "kicked"}]
        await see_nothing_more((alice, owner), (bob, kicked), witness, room["id"])
        # Banned on node A: cannot rejoin on node B, nor be re-added.
        await alice.api.call(
            "POST", f"/api/v1/rooms/{room['id']}/bans", {"user_id": bob.id}, expect=204
        )
        status, _ = await bob.api.call("POST", f"/api/v1/rooms/{room['id']}/join")
        assert status == 403
        status, _ = await carol.api.call(
            "POST", f"/api/v1/rooms/{room['id']}/members", {"user_id": bob.id}
        )
        assert status == 403
    finally:
        for live in (owner, kicked, witness):
            await live.close()


async def test_settings_profiles_and_deletion_reach_the_other_node(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api]
) -> None:
    url_a, url_b = two_gateways
    alice, bob = await api_at(url_a).register(), await api_at(url_b).register()
    room = await alice.api.create_room("private")
    await alice.api.add_member(room["id"], bob.id)
    remote = await Live.connect(url_b, bob.token)
    try:
        await alice.api.call("PATCH", f"/api/v1/rooms/{room['id']}", {"topic": "t"}, expect=200)
        await remote.wait_until(lambda: bool(remote.events["room:updated"]))
        assert remote.events["room:updated"][0]["topic"] == "t"
        _, me = await alice.api.call(
            "PATCH", "/api/v1/users/me", {"display_name": "Alice"}, expect=200
        )
        await remote.wait_until(lambda: remote.events["user:updated"] == [me])
        await alice.api.call("DELETE", f"/api/v1/rooms/{room['id']}", expect=204)
        await remote.wait_until(lambda: bool(remote.events["room:removed"]))
        assert remote.events["room:removed"] == [{"room_id": room["id"], "reason": "deleted"}]
        synced = await remote.call("sync", {"rooms": {str(room["id"]): 0}})
        assert synced["rooms"][str(room["id"])]["error"]["code"] == "not_found"
    finally:
        await remote.close()
