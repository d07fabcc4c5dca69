"""Workspace administration (contract §7.1): the first account is the admin, admins name
admins (the last active one stays), the workspace's settings, and admin routes that tell a
non-admin nothing. Each test has an installation of its own, both ways (`fresh_install`)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.support.clients import Api, Live, User, new_name
from tests.support.installs import HeldInserts, Installation
from tests.support.procs import JWT_SECRET, ROOT, chatty, clean_env

pytestmark = [pytest.mark.integration, pytest.mark.seconds(75)]

FreshInstall = Callable[..., Awaitable[Installation]]
USER_KEYS = {"id", "username", "display_name", "created_at", "avatar_url"}
USER_KEYS |= {"is_admin", "is_bot", "deactivated"}


def assert_refused(status: int, body: Any, expected: int, code: str) -> None:
    """A refusal in the §1 envelope, and nothing else."""
    assert status == expected, body
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)


async def test_the_first_account_is_the_admin_and_the_next_ones_are_not(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    api = api_at((await fresh_install()).url)
    first, second = await api.register(), await api.register()
    assert set(first.auth["user"]) == USER_KEYS
    assert first.auth["user"]["is_admin"] is True
    assert (second.auth["user"]["is_admin"], second.auth["user"]["is_bot"]) == (False, False)
    assert second.auth["user"]["deactivated"] is False
    _, me = await second.api.call("GET", "/api/v1/users/me", expect=200)
    assert me == second.auth["user"]


async def test_two_first_registrations_at_once_make_exactly_one_admin(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    install = await fresh_install()
    api = api_at(install.url)
    async with HeldInserts(install) as held:
        racing = [asyncio.create_task(api.register()) for _ in range(6)]
        await held.until_waiting(len(racing))
    users = await asyncio.gather(*racing)
    assert sorted(u.auth["user"]["is_admin"] for u in users) == [False] * 5 + [True]


async def test_a_closed_or_invite_only_installation_still_admits_its_first_account(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    """Nobody could invite anyone before there is an admin."""
    api = api_at((await fresh_install(registration="closed")).url)
    admin = await api.register()
    assert admin.auth["user"]["is_admin"] is True
    status, body = await api.call(
        "POST", "/api/v1/auth/register", {"username": new_name(), "password": "password123"}
    )
    assert_refused(status, body, 403, "forbidden")
    assert body["error"]["details"] == {"reason": "registration_closed"}


async def test_the_workspace_is_public_and_only_an_admin_changes_it(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    api = api_at((await fresh_install(registration="invite")).url)
    admin = await api.register()
    status, workspace = await api.call("GET", "/api/v1/workspace")  # no token
    assert status == 200
    assert workspace == {
        "name": "chatty",
        "registration": "invite",  # CHATTY_REGISTRATION, until an admin chooses
        "retention_days": None,
        "limits": {
            "message_max_chars": 4000,
            "max_upload_bytes": 25 * 1024 * 1024,
            "max_attachments": 10,
            "upload_quota_bytes": 1024**3,
            "room_name_max_chars": 80,
            "topic_max_chars": 250,
        },
    }
    change = {"name": "  <b>Acme</b> team ", "registration": "open", "retention_days": 30}
    status, changed = await admin.api.call("PATCH", "/api/v1/admin/workspace", change)
    assert status == 200
    expected = {**workspace, "name": "Acme team", "registration": "open", "retention_days": 30}
    assert changed == expected
    assert (await api.call("GET", "/api/v1/workspace"))[1] == expected
    member = await api.register()  # open now
    status, changed = await admin.api.call(
        "PATCH", "/api/v1/admin/workspace", {"retention_days": None}
    )
    assert (status, changed["retention_days"], changed["name"]) == (200, None, "Acme team")
    for bad in (
        {"name": ""},
        {"name": "<b></b>"},
        {"name": "x" * 81},
        {"registration": "sometimes"},
        {"retention_days": 0},
        {"retention_days": "30"},
        {"retention_days": 1.5},
    ):
        status, body = await admin.api.call("PATCH", "/api/v1/admin/workspace", bad)
        assert_refused(status, body, 422, "validation_error")
        assert set(body["error"]["details"]) == set(bad), body
    status, body = await admin.api.call("PATCH", "/api/v1/admin/workspace", [1])
    assert_refused(status, body, 400, "bad_request")
    status, body = await member.api.call("PATCH", "/api/v1/admin/workspace", {"name": "Mine"})
    assert_refused(status, body, 403, "forbidden")
    status, body = await api.call("PATCH", "/api/v1/admin/workspace", {"name": "Mine"})
    assert_refused(status, body, 401, "unauthorized")
    assert (await api.call("GET", "/api/v1/workspace"))[1] == {**expected, "retention_days": None}


async def test_admins_name_admins_and_the_last_active_one_stays(
    fresh_install: FreshInstall, api_at: Callable[[str], Api], connect: Any
) -> None:
    install = await fresh_install()
    api = api_at(install.url)
    admin, member = await api.register(), await api.register()
    room = await admin.api.create_room()
    await admin.api.add_member(room["id"], member.id)
    mate: Live = await connect(install.url, admin.token)

    async def make(user: User, target: int | str, is_admin: Any) -> tuple[int, Any]:
        body = {"is_admin": is_admin}
        return await user.api.call("PATCH", f"/api/v1/admin/users/{target}", body)

    assert_refused(*await make(admin, admin.id, False), 409, "conflict")  # the last one
    status, promoted = await make(admin, member.id, True)
    assert (status, promoted) == (200, {**member.auth["user"], "is_admin": True})
    await mate.wait_until(lambda: bool(mate.events["user:updated"]))  # room-mates are told
    assert mate.events["user:updated"] == [promoted]
    assert (await make(member, member.id, True)) == (200, promoted)  # already one: unchanged
    status, demoted = await make(member, admin.id, False)  # another admin remains
    assert (status, demoted["is_admin"]) == (200, False)
    assert_refused(*await make(member, member.id, False), 409, "conflict")
    assert_refused(*await make(member, 999_999, True), 404, "not_found")
    assert_refused(*await make(member, "x", True), 404, "not_found")
    for bad in ("yes", 1, None):
        status, body = await make(member, admin.id, bad)
        assert_refused(status, body, 422, "validation_error")
        assert set(body["error"]["details"]) == {"is_admin"}
    status, body = await member.api.call("PATCH", f"/api/v1/admin/users/{admin.id}", {})
    assert_refused(status, body, 422, "validation_error")
    # The one who is no longer an admin learns nothing of what exists.
    for target, value in ((member.id, False), (999_999, True), ("x", True), (member.id, "yes")):
        assert_refused(*await make(admin, target, value), 403, "forbidden")
    await mate.wait_until(lambda: len(mate.events["user:updated"]) == 2)
    assert mate.events["user:updated"] == [promoted, demoted]


async def test_admin_paths_tell_a_non_admin_nothing_of_what_exists(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    api = api_at((await fresh_install()).url)
    admin, member = await api.register(), await api.register()
    probes = [
        ("GET", "/api/v1/admin/no-such-thing"),
        ("PUT", "/api/v1/admin/workspace"),
        ("GET", "/api/v1/admin/users/1"),
        ("POST", "/api/v1/admin/invites/1"),
        ("DELETE", "/api/v1/admin/invites/999999"),
        ("GET", "/api/v1/admin/invites"),
    ]
    for method, path in probes:
        assert_refused(*await member.api.call(method, path), 403, "forbidden")
        assert_refused(*await api.call(method, path), 401, "unauthorized")
    for method, path in probes[:4]:  # an admin is told they do not exist
        assert_refused(*await admin.api.call(method, path), 404, "not_found")


def _admin_command(install: Installation, change: str, username: str) -> tuple[int, str]:
    env = clean_env(
        {
            "DATABASE_URL": install.database_url,
            "JWT_SECRET": JWT_SECRET,
            "CHATTY_LOG_FORMAT": "json",
        }
    )
    done = subprocess.run(
        chatty("admin", change, username),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


async def test_chatty_admin_grants_and_revokes_with_the_same_rule(
    fresh_install: FreshInstall, api_at: Callable[[str], Api]
) -> None:
    install = await fresh_install()
    api = api_at(install.url)
    first, other = await api.register(), await api.register()

    async def is_admin(user: User) -> bool:
        return bool((await user.api.call("GET", "/api/v1/users/me", expect=200))[1]["is_admin"])

    assert _admin_command(install, "grant", other.name.upper()) == (
        0,
        f"{other.name} is now an admin\n",
    )
    assert await is_admin(other)
    assert _admin_command(install, "grant", other.name)[1] == f"{other.name} was already an admin\n"
    assert _admin_command(install, "revoke", first.name) == (
        0,
        f"{first.name} is no longer an admin\n",
    )
    assert not await is_admin(first)
    assert _admin_command(install, "revoke", first.name)[1] == f"{first.name} was not an admin\n"
    status, output = _admin_command(install, "revoke", other.name)
    assert (status, output) == (1, "chatty: the last active admin cannot be demoted\n")
    assert await is_admin(other)
    status, output = _admin_command(install, "grant", "nobody-here")
    assert (status, output) == (1, "chatty: user not found\n")
