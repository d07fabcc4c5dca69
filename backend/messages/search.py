"""Full-text search over the caller's rooms (contract §6 "Search").

PostgreSQL: `messages.search`, a generated tsvector with a GIN index (the `search` migration),
queried with `websearch_to_tsquery` (words, "phrases", -exclusions) and `to_tsquery(... :*)`
for `term*` prefixes, which websearch syntax lacks. SQLite: the FTS5 table `messages_fts`, kept
by triggers. Both search what the author typed; only rooms the caller is a member of (a room they
left is out), never a deleted message, newest first, keyset-paged on the message id.

A query's cost is bounded before it runs (`check_cost`): its terms are deduplicated, their number
and the number of `term*` prefixes capped, and a prefix needs a few characters (each expands to
every indexed word it begins: `0* 1* … f*` took a second over 200k messages). On PostgreSQL the
statement also runs under `SET LOCAL statement_timeout`; past it the search answers
`validation_error` ("narrow the query"), never a 500. SQLite (embedded mode) has no statement
timeout: there the caps are the bound.
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.messages.enrich import enrich
from backend.messages.search_query import SearchTooSlow, check_cost, parse, timed_out
from backend.rooms.models import Membership, Message
from backend.settings.config import Settings
from backend.shapes.serialize import message_dict

__all__ = ["highlight", "parse", "search", "search_ids"]


def _pg_where(q: str, args: list[Any]) -> str | None:
    words, phrases, prefixes, excluded = parse(q)
    if not (words or phrases or prefixes):
        return None
    web = " ".join([*words, *(f'"{p}"' for p in phrases), *(f"-{e}" for e in excluded)])
    parts = []
    if web:
        args.append(web)
        parts.append(f"websearch_to_tsquery('simple', ${len(args)})")
    if prefixes:
        args.append(" & ".join(f"{p}:*" for p in prefixes))
        parts.append(f"to_tsquery('simple', ${len(args)})")
    return f"m.search @@ ({' && '.join(parts)})"


def _fts_match(q: str) -> str | None:
    words, phrases, prefixes, excluded = parse(q)
    if not (words or phrases or prefixes):
        return None
    positive = [f'"{t}"' for t in [*words, *phrases]] + [f'"{p}"*' for p in prefixes]
    return " AND ".join(positive) + "".join(f' NOT "{e}"' for e in excluded)


async def search_ids(
    user_id: int,
    q: str,
    *,
    room_id: int | None,
    before_id: int | None,
    limit: int,
    timeout_ms: int = 0,
) -> list[int]:
    if connections.get("default").capabilities.dialect != "postgres":
        return await _sqlite_ids(user_id, q, room_id=room_id, before_id=before_id, limit=limit)
    try:
        return await _postgres_ids(
            user_id, q, room_id=room_id, before_id=before_id, limit=limit, timeout_ms=timeout_ms
        )
    except Exception as exc:
        if not timed_out(exc):
            raise
        raise SearchTooSlow(
            "search took too long", details={"q": ["too costly: use longer or fewer terms"]}
        ) from exc


async def _postgres_ids(
    user_id: int,
    q: str,
    *,
    room_id: int | None,
    before_id: int | None,
    limit: int,
    timeout_ms: int,
) -> list[int]:
    """The caller's rooms first, as an array: one scan of the GIN index, then the newest matches
    of those rooms (a join made the planner scan the index once per room: seconds at 1M rows)."""
    async with in_transaction() as conn:
        mine = Membership.filter(user_id=user_id).using_db(conn)
        if room_id is not None:
            mine = mine.filter(room_id=room_id)
        rooms: list[int] = await mine.values_list("room_id", flat=True)  # type: ignore[assignment]
        args: list[Any] = [rooms]
        where = _pg_where(q, args)
        if not rooms or where is None:
            return []
        # Only placeholders and fixed column names are formatted into the SQL; values are arguments.
        sql = (
            "SELECT m.id FROM messages m"  # noqa: S608
            f" WHERE m.room_id = ANY($1::bigint[]) AND NOT m.deleted AND {where}"
        )
        if before_id is not None:
            args.append(before_id)
            sql += f" AND m.id < ${len(args)}"
        args.append(limit)
        sql += f" ORDER BY m.id DESC LIMIT ${len(args)}"
        # A prepared statement gets a generic plan after five runs, blind to how common the words
        # are: it scanned the whole table backwards for rare ones (seconds). Plan each search.
        await conn.execute_query("SET LOCAL plan_cache_mode = force_custom_plan")
        if timeout_ms > 0:  # SET takes no parameters: an int, formatted
            await conn.execute_query(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        rows = await conn.execute_query_dict(sql, args)
    return [int(r["id"]) for r in rows]


async def _sqlite_ids(
    user_id: int, q: str, *, room_id: int | None, before_id: int | None, limit: int
) -> list[int]:
    match = _fts_match(q)
    if match is None:
        return []
    args: list[Any] = [user_id, match]
    # Only placeholders and fixed column names are formatted into the SQL; values are arguments.
    sql = (
        "SELECT m.id FROM messages m JOIN memberships mb"
        " ON mb.room_id = m.room_id AND mb.user_id = ?"
        " WHERE NOT m.deleted"
        " AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"
    )
    for column, op, value in (("room_id", "=", room_id), ("id", "<", before_id)):
        if value is not None:
            args.append(value)
            sql += f" AND m.{column} {op} ?"
    args.append(limit)
    sql += " ORDER BY m.id DESC LIMIT ?"
    rows = await connections.get("default").execute_query_dict(sql, args)
    return [int(r["id"]) for r in rows]


def highlight(body: str, q: str) -> str:
    """The body with each match of the query's terms wrapped in `<mark>`, outside tags."""
    words, phrases, prefixes, _ = parse(q)
    terms = [re.escape(t) for t in [*words, *phrases]]
    stems = [re.escape(p) + r"\w*" for p in prefixes]
    if not terms and not stems:
        return body
    pattern = re.compile(r"(?<!\w)(" + "|".join([*terms, *stems]) + r")(?!\w)", re.I)
    parts = re.split(r"(<[^>]*>)", body)
    marked = [p if p.startswith("<") else pattern.sub(r"<mark>\1</mark>", p) for p in parts]
    tags = {"b", "i", "em", "strong", "code", "pre", "a", "blockquote", "ul", "ol", "li"}
    return nh3.clean(
        "".join(marked),
        tags=tags | {"del", "br", "mark"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )


async def search(
    user_id: int,
    q: str,
    *,
    room_id: int | None,
    before_id: int | None,
    limit: int,
    settings: Settings,
) -> dict[str, Any]:
    check_cost(q, settings)
    ids = await search_ids(
        user_id,
        q,
        room_id=room_id,
        before_id=before_id,
        limit=limit + 1,
        timeout_ms=settings.search_timeout_ms,
    )
    found = {
        m.id: m for m in await Message.filter(id__in=ids[:limit]).select_related("sender", "room")
    }
    ordered = [found[i] for i in ids[:limit] if i in found]
    messages = await enrich([message_dict(m, m.sender) for m in ordered])
    results = [
        {
            "message": message,
            "room": {"id": m.room.id, "name": m.room.name, "kind": m.room.kind},
            "highlight": highlight(message["body"], q),
        }
        for m, message in zip(ordered, messages, strict=True)
    ]
    return {"results": results, "has_more": len(ids) > limit}
