"""Invites and who may register (contract §7.1): an admin's invites, registration `open`,
`invite` and `closed` with their 403 reasons, the invite's rooms joined (their members told),
and exactly `max_uses` registrations through one code however many come at once. Each test
has an installation of its own, both ways (`fresh_install`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.clients import Api, Live, User, new_name
from tests.support.installs import HeldInserts, Installation

pytestmark = [pytest.mark.integration, pytest.mark.seconds(65)]

FreshInstall = Callable[..., Awaitable[Installation]]
INVITES = "/api/v1/admin/invites"


def assert_refused(status: int, body: Any, expected: int, code: str) -> None:
    """A refusal in the §1 envelope, and nothing else."""
    assert status == expected, body
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body


async def _register(api: Api, code: str | None = None, name: str | None = None) -> tuple[int, Any]:
    body: dict[str, Any] = {"username": name or new_name(), "password": "password123"}
    if code is not None:
        body["invite_code"] = code
    return await api.call("POST", "/api/v1/auth/register", body)


def _refused_for(result: tuple[int, Any], reason: str) -> None:
    assert_refused(*result, 403, "forbidden")
    assert result[1]["error"]["details"] == {"reason": reason}


async def _invite(admin: User, **body: Any) -> dict[str, Any]:
    _, invite = await admin.api.call("POST", INVITES, body, expect=201)
    return invite  # type: ignore[no-any-return]


async def _uses(admin: User, invite_id: int) -> int:
    _, listed = await admin.api.call("GET", INVITES, expect=200)
    return next(int(i["uses"]) for i in listed["invites"] if i["id"] == invite_id)


async def test_an_admin_creates_lists_and_deletes_invites(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    api = api_at((await fresh_install()).url)
    admin, member, stranger = await api.register(), await api.register(), await api.register()
    public, private = await admin.api.create_room("public"), await admin.api.create_room()
    others = await stranger.api.create_room()
    _, dm = await admin.api.call("POST", "/api/v1/dms", {"user_id": member.id}, expect=200)
    before = datetime.now(UTC)
    status, plain = await admin.api.call("POST", INVITES)  # no body: every default
    assert status == 201
    code = plain.pop("code")
    assert len(code) >= 32
    assert plain.pop("url") == f"/#/register?invite={code}"
    expires = datetime.fromisoformat(plain.pop("expires_at"))
    assert timedelta(days=7) <= expires - before < timedelta(days=7, minutes=1)
    assert plain == {
        "id": plain["id"],
        "max_uses": 1,
        "uses": 0,
        "room_ids": [],
        "created_by": admin.auth["user"],
    }
    rooms = [public["id"], private["id"], public["id"]]
    many = await _invite(admin, max_uses=1000, expires_in=60, room_ids=rooms)
    assert (many["max_uses"], many["room_ids"]) == (1000, [public["id"], private["id"]])
    _, listed = await admin.api.call("GET", INVITES, expect=200)
    assert [set(i) for i in listed["invites"]] == [set(plain) | {"expires_at"}] * 2
    assert [i["id"] for i in listed["invites"]] == [many["id"], plain["id"]]  # newest first
    for bad, field in (
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses": 1001}, "max_uses"),
        ({"max_uses": "2"}, "max_uses"),
        ({"expires_in": 59}, "expires_in"),
        ({"expires_in": 365 * 24 * 3600 + 1}, "expires_in"),
        ({"room_ids": [dm["id"]]}, "room_ids"),
        ({"room_ids": [others["id"]]}, "room_ids"),  # private, and the admin is not in it
        ({"room_ids": [999_999]}, "room_ids"),
        ({"room_ids": ["x"]}, "room_ids"),
        ({"room_ids": list(range(1, 102))}, "room_ids"),
    ):
        status, body = await admin.api.call("POST", INVITES, bad)
        assert_refused(status, body, 422, "validation_error")
        assert set(body["error"]["details"]) == {field}, body
    assert_refused(*await admin.api.call("POST", INVITES, [1]), 400, "bad_request")
    for user, expected, error in ((member, 403, "forbidden"), (api, 401, "unauthorized")):
        client = user.api if isinstance(user, User) else user
        assert_refused(*await client.call("POST", INVITES, {}), expected, error)
        assert_refused(*await client.call("GET", INVITES), expected, error)
        assert_refused(*await client.call("DELETE", f"{INVITES}/{plain['id']}"), expected, error)
    assert (await admin.api.call("DELETE", f"{INVITES}/{plain['id']}"))[0] == 204
    _, listed = await admin.api.call("GET", INVITES, expect=200)
    assert [i["id"] for i in listed["invites"]] == [many["id"]]
    for gone in (plain["id"], 999_999, "x"):
        assert_refused(*await admin.api.call("DELETE", f"{INVITES}/{gone}"), 404, "not_found")


async def test_registration_follows_the_workspace_mode_and_its_invites(
    fresh_install: FreshInstall, api_at: Callable[[str], Api], connect: Any
) -> None:
    install = await fresh_install(registration="invite")
    api = api_at(install.url)
    admin = await api.register()  # an empty installation admits its first account
    room = await admin.api.create_room()
    live: Live = await connect(install.url, admin.token)
    _refused_for(await _register(api), "invite_required")
    _refused_for(await _register(api, "no-such-code"), "invite_invalid")
    for bad in ("", 5, "x" * 129):
        status, body = await _register(api, bad)  # type: ignore[arg-type]
        assert_refused(status, body, 422, "validation_error")
        assert set(body["error"]["details"]) == {"invite_code"}
    invite = await _invite(admin, max_uses=2, room_ids=[room["id"]])
    taken = await _register(api, invite["code"], name=admin.name)  # a failed one uses nothing
    assert_refused(*taken, 409, "conflict")
    status, joined = await _register(api, invite["code"])
    assert status == 201
    assert joined["user"]["is_admin"] is False
    await live.wait_until(lambda: bool(live.events["room:member_joined"]))
    assert live.events["room:member_joined"] == [{"room_id": room["id"], "user": joined["user"]}]
    newcomer = api.as_user(joined["access_token"])
    _, rooms = await newcomer.call("GET", "/api/v1/rooms", expect=200)
    assert [(r["id"], r["role"]) for r in rooms["rooms"]] == [(room["id"], "member")]
    assert (await _register(api, invite["code"]))[0] == 201
    _refused_for(await _register(api, invite["code"]), "invite_invalid")  # used up
    assert await _uses(admin, invite["id"]) == 2
    expired, deleted = await _invite(admin), await _invite(admin)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await install.sql("UPDATE invites SET expires_at = $1 WHERE id = $2", past, expired["id"])
    _refused_for(await _register(api, expired["code"]), "invite_invalid")
    await admin.api.call("DELETE", f"{INVITES}/{deleted['id']}", expect=204)
    _refused_for(await _register(api, deleted["code"]), "invite_invalid")
    # Open: anyone registers, an invite still adds its rooms, a bad code is still refused.
    await admin.api.call("PATCH", "/api/v1/admin/workspace", {"registration": "open"}, expect=200)
    assert (await _register(api))[0] == 201
    _refused_for(await _register(api, "no-such-code"), "invite_invalid")
    valid = await _invite(admin, room_ids=[room["id"]])
    assert (await _register(api, valid["code"]))[0] == 201
    _, members = await admin.api.call("GET", f"/api/v1/rooms/{room['id']}/members", expect=200)
    assert len(members["members"]) == 4
    # Closed: nobody, an invite neither (and its use is not taken).
    await admin.api.call("PATCH", "/api/v1/admin/workspace", {"registration": "closed"}, expect=200)
    last = await _invite(admin)
    _refused_for(await _register(api), "registration_closed")
    _refused_for(await _register(api, last["code"]), "registration_closed")
    assert await _uses(admin, last["id"]) == 0


async def test_an_invite_used_by_more_registrations_at_once_admits_exactly_max_uses(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    install = await fresh_install(registration="invite")
    api = api_at(install.url)
    admin = await api.register()
    invite = await _invite(admin, max_uses=3)
    async with HeldInserts(install) as held:  # every registration reaches the invite first
        racing = [asyncio.create_task(_register(api, invite["code"])) for _ in range(8)]
        await held.until_waiting(len(racing))
    results = await asyncio.gather(*racing)
    assert sorted(status for status, _ in results) == [201] * 3 + [403] * 5
    for result in results:
        if result[0] == 403:
            _refused_for(result, "invite_invalid")
    assert await _uses(admin, invite["id"]) == 3
