"""History pages on (room_id, seq), the latest one read through the recent-messages cache."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError

from backend.messages.enrich import enrich
from backend.messages.recent import RecentCache
from backend.messages.replies import replies_page
from backend.rooms.members import require_member
from backend.rooms.models import Message, Room
from backend.shapes.errors import AppError
from backend.shapes.jsonutil import dumpb
from backend.shapes.serialize import message_dict

Page = tuple[list[dict[str, Any]], bool]


async def history(
    room_id: int, *, before_seq: int | None, after_seq: int | None, limit: int
) -> Page:
    """A keyset page, ascending; `has_more` says more exist past the page."""
    query = Message.filter(room_id=room_id).select_related("sender")
    if after_seq is not None:
        query = query.filter(seq__gt=after_seq)
        if before_seq is not None:
            query = query.filter(seq__lt=before_seq)
        rows = await query.order_by("seq").limit(limit + 1)
        page = list(rows[:limit])
    else:
        if before_seq is not None:
            query = query.filter(seq__lt=before_seq)
        rows = await query.order_by("-seq").limit(limit + 1)
        page = list(reversed(rows[:limit]))
    return await enrich([message_dict(m, m.sender) for m in page]), len(rows) > limit


async def read_history(
    room: Room,
    *,
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
    cache: RecentCache,
    replies_to: int | None = None,
    around_seq: int | None = None,
) -> Page:
    """`history`, with the latest page (no cursor) served by the recent-messages cache;
    `replies_to`: only the replies to that message (after `after_seq`), ascending."""
    if around_seq is not None:
        return await around(room.id, around_seq, limit=limit)
    if replies_to is not None:
        replies, more = await replies_page(room.id, replies_to, after_seq=after_seq, limit=limit)
        return await enrich(replies), more
    if before_seq is not None or after_seq is not None:
        return await history(room.id, before_seq=before_seq, after_seq=after_seq, limit=limit)
    try:
        page = await cache.latest(room.id, last_seq=room.last_seq, count=limit)
    except (RedisError, OSError):
        page = None
    if page is not None:
        return page, bool(page) and page[0]["seq"] > 1
    messages, has_more = await history(room.id, before_seq=None, after_seq=None, limit=limit)
    with contextlib.suppress(RedisError, OSError):
        await cache.put(messages, replace=False)  # committed rows: safe to cache
    return messages, has_more


async def around(room_id: int, seq: int, *, limit: int) -> Page:
    """`limit` messages centred on `seq` (it included), ascending."""
    half = limit // 2
    older, more_before = (
        await history(room_id, before_seq=seq, after_seq=None, limit=half) if half else ([], True)
    )
    newer, more_after = await history(
        room_id, before_seq=None, after_seq=seq - 1, limit=limit - len(older)
    )
    return older + newer, more_before or more_after


SYNC_MAX = 100  # messages per room in one `sync` reply
Finish = Callable[[list[dict[str, Any]]], Awaitable[None]]


async def _nothing(_messages: list[dict[str, Any]]) -> None:
    return None


async def sync_rooms(
    user_id: int,
    wanted: dict[str, int],
    *,
    max_rooms: int,
    max_bytes: int,
    finish: Finish = _nothing,
) -> dict[str, Any]:
    """What a client missed per room (`{room_id: last_seen_seq}`), in a reply of bounded size.

    Rooms it may not read answer with an error entry. Past `max_rooms` rooms or about
    `max_bytes`, the remaining rooms answer `has_more` with no messages: the client asks again
    from where it is, so one call never builds an unbounded reply. The budget counts each
    room's messages as they are sent — serialised, with their reactions and, once `finish`
    (the transport's: attachments and their URLs) has run, their attachments.
    """
    budget = max_bytes
    result: dict[str, Any] = {}
    for n, (key, last_seen) in enumerate(wanted.items()):
        if n >= max_rooms or budget <= 0:
            result[key] = {"messages": [], "has_more": True}
            continue
        try:
            await require_member(user_id, int(key))
        except AppError as exc:
            result[key] = {"messages": [], "has_more": False, "error": exc.to_dict()}
            continue
        messages, has_more = await history(
            int(key), before_seq=None, after_seq=last_seen, limit=SYNC_MAX
        )
        await finish(messages)
        budget -= len(dumpb(messages))
        result[key] = {"messages": messages, "has_more": has_more}
    return result
