"""An installation made before workspace administration gets its admin from `chatty migrate`
(both dialects): the data step names the earliest account (by `created_at`, then id) the
workspace admin, and makes the workspace's settings row; everyone else stays as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from backend.accounts.tokens import issue_access
from tests.support.clients import Api
from tests.support.old_schema import chatty_on, migrate_before, sql
from tests.support.procs import JWT_SECRET, Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(35)]

T = "'2026-01-01 00:00:0{}+00:00'"
# Account 1 is the newest; 2 and 3 were made at the same, earliest, moment: the lower id wins.
_USERS = [
    "INSERT INTO users (id, username, display_name, password_hash, recovery_hash,"
    f" session_version, created_at) VALUES ({i}, 'old{i}', 'Old {i}', 'x', 'x', 0, {T.format(t)})"
    for i, t in ((1, 3), (2, 1), (3, 1), (4, 2))
]
_PG_SEQUENCE = "SELECT setval(pg_get_serial_sequence('users', 'id'), 100)"


async def test_the_earliest_account_becomes_the_admin_of_a_migrated_installation(
    old_database: str, tmp_path: Path, api_at: Callable[[str], Api]
) -> None:
    migrate_before(old_database, "workspace")
    postgres = not old_database.startswith("sqlite")
    await sql(old_database, [*_USERS, *([_PG_SEQUENCE] if postgres else []), "SELECT 1"])
    chatty_on(old_database, "migrate")
    rows = await sql(old_database, ["SELECT id, is_admin, is_bot, deactivated FROM users"])
    flags = {user_id: tuple(map(bool, rest)) for user_id, *rest in rows}
    assert flags == {
        1: (False, False, False),
        2: (True, False, False),
        3: (False, False, False),
        4: (False, False, False),
    }
    workspace = await sql(old_database, ["SELECT id, name, registration FROM workspace"])
    assert workspace == [(1, "chatty", None)]
    env = {"DATABASE_URL": old_database, "JWT_SECRET": JWT_SECRET}
    cluster = Cluster.embedded(tmp_path, **env)
    try:
        api = api_at(cluster.gateway(command="run").url)
        admin, other = (
            api.as_user(issue_access(JWT_SECRET, user_id=u, session_version=0, ttl=600))
            for u in (2, 1)
        )
        _, me = await admin.call("GET", "/api/v1/users/me", expect=200)
        assert (me["id"], me["is_admin"]) == (2, True)
        change = {"registration": "invite"}
        status, _ = await other.call("PATCH", "/api/v1/admin/workspace", change)
        assert status == 403
        _, changed = await admin.call("PATCH", "/api/v1/admin/workspace", change, expect=200)
        assert changed["registration"] == "invite"
        _, invite = await admin.call("POST", "/api/v1/admin/invites", {}, expect=201)
        newcomer = {"username": "newcomer", "password": "password123"}
        _, joined = await api.call(
            "POST", "/api/v1/auth/register", {**newcomer, "invite_code": invite["code"]}
        )
        assert (joined["user"]["id"], joined["user"]["is_admin"]) == (101 if postgres else 5, False)
    finally:
        cluster.stop()
