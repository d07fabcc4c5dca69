"""History pages on (room_id, seq), the latest one read through the recent-messages cache."""

from __future__ import annotations

import contextlib
from typing import Any

from redis.exceptions import RedisError

from backend.chat.models import Message, Room
from backend.chat.recent import RecentCache
from backend.serialize import message_dict

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
    return [message_dict(m, m.sender) for m in page], len(rows) > limit


async def read_history(
    room: Room,
    *,
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
    cache: RecentCache,
) -> Page:
    """`history`, with the latest page (no cursor) served by the recent-messages cache."""
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
