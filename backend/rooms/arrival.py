"""What a socket's connect reads, in one round trip: the ORM's four queries (the user, their
rooms, their presence peers, those peers' blocks and rows) were most of a handshake's cost.

The peers follow `visibility.presence_peers`' rule (a room both chose, no block either way);
`tests/unit/test_visibility.py` holds the two readings together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import connections

from backend.accounts.models import User
from backend.rooms.visibility import PEERS_MAX
from backend.shapes.serialize import USER_COLUMNS

_USER = ", ".join(USER_COLUMNS)
_NO_USER = ", ".join(["NULL"] * len(USER_COLUMNS))
# One row per thing read, told apart by `kind`. Only constants are formatted into the SQL; the
# user id is its one argument.
_SQL = (
    f"SELECT 'self' AS kind, NULL AS room_id, {_USER}, session_version"  # noqa: S608
    " FROM users WHERE id = $1"
    " UNION ALL"
    f" SELECT 'room', room_id, {_NO_USER}, NULL"
    " FROM memberships WHERE user_id = $1"
    " UNION ALL"
    f" SELECT 'peer', NULL, {_USER}, NULL FROM users"
    " WHERE id IN (SELECT DISTINCT p.user_id FROM memberships p WHERE p.accepted"
    " AND p.user_id <> $1 AND p.room_id IN"
    " (SELECT room_id FROM memberships WHERE user_id = $1 AND accepted)"
    f" LIMIT {PEERS_MAX})"
    " AND id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = $1)"
    " AND id NOT IN (SELECT blocker_id FROM blocks WHERE blocked_id = $1)"
)


@dataclass(frozen=True, slots=True)
class Arrival:
    user: User | None
    """The user (no secrets read), None if the account is gone."""
    rooms: list[int]
    """Every room the user is in: the socket enters each one's channel."""
    peers: list[User]
    """`presence_peers(user_id)` as users (no secrets read), online or not."""


async def arrival(user_id: int) -> Arrival:
    conn = connections.get("default")
    sql = _SQL if conn.capabilities.dialect == "postgres" else _SQL.replace("$1", "?1")
    rows = await conn.execute_query_dict(sql, [user_id])
    users: dict[str, list[User]] = {"self": [], "peer": []}
    rooms: list[int] = []
    for row in rows:
        if row["kind"] == "room":
            rooms.append(int(row["room_id"]))
        else:
            users[row["kind"]].append(_user(row))
    return Arrival(user=next(iter(users["self"]), None), rooms=rooms, peers=users["peer"])


def _user(row: dict[str, Any]) -> User:
    """A partial `User` (saving it would fail, as it should: this is a read for the socket)."""
    skip = ("kind", "room_id") if row["kind"] == "self" else ("kind", "room_id", "session_version")
    return User._init_from_db(**{k: v for k, v in row.items() if k not in skip})
