"""A database made with the schema before roles keeps every room usable, with an owner, once
`chatty migrate` has run (both dialects): the migration's data step names the earliest member
of each room its owner (the creator was never recorded); a DM gets no roles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from backend.accounts.tokens import issue_access
from tests.support.clients import Api, Live
from tests.support.old_schema import chatty_on, migrate_before, sql
from tests.support.procs import JWT_SECRET, Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(35)]

T = "'2026-01-01 00:00:0{}+00:00'"
# users 1-4; room 1 public (user 2 joined after user 1), room 2 private (users 3 and 4 joined at
# the same moment: the lower membership id wins), room 3 a DM between 1 and 2 where only 1
# wrote, room 4 private and empty (everyone left).
_ROWS = [
    *(
        "INSERT INTO users (id, username, display_name, password_hash, recovery_hash,"
        " session_version, created_at)"
        f" VALUES ({i}, 'old{i}', 'Old {i}', 'x', 'x', 0, {T.format(0)})"
        for i in range(1, 5)
    ),
    *(
        "INSERT INTO rooms (id, kind, name, dm_key, last_seq, created_at, last_activity_at)"
        f" VALUES ({i}, '{kind}', '{name}', {key}, {seq}, {T.format(0)}, {T.format(0)})"
        for i, kind, name, key, seq in (
            (1, "public", "lobby", "NULL", 1),
            (2, "private", "team", "NULL", 0),
            (3, "dm", "direct message", "'1:2'", 1),
            (4, "private", "empty", "NULL", 0),
        )
    ),
    *(
        "INSERT INTO memberships (id, last_read_seq, joined_at, room_id, user_id)"
        f" VALUES ({mid}, 0, {T.format(t)}, {room}, {user})"
        for mid, room, user, t in (
            (1, 1, 2, 5),
            (2, 1, 1, 1),
            (3, 2, 3, 3),
            (4, 2, 4, 3),
            (5, 3, 1, 2),
            (6, 3, 2, 2),
        )
    ),
    *(
        "INSERT INTO messages (id, seq, body, client_msg_id, created_at, deleted, room_id,"
        f" sender_id) VALUES ({mid}, 1, 'hi', 'client-{mid:04d}', {T.format(6)}, false, {room},"
        f" {sender})"
        for mid, room, sender in ((1, 1, 2), (2, 3, 1))
    ),
]
# PostgreSQL's id sequences do not see explicit ids: move them past the rows above.
_PG_SEQUENCES = [
    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"
    for table in ("users", "rooms", "memberships", "messages")
]
# membership id → (role, accepted) after the migration
EXPECTED = {
    1: ("member", True),
    2: ("owner", True),
    3: ("owner", True),
    4: ("member", True),
    5: ("member", True),
    6: ("member", False),
}


async def test_every_room_keeps_working_with_an_owner_after_the_roles_migration(
    old_database: str, tmp_path: Path, api_at: Callable[[str], Api]
) -> None:
    (tmp_path / "data").mkdir(exist_ok=True)
    migrate_before(old_database, "roles")
    postgres = not old_database.startswith("sqlite")
    await sql(old_database, [*_ROWS, *(_PG_SEQUENCES if postgres else []), "SELECT 1"])
    chatty_on(old_database, "migrate")
    rows = await sql(old_database, ["SELECT id, role, accepted FROM memberships ORDER BY id"])
    assert {mid: (role, bool(accepted)) for mid, role, accepted in rows} == EXPECTED
    topics = await sql(old_database, ["SELECT DISTINCT topic FROM rooms"])
    assert topics == [("",)]
    # The migrated database serves: the owner runs the room, a member writes in it.
    env = {"DATABASE_URL": old_database, "JWT_SECRET": JWT_SECRET}
    gateway = Cluster.embedded(tmp_path, **env).gateway(command="run")
    try:
        owner, member = (
            api_at(gateway.url).as_user(
                issue_access(JWT_SECRET, user_id=u, session_version=0, ttl=600)
            )
            for u in (1, 2)
        )
        _, room = await owner.call("PATCH", "/api/v1/rooms/1", {"topic": "migrated"}, expect=200)
        assert (room["role"], room["topic"], room["member_count"]) == ("owner", "migrated", 2)
        status, _ = await member.call("PATCH", "/api/v1/rooms/1", {"topic": "mine"})
        assert status == 403
        live = await Live.connect(gateway.url, member.token or "")
        try:
            assert (await live.send(1, "after the migration"))["ok"]
            await live.wait_until(lambda: len(live.messages(1)) == 1)
            assert live.messages(1)[0]["seq"] == 2
        finally:
            await live.close()
        _, dm = await member.call("POST", "/api/v1/dms", {"user_id": 1}, expect=200)
        assert (dm["id"], dm["role"]) == (3, "member")
    finally:
        gateway.terminate()
