"""Roles and moderation (contract §6), both ways: distributed (PostgreSQL + Redis) and embedded.

Every route and event of "Roles and moderation": the creator owns the room, members get 403 on
admin actions, admins on owner actions, strangers 403 like on every route of a room (404 only
for a room that does not exist); rename, delete, roles,
kick, ban and a moderator's delete, each with its event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import Api, Live, User

pytestmark = [pytest.mark.integration, pytest.mark.seconds(60)]


async def _room_of(user: User, room_id: int) -> dict[str, Any] | None:
    _, body = await user.api.call("GET", "/api/v1/rooms", expect=200)
    return next((r for r in body["rooms"] if r["id"] == room_id), None)


async def _crew(api: Api, kind: str = "private") -> tuple[User, User, User, dict[str, Any]]:
    """Owner Alice, admin Bob and member Carol in one room."""
    alice, bob, carol = await api.register(), await api.register(), await api.register()
    room = await alice.api.create_room(kind)
    for user in (bob, carol):
        await alice.api.add_member(room["id"], user.id)
    await alice.api.call(
        "PATCH", f"/api/v1/rooms/{room['id']}/members/{bob.id}", {"role": "admin"}, expect=200
    )
    return alice, bob, carol, room


async def test_the_creator_owns_the_room_and_rooms_show_role_and_topic(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    assert (room["role"], room["topic"]) == ("owner", "")
    assert [(await _room_of(u, room["id"]) or {}).get("role") for u in (bob, carol)] == [
        "admin",
        "member",
    ]
    _, listed = await alice.api.call("GET", f"/api/v1/rooms/{room['id']}/members", expect=200)
    roles = {m["id"]: m["role"] for m in listed["members"]}
    assert roles == {alice.id: "owner", bob.id: "admin", carol.id: "member"}


async def test_a_member_gets_403_on_each_admin_action(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    dave = await api_at(app_url).register()
    rid = room["id"]
    for method, path, body in (
        ("PATCH", f"/api/v1/rooms/{rid}", {"name": "mine now"}),
        ("DELETE", f"/api/v1/rooms/{rid}", None),
        ("PATCH", f"/api/v1/rooms/{rid}/members/{bob.id}", {"role": "member"}),
        ("DELETE", f"/api/v1/rooms/{rid}/members/{bob.id}", None),
        ("POST", f"/api/v1/rooms/{rid}/bans", {"user_id": dave.id}),
        ("DELETE", f"/api/v1/rooms/{rid}/bans/{dave.id}", None),
        ("POST", f"/api/v1/rooms/{rid}/members", {"user_id": dave.id}),  # private: admin+
    ):
        status, error = await carol.api.call(method, path, body)
        assert (status, error["error"]["code"]) == (403, "forbidden"), (method, path)
    assert (await _room_of(alice, rid) or {})["member_count"] == 3


async def test_owner_only_actions_refuse_admins_and_admins_moderate_members(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    rid = room["id"]
    for method, path, body in (
        ("DELETE", f"/api/v1/rooms/{rid}", None),
        ("PATCH", f"/api/v1/rooms/{rid}/members/{carol.id}", {"role": "admin"}),
        ("DELETE", f"/api/v1/rooms/{rid}/members/{alice.id}", None),  # not the owner
        ("POST", f"/api/v1/rooms/{rid}/bans", {"user_id": alice.id}),
    ):
        status, _ = await bob.api.call(method, path, body)
        assert status == 403, (method, path)
    dave = await api_at(app_url).register()
    await bob.api.add_member(rid, dave.id)  # admins add members to a private room
    await bob.api.call("DELETE", f"/api/v1/rooms/{rid}/members/{dave.id}", expect=204)
    status, _ = await alice.api.call(
        "PATCH", f"/api/v1/rooms/{rid}/members/{alice.id}", {"role": "member"}
    )
    assert status == 403, "the owner's own role is not changed by a PATCH"
    await alice.api.call(
        "PATCH", f"/api/v1/rooms/{rid}/members/{bob.id}", {"role": "member"}, expect=200
    )
    assert (await _room_of(bob, rid) or {})["role"] == "member"
    status, _ = await bob.api.call("PATCH", f"/api/v1/rooms/{rid}", {"name": "x"})
    assert status == 403, "a demoted admin is a member again"


async def test_strangers_get_403_from_moderation_as_from_every_route_of_a_room(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    """Issue 31: moderation answered 404 for a private room, history and sends 403; one rule."""
    api = api_at(app_url)
    alice, stranger = await api.register(), await api.register()
    private, public = await alice.api.create_room("private"), await alice.api.create_room("public")
    history, _ = await stranger.api.call("GET", f"/api/v1/rooms/{private['id']}/messages")
    assert history == 403
    for room, expected in ((private, 403), (public, 403)):
        for method, path, body in (
            ("PATCH", f"/api/v1/rooms/{room['id']}", {"topic": "hi"}),
            ("DELETE", f"/api/v1/rooms/{room['id']}", None),
            ("DELETE", f"/api/v1/rooms/{room['id']}/members/{alice.id}", None),
            ("POST", f"/api/v1/rooms/{room['id']}/bans", {"user_id": alice.id}),
        ):
            status, _ = await stranger.api.call(method, path, body)
            assert status == expected, (room["kind"], method, path)
    status, _ = await stranger.api.call("PATCH", "/api/v1/rooms/999999999", {"name": "x"})
    assert status == 404


async def test_rename_and_topic_reach_every_member_as_room_updated(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    watcher = await Live.connect(app_url, carol.token)
    try:
        status, updated = await bob.api.call(
            "PATCH", f"/api/v1/rooms/{room['id']}", {"name": "<b>Ops</b>", "topic": " on call "}
        )
        assert status == 200
        assert (updated["name"], updated["topic"], updated["role"]) == ("Ops", "on call", "admin")
        await watcher.wait_until(lambda: bool(watcher.events["room:updated"]))
        event = watcher.events["room:updated"][0]
        assert (event["id"], event["name"], event["topic"]) == (room["id"], "Ops", "on call")
        status, error = await bob.api.call("PATCH", f"/api/v1/rooms/{room['id']}", {"name": ""})
        assert (status, error["error"]["code"]) == (422, "validation_error")
        assert (await _room_of(alice, room["id"]) or {})["name"] == "Ops"
    finally:
        await watcher.close()


async def test_a_kicked_member_is_told_and_receives_nothing_more_from_the_room(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    rid = room["id"]
    kicked, witness = (
        await Live.connect(app_url, carol.token),
        await Live.connect(app_url, bob.token),
    )
    owner = await Live.connect(app_url, alice.token)
    try:
        assert (await kicked.send(rid, "before"))["ok"]
        await kicked.wait_until(lambda: len(kicked.messages(rid)) == 1)
        await bob.api.call("DELETE", f"/api/v1/rooms/{rid}/members/{carol.id}", expect=204)
        await kicked.wait_until(lambda: bool(kicked.events["room:removed"]))
        assert kicked.events["room:removed"] == [{"room_id": rid, "reason": "kicked"}]
        await witness.wait_until(lambda: bool(witness.events["room:member_left"]))
        assert witness.events["room:member_left"][0]["user"]["id"] == carol.id
        await see_nothing_more((alice, owner), (carol, kicked), witness, rid)
        assert await _room_of(carol, rid) is None
        status, _ = await carol.api.call("GET", f"/api/v1/rooms/{rid}/messages")
        assert status == 403
        # Not banned: the room's admins may add them back.
        await bob.api.add_member(rid, carol.id)
    finally:
        for live in (kicked, witness, owner):
            await live.close()


async def see_nothing_more(
    sender: tuple[User, Live], removed: tuple[User, Live], witness: Live, room_id: int
) -> None:
    """A message sent after the removal reaches the witness, never the removed user (live or by
    `sync`); a DM the removed user receives afterwards proves the live check is over."""
    (sender_user, sender_live), (removed_user, removed_live) = sender, removed
    assert (await sender_live.send(room_id, "after the kick"))["ok"]
    await witness.wait_until(
        lambda: any(m["body"] == "after the kick" for m in witness.messages(room_id))
    )
    _, dm = await sender_user.api.call(
        "POST", "/api/v1/dms", {"user_id": removed_user.id}, expect=200
    )
    assert (await sender_live.send(dm["id"], "sentinel"))["ok"]
    await removed_live.wait_until(lambda: bool(removed_live.messages(dm["id"])))
    assert all(m["body"] != "after the kick" for m in removed_live.messages(room_id))
    synced = await removed_live.call("sync", {"rooms": {str(room_id): 0}})
    assert synced["rooms"][str(room_id)]["error"]["code"] == "forbidden"
    assert synced["rooms"][str(room_id)]["messages"] == []
    history = await removed_live.call("history:fetch", {"room_id": room_id})
    assert history["error"]["code"] == "forbidden"


async def test_a_banned_user_cannot_rejoin_or_be_added_until_unbanned(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    alice, bob, carol, room = await _crew(api, "public")
    rid = room["id"]
    banned = await Live.connect(app_url, carol.token)
    try:
        await bob.api.call("POST", f"/api/v1/rooms/{rid}/bans", {"user_id": carol.id}, expect=204)
        await banned.wait_until(lambda: bool(banned.events["room:removed"]))
        notice = banned.events["room:removed"][0]
        assert (notice["room_id"], notice["reason"], notice.get("banned")) == (rid, "kicked", True)
    finally:
        await banned.close()
    status, error = await carol.api.call("POST", f"/api/v1/rooms/{rid}/join")
    assert (status, error["error"]["code"]) == (403, "forbidden")
    status, _ = await alice.api.call("POST", f"/api/v1/rooms/{rid}/members", {"user_id": carol.id})
    assert status == 403
    live = await Live.connect(app_url, carol.token)
    try:
        ack = await live.call("room:join", {"room_id": rid})
        assert ack["error"]["code"] == "forbidden"
    finally:
        await live.close()
    # A ban may also keep out someone who was never a member.
    dave = await api.register()
    await bob.api.call("POST", f"/api/v1/rooms/{rid}/bans", {"user_id": dave.id}, expect=204)
    status, _ = await dave.api.call("POST", f"/api/v1/rooms/{rid}/join")
    assert status == 403
    await bob.api.call("DELETE", f"/api/v1/rooms/{rid}/bans/{carol.id}", expect=204)
    status, _ = await bob.api.call("DELETE", f"/api/v1/rooms/{rid}/bans/{carol.id}")
    assert status == 404, "not banned any more"
    await carol.api.call("POST", f"/api/v1/rooms/{rid}/join", expect=200)


async def test_deleting_a_room_removes_it_and_its_history_for_everyone(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    rid = room["id"]
    lives = [await Live.connect(app_url, u.token) for u in (bob, carol)]
    try:
        assert (await lives[0].send(rid, "soon gone"))["ok"]
        await lives[1].wait_until(lambda: len(lives[1].messages(rid)) == 1)
        await alice.api.call("DELETE", f"/api/v1/rooms/{rid}", expect=204)
        for live in lives:
            await live.wait_until(lambda live=live: bool(live.events["room:removed"]))  # type: ignore[misc]
            assert live.events["room:removed"] == [{"room_id": rid, "reason": "deleted"}]
    finally:
        for live in lives:
            await live.close()
    for user in (alice, bob, carol):
        assert await _room_of(user, rid) is None
        status, _ = await user.api.call("GET", f"/api/v1/rooms/{rid}/messages")
        assert status == 404


async def test_admins_delete_anyone_s_message_in_order_but_edit_only_their_own(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob, carol, room = await _crew(api_at(app_url))
    rid = room["id"]
    author, admin = await Live.connect(app_url, carol.token), await Live.connect(app_url, bob.token)
    try:
        assert (await author.send(rid, "spam", client_msg_id=str(uuid.uuid4())))["ok"]
        await admin.wait_until(lambda: len(admin.messages(rid)) == 1)
        message = admin.messages(rid)[0]
        edit = await admin.call("message:edit", {"message_id": message["id"], "body": "x"})
        assert edit["error"]["code"] == "forbidden"
        assert (await author.call("message:edit", {"message_id": message["id"], "body": "edited"}))[
            "ok"
        ]
        assert (await admin.call("message:delete", {"message_id": message["id"]}))["ok"]
        await author.wait_until(lambda: len(author.events["message:updated"]) == 2)
        edited, deleted = author.events["message:updated"]
        assert (edited["body"], edited["deleted"]) == ("edited", False)
        assert (deleted["body"], deleted["deleted"], deleted["seq"]) == ("", True, message["seq"])
        assert deleted["sender"]["id"] == carol.id
        (stored,) = await alice.api.all_history(rid)
        assert stored["deleted"]
        # A plain member may not delete someone else's message.
        assert (await admin.send(rid, "the admin's"))["ok"]
        await author.wait_until(lambda: len(author.messages(rid)) == 2)
        other = author.messages(rid)[1]
        refused = await author.call("message:delete", {"message_id": other["id"]})
        assert refused["error"]["code"] == "forbidden"
    finally:
        await author.close()
        await admin.close()
