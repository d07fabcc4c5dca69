"""Replies (contract §6): a reply names a message of its room; the named message counts them.

The gateway checks the target (`reply_target`); the worker stores `reply_to_id` with the send
(send v2) and advances the target's `reply_count` in the same transaction, only for replies
stored now, so a retried send never counts twice (`count_replies`). Every Message leaving the
server carries `reply_to` filled by `with_reply_context` (through `chat.enrich`).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from typing import Any

import nh3
from tortoise.expressions import F

from backend.rooms.models import Message
from backend.shapes.errors import ValidationFailed
from backend.shapes.serialize import message_dict, user_dict

EXCERPT_CHARS = 200


async def reply_target(room_id: int, reply_to_id: int | None) -> int:
    """The id to queue (0: not a reply); a message of another room → validation_error."""
    if not reply_to_id:
        return 0
    if not await Message.filter(id=reply_to_id, room_id=room_id).exists():
        raise ValidationFailed(details={"reply_to_id": ["not a message of this room"]})
    return reply_to_id


def excerpt(body: str) -> str:
    """The first 200 characters of a body's text, escaped: safe shown as text or as HTML."""
    text = html.unescape(nh3.clean(body, tags=set(), attributes={}, strip_comments=True))
    return html.escape(" ".join(text.split())[:EXCERPT_CHARS], quote=False)


async def count_replies(replies: Iterable[tuple[int, int]]) -> dict[int, dict[str, Any]]:
    """`replies`: (reply id, replied-to id) stored now. Advances each replied-to message's count
    and returns it, by id, to be re-sent as `message:updated`."""
    counts = Counter(parent for _, parent in replies)
    for parent, n in counts.items():
        await Message.filter(id=parent).update(reply_count=F("reply_count") + n)
    parents = await Message.filter(id__in=list(counts)).select_related("sender")
    return {m.id: message_dict(m, m.sender) for m in parents}


async def with_reply_context(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill each `reply_to` placeholder with the replied-to message's seq, sender and excerpt."""
    wanted = {m["reply_to"]["id"] for m in messages if m.get("reply_to")}
    if not wanted:
        return messages
    found = {m.id: m for m in await Message.filter(id__in=list(wanted)).select_related("sender")}
    for message in messages:
        target = found.get(message["reply_to"]["id"]) if message.get("reply_to") else None
        if target is not None:
            message["reply_to"] = {
                "id": target.id,
                "seq": target.seq,
                "sender": user_dict(target.sender),
                "excerpt": "" if target.deleted else excerpt(target.body),
            }
        elif message.get("reply_to"):
            message["reply_to"] = None  # gone with its room
    return messages


async def replies_page(
    room_id: int, parent_id: int, *, after_seq: int | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The replies to one message, ascending by seq."""
    query = Message.filter(room_id=room_id, reply_to_id=parent_id).select_related("sender")
    if after_seq is not None:
        query = query.filter(seq__gt=after_seq)
    rows = await query.order_by("seq").limit(limit + 1)
    return [message_dict(m, m.sender) for m in rows[:limit]], len(rows) > limit
