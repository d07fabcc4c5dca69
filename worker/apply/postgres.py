"""The PostgreSQL send store: a whole batch of sends in a fixed number of statements.

Same rule as the portable store (`portable.py`: rooms locked in id order, duplicates found under
the lock, `last_seq` advanced in the same transaction, senders not in the room refused under
the lock), but one statement per step for every
room of the batch instead of several per room: the round trips were the worker's cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.queue.envelope import InboundMessage
from backend.shapes.serialize import MESSAGE_COLUMNS, USER_COLUMNS, message_dict
from worker.apply.persist import NOT_FOUND, NOT_MEMBER, Stored

_COLUMNS = ", ".join(f"m.{c}" for c in MESSAGE_COLUMNS)
# The rooms locked, each with which of the batch's senders are its members, in one statement:
# a removal committed before it is seen, and one after it waits for nothing (it takes no room
# lock) but is later than every send stored here.
_LOCK = (
    "SELECT r.id, r.last_seq, ARRAY(SELECT m.user_id FROM memberships m"
    " WHERE m.room_id = r.id AND m.user_id = ANY($2::bigint[])) AS members"
    " FROM rooms r WHERE r.id = ANY($1::bigint[]) ORDER BY r.id FOR UPDATE OF r"
)
_EXISTING = (
    f"SELECT {_COLUMNS} FROM messages m"
    " JOIN unnest($1::bigint[], $2::bigint[], $3::text[]) AS k(r, u, c)"
    " ON m.room_id = k.r AND m.sender_id = k.u AND m.client_msg_id = k.c"
)
_INSERT = (
    "INSERT INTO messages"
    " (room_id, seq, sender_id, body, client_msg_id, source, reply_to_id, created_at, deleted)"
    " SELECT r, s, u, b, c, src, NULLIF(p, 0), $8, false FROM unnest("
    "$1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[]"
    ") AS t(r, s, u, b, c, src, p)"
    f" RETURNING {', '.join(MESSAGE_COLUMNS)}"
)
_ADVANCE = (
    "UPDATE rooms SET last_seq = t.s, last_activity_at = $3"
    " FROM unnest($1::bigint[], $2::bigint[]) AS t(id, s) WHERE rooms.id = t.id"
)
_SENDERS = f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE id = ANY($1::bigint[])"

Key = tuple[int, int, str]


class PostgresSends:
    async def store(self, tx: BaseDBAsyncClient, items: Sequence[InboundMessage]) -> list[Stored]:
        return await _store(tx, items)


async def _store(tx: BaseDBAsyncClient, items: Sequence[InboundMessage]) -> list[Stored]:
    rooms = sorted({i.room_id for i in items})
    locked = await tx.execute_query_dict(_LOCK, [rooms, sorted({i.sender_id for i in items})])
    last_seq = {row["id"]: row["last_seq"] for row in locked}
    members = {(row["id"], user_id) for row in locked for user_id in row["members"]}
    found = await _existing(tx, items)
    stored: dict[Key, Any] = {(r["room_id"], r["sender_id"], r["client_msg_id"]): r for r in found}
    fresh: dict[Key, InboundMessage] = {}
    for item in items:
        key = _key(item)
        if (item.room_id, item.sender_id) in members and key not in stored and key not in fresh:
            fresh[key] = item
    if fresh:
        now = datetime.now(UTC)
        columns: list[list[Any]] = [[], [], [], [], [], [], []]
        for item in fresh.values():
            last_seq[item.room_id] += 1
            row = (item.room_id, last_seq[item.room_id], item.sender_id, item.cleaned())
            extra = (item.client_msg_id, item.body.strip(), item.reply_to_id)
            for column, value in zip(columns, (*row, *extra), strict=True):
                column.append(value)
        # execute_query_dict fetches rows: plain execute_query drops an INSERT's RETURNING.
        inserted = await tx.execute_query_dict(_INSERT, [*columns, now])
        stored.update({(r["room_id"], r["sender_id"], r["client_msg_id"]): r for r in inserted})
        touched = sorted({i.room_id for i in fresh.values()})
        await tx.execute_query(_ADVANCE, [touched, [last_seq[r] for r in touched], now])
    users = await tx.execute_query_dict(_SENDERS, [sorted({i.sender_id for i in items})])
    senders = {u["id"]: u for u in users}
    results: list[Stored] = []
    created = set(fresh)
    for item in items:
        key = _key(item)
        if key not in stored:  # already stored is never refused: it was sent as a member
            results.append((None, False, NOT_FOUND if item.room_id not in last_seq else NOT_MEMBER))
            continue
        results.append((message_dict(stored[key], senders[item.sender_id]), key in created, None))
        created.discard(key)  # a twin inside the same batch is a duplicate
    return results


async def _existing(tx: BaseDBAsyncClient, items: Sequence[InboundMessage]) -> list[dict[str, Any]]:
    """The batch's sends already stored, planned for this very batch.

    An unnamed statement is planned with its parameters at every run. asyncpg's cached one
    would, after five runs, let PostgreSQL keep a generic plan: made while `messages` was
    small, it hashes the whole table (75-115 ms a batch at 100,000 rows, against 1-3 ms) until
    the next autoanalyze. The price is one round trip to prepare.
    """
    keys = (
        [i.room_id for i in items],
        [i.sender_id for i in items],
        [i.client_msg_id for i in items],
    )
    async with tx.acquire_connection() as connection:
        statement = await connection.prepare(_EXISTING, name=False)  # False: unnamed
        return [dict(row) for row in await statement.fetch(*keys)]


def _key(item: InboundMessage) -> Key:
    return (item.room_id, item.sender_id, item.client_msg_id)
