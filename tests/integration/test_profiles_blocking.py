"""Profiles, blocking, presence between strangers and DMs that re-open (contract §6; issue 13,
findings 7 and 8), both ways: distributed (PostgreSQL + Redis) and embedded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.clients import Api, Live, User
from tests.support.procs import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(55)]


async def _online(viewer: User, room_id: int, user_id: int) -> bool:
    """What the viewer is told of the user's presence, through the room's member list."""
    _, body = await viewer.api.call("GET", f"/api/v1/rooms/{room_id}/members", expect=200)
    return bool(next(m for m in body["members"] if m["id"] == user_id)["online"])


async def _room_ids(user: User) -> list[int]:
    _, body = await user.api.call("GET", "/api/v1/rooms", expect=200)
    return [room["id"] for room in body["rooms"]]


async def _exchange(room_id: int, *pairs: tuple[Live, str]) -> None:
    """Each live client writes once in the room; returns when the last one sees every message."""
    for live, body in pairs:
        assert (await live.send(room_id, body))["ok"]
    last = pairs[-1][0]
    await last.wait_until(lambda: len(last.messages(room_id)) >= len(pairs))


async def test_a_display_name_change_reaches_everyone_who_shares_a_room(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    alice, bob, stranger = await api.register(), await api.register(), await api.register()
    room = await alice.api.create_room("private")
    await alice.api.add_member(room["id"], bob.id)
    mate, other = (
        await Live.connect(app_url, bob.token),
        await Live.connect(app_url, stranger.token),
    )
    try:
        status, me = await alice.api.call(
            "PATCH", "/api/v1/users/me", {"display_name": " <i>Alice</i> A. "}
        )
        assert status == 200
        assert (me["id"], me["display_name"]) == (alice.id, "Alice A.")
        await mate.wait_until(lambda: bool(mate.events["user:updated"]))
        assert mate.events["user:updated"] == [me]
        _, fetched = await alice.api.call("GET", "/api/v1/users/me", expect=200)
        assert fetched["display_name"] == "Alice A."
        status, error = await alice.api.call("PATCH", "/api/v1/users/me", {"display_name": "<b>"})
        assert (status, error["error"]["code"]) == (422, "validation_error")
        # The stranger shares no room: a DM sent to them afterwards arrives with nothing before.
        _, dm = await alice.api.call("POST", "/api/v1/dms", {"user_id": stranger.id}, expect=200)
        writer = await Live.connect(app_url, alice.token)
        try:
            await _exchange(dm["id"], (writer, "hello"))
            await other.wait_until(lambda: bool(other.messages(dm["id"])))
        finally:
            await writer.close()
        assert other.events["user:updated"] == []
    finally:
        await mate.close()
        await other.close()


async def test_a_user_who_blocked_you_gets_no_dm_or_room_add_from_you(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    alice, carol = await api.register(), await api.register()
    room = await alice.api.create_room("public")
    await carol.api.call("POST", f"/api/v1/users/{alice.id}/block", expect=204)
    await carol.api.call("POST", f"/api/v1/users/{alice.id}/block", expect=204)  # idempotent
    status, _ = await alice.api.call("POST", "/api/v1/dms", {"user_id": carol.id})
    assert status == 403
    status, _ = await alice.api.call(
        "POST", f"/api/v1/rooms/{room['id']}/members", {"user_id": carol.id}
    )
    assert status == 403
    # The blocker may still open a DM with the blocked user, who cannot write in it.
    _, dm = await carol.api.call("POST", "/api/v1/dms", {"user_id": alice.id}, expect=200)
    blocked = await Live.connect(app_url, alice.token)
    try:
        ack = await blocked.send(dm["id"], "let me in")
        assert ack["error"]["code"] == "forbidden"
    finally:
        await blocked.close()
    status, _ = await alice.api.call("POST", "/api/v1/users/999999999/block")
    assert status == 404
    status, _ = await alice.api.call("POST", f"/api/v1/users/{alice.id}/block")
    assert status == 422
    await carol.api.call("DELETE", f"/api/v1/users/{alice.id}/block", expect=204)
    await alice.api.call("POST", "/api/v1/dms", {"user_id": carol.id}, expect=200)
    await alice.api.add_member(room["id"], carol.id)


async def test_presence_flows_only_between_users_who_both_chose_a_shared_room(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    alice, dave = await api.register(), await api.register()
    room = await alice.api.create_room("private")
    _, dm = await alice.api.call("POST", "/api/v1/dms", {"user_id": dave.id}, expect=200)
    await alice.api.add_member(room["id"], dave.id)
    watcher, target = (
        await Live.connect(app_url, alice.token),
        await Live.connect(app_url, dave.token),
    )
    try:
        # Opening a DM with a stranger, or adding them to a room, reveals nothing.
        assert not await _online(alice, room["id"], dave.id)
        assert not await _online(alice, dm["id"], dave.id)
        await _exchange(dm["id"], (watcher, "hi dave"))
        assert not await _online(alice, dm["id"], dave.id), "only one of them wrote"
        # Both wrote in the DM: presence flows both ways.
        await _exchange(dm["id"], (target, "hi alice"))
        await watcher.wait_until(lambda: len(watcher.messages(dm["id"])) == 2)
        assert await _online(alice, dm["id"], dave.id)
        assert await _online(dave, dm["id"], alice.id)
        # A block hides it both ways; the blocked user is shown the blocker as offline.
        await dave.api.call("POST", f"/api/v1/users/{alice.id}/block", expect=204)
        assert not await _online(alice, dm["id"], dave.id)
        assert not await _online(dave, dm["id"], alice.id)
        await watcher.wait_until(
            lambda: any(
                p["user"]["id"] == dave.id and not p["online"] for p in watcher.events["presence"]
            )
        )
        await dave.api.call("DELETE", f"/api/v1/users/{alice.id}/block", expect=204)
        assert await _online(alice, dm["id"], dave.id)
    finally:
        await watcher.close()
        await target.close()


async def test_a_dm_a_member_left_reopens_for_both_on_the_next_message(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    alice, bob = await api.register(), await api.register()
    _, dm = await alice.api.call("POST", "/api/v1/dms", {"user_id": bob.id}, expect=200)
    writer, leaver = (
        await Live.connect(app_url, alice.token),
        await Live.connect(app_url, bob.token),
    )
    try:
        await _exchange(dm["id"], (writer, "one"))
        await leaver.wait_until(lambda: len(leaver.messages(dm["id"])) == 1)
        await bob.api.call("DELETE", f"/api/v1/rooms/{dm['id']}/members/me", expect=204)
        assert dm["id"] not in await _room_ids(bob)
        # The other member writes: the DM is back for the leaver, live.
        assert (await writer.send(dm["id"], "two"))["ok"]
        await leaver.wait_until(lambda: len(leaver.messages(dm["id"])) == 2)
        assert dm["id"] in await _room_ids(bob)
        # The leaver re-opens it with POST /dms: the same room, both members again.
        await bob.api.call("DELETE", f"/api/v1/rooms/{dm['id']}/members/me", expect=204)
        _, again = await bob.api.call("POST", "/api/v1/dms", {"user_id": alice.id}, expect=200)
        assert (again["id"], again["member_count"]) == (dm["id"], 2)
        assert (await leaver.send(dm["id"], "three"))["ok"]
        await writer.wait_until(lambda: len(writer.messages(dm["id"])) == 3)
        # Both left: either one's next message re-opens it for both.
        for user in (alice, bob):
            await user.api.call("DELETE", f"/api/v1/rooms/{dm['id']}/members/me", expect=204)
        assert (await leaver.send(dm["id"], "four"))["ok"]
        await writer.wait_until(lambda: len(writer.messages(dm["id"])) == 4)
        assert dm["id"] in await _room_ids(alice)
        history: list[dict[str, Any]] = await alice.api.all_history(dm["id"])
        assert [m["body"] for m in history] == ["one", "two", "three", "four"]
    finally:
        await writer.close()
        await leaver.close()


@pytest.fixture(params=["distributed", "embedded"])
def strict_limits_url(
    request: pytest.FixtureRequest, tmp_path: Path, cluster: Callable[..., Cluster]
) -> Iterator[str]:
    """A gateway (no worker needed) whose new write paths allow one or two calls a minute."""
    limits = {
        "CHATTY_MODERATION_PER_MINUTE": "2",
        "CHATTY_PROFILE_UPDATES_PER_MINUTE": "1",
        "CHATTY_BLOCKS_PER_MINUTE": "1",
    }
    if request.param == "distributed":
        yield cluster(**limits).gateway().url
        return
    embedded = Cluster.embedded(tmp_path, **limits)
    try:
        yield embedded.gateway(command="run").url
    finally:
        embedded.stop()


async def test_every_new_write_path_is_rate_limited_by_its_setting(
    strict_limits_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(strict_limits_url)
    alice, bob = await api.register(), await api.register()
    room = await alice.api.create_room("public")
    calls: list[tuple[str, str, Any, int]] = [
        ("PATCH", f"/api/v1/rooms/{room['id']}", {"topic": "one"}, 200),
        ("PATCH", f"/api/v1/rooms/{room['id']}", {"topic": "two"}, 200),
        ("POST", f"/api/v1/rooms/{room['id']}/bans", {"user_id": bob.id}, 429),
        ("PATCH", "/api/v1/users/me", {"display_name": "A"}, 200),
        ("PATCH", "/api/v1/users/me", {"display_name": "B"}, 429),
        ("POST", f"/api/v1/users/{bob.id}/block", None, 204),
        ("DELETE", f"/api/v1/users/{bob.id}/block", None, 429),
    ]
    for method, path, body, expected in calls:
        async with api.session.request(
            method, api.base + path, json=body, headers={"Authorization": f"Bearer {alice.token}"}
        ) as resp:
            assert resp.status == expected, (method, path, await resp.text())
            if expected == 429:
                assert int(resp.headers["Retry-After"]) >= 1
                assert (await resp.json())["error"]["code"] == "rate_limited"
