"""The room list's per-room `mention_count`, for every room of the caller in one statement.

`GET /api/v1/rooms` once counted each unread room's mentions with a query of its own: a user in
500 rooms with unread mentions cost 500 round trips per listing. The count is one grouped
statement now, joining the caller's Mention rows to their read markers (the index on
`mentions (user_id, room_id, seq)` serves it), on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from tortoise import connections


async def unread_mention_counts(user_id: int, room_ids: Sequence[int]) -> dict[int, int]:
    """Per room of `room_ids` the user is in: their mentions (and replies to them) past their
    read marker; rooms with none are left out."""
    if not room_ids:
        return {}
    conn = connections.get("default")
    ids = [int(r) for r in room_ids]
    if conn.capabilities.dialect == "postgres":
        placeholders, args = "$1", [user_id, ids]
        in_rooms = "mn.room_id = ANY($2::bigint[])"
    else:
        placeholders, args = "?", [user_id, *ids]
        in_rooms = f"mn.room_id IN ({', '.join('?' * len(ids))})"
    # Only placeholders and fixed column names are formatted into the SQL; values are arguments.
    sql = (
        "SELECT mn.room_id AS room_id, COUNT(*) AS n FROM mentions mn"  # noqa: S608
        " JOIN memberships mb ON mb.room_id = mn.room_id AND mb.user_id = mn.user_id"
        f" WHERE mn.user_id = {placeholders} AND {in_rooms} AND mn.seq > mb.last_read_seq"
        " GROUP BY mn.room_id"
    )
    rows = await conn.execute_query_dict(sql, args)
    return {int(row["room_id"]): int(row["n"]) for row in rows}
