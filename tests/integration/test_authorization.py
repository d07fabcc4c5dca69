"""Only members see a room: by REST, by socket, and in what they receive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import Api, Connect

pytestmark = [pytest.mark.integration, pytest.mark.seconds(45)]


async def test_non_member_can_neither_read_send_join_nor_receive(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    api = api_at(app_url)
    alice, eve = await api.register(), await api.register()
    room = await alice.api.create_room("private", "secret")
    rid = room["id"]
    own = await eve.api.create_room("private", "eve's own")
    owner = await connect(app_url, alice.token)
    intruder = await connect(app_url, eve.token)
    status, _ = await eve.api.call("GET", f"/api/v1/rooms/{rid}/messages")
    assert status == 403
    status, _ = await eve.api.call("POST", f"/api/v1/rooms/{rid}/join")
    assert status == 403
    status, _ = await eve.api.call("POST", f"/api/v1/rooms/{rid}/members", {"user_id": eve.id})
    assert status == 403
    status, _ = await eve.api.call("POST", f"/api/v1/rooms/{rid}/read", {"seq": 1})
    assert status == 403
    for event, payload in [
        ("message:send", {"room_id": rid, "body": "let me in", "client_msg_id": "x" * 12}),
        ("history:fetch", {"room_id": rid}),
        ("room:join", {"room_id": rid}),
        ("typing", {"room_id": rid, "typing": True}),
        ("read", {"room_id": rid, "seq": 1}),
    ]:
        ack = await intruder.call(event, payload)
        assert ack["ok"] is False, event
        assert ack["error"]["code"] == "forbidden", (event, ack)
    synced = await intruder.call("sync", {"rooms": {str(rid): 0}})
    assert synced["rooms"][str(rid)]["messages"] == []
    assert synced["rooms"][str(rid)]["error"]["code"] == "forbidden"

    assert (await owner.send(rid, "for members only"))["ok"]
    await owner.call("typing", {"room_id": rid, "typing": True})
    await owner.wait_until(lambda: len(owner.messages(rid)) == 1)
    await intruder.fence(own["id"])

    def hers(event: dict[str, Any]) -> bool:  # the fence in her room, her own presence
        return event.get("room_id") == own["id"] or event.get("user", {}).get("id") == eve.id

    leaked = {name: [e for e in got if not hers(e)] for name, got in intruder.events.items()}
    assert not any(leaked.values()), leaked
    assert intruder.sio.connected


async def test_a_member_who_leaves_receives_nothing_more(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    api = api_at(app_url)
    alice, bob = await api.register(), await api.register()
    room = await alice.api.create_room("private")
    await alice.api.add_member(room["id"], bob.id)
    own = await bob.api.create_room("private", "bob's own")
    owner = await connect(app_url, alice.token)
    leaver = await connect(app_url, bob.token)
    assert (await owner.send(room["id"], "before"))["ok"]
    await leaver.wait_until(lambda: len(leaver.messages(room["id"])) == 1)
    assert (await leaver.call("room:leave", {"room_id": room["id"]})) == {"ok": True}
    assert (await owner.send(room["id"], "after"))["ok"]
    await owner.wait_until(lambda: len(owner.messages(room["id"])) == 2)
    await leaver.fence(own["id"])
    assert [m["body"] for m in leaver.messages(room["id"])] == ["before"]


async def test_a_member_added_while_connected_receives_at_once(
    app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    api = api_at(app_url)
    alice, bob = await api.register(), await api.register()
    room = await alice.api.create_room("private")
    owner = await connect(app_url, alice.token)
    newcomer = await connect(app_url, bob.token)
    await alice.api.add_member(room["id"], bob.id)
    await newcomer.wait_until(lambda: len(newcomer.events["room:member_joined"]) == 1)
    assert (await owner.send(room["id"], "welcome"))["ok"]
    await newcomer.wait_until(lambda: len(newcomer.messages(room["id"])) == 1)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "text",
        [],
        {},
        {"room_id": "1", "body": "x", "client_msg_id": "abcdefgh"},
        {"room_id": True, "body": "x", "client_msg_id": "abcdefgh"},
        {"room_id": 1.5, "body": "x", "client_msg_id": "abcdefgh"},
        {"room_id": 1, "body": "", "client_msg_id": "abcdefgh"},
        {"room_id": 1, "body": "   ", "client_msg_id": "abcdefgh"},
        {"room_id": 1, "body": "x" * 4001, "client_msg_id": "abcdefgh"},
        {"room_id": 1, "body": "x", "client_msg_id": "short"},
        {"room_id": 1, "body": "x", "client_msg_id": "bad id with spaces"},
        {"room_id": 2**70, "body": "x", "client_msg_id": "abcdefgh"},
    ],
)
async def test_bad_send_payloads_get_a_validation_error_ack(
    pg_app_url: str, api_at: Callable[[str], Api], payload: object, connect: Connect
) -> None:
    user = await api_at(pg_app_url).register()
    live = await connect(pg_app_url, user.token)
    ack = await live.call("message:send", payload)
    assert ack["ok"] is False
    assert ack["error"]["code"] in {"validation_error", "bad_request"}, ack
    assert live.sio.connected
