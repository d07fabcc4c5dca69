"""Reactions' read side and the rule both halves of a write share (contract §6).

Every Message carries `reactions` (`with_reactions`), in first-use order; at most 20 distinct
emoji per message (`room_for`: checked by the gateway before queueing, inbound/react.py, and again
by the worker under the row lock, worker/apply/reactions.py).
"""

from __future__ import annotations

from typing import Any

from backend.rooms.models import Reaction

MAX_DISTINCT = 20
# The column's width: an emoji longer than it ("😀" + 9,000 variation selectors is still one
# emoji to the `emoji` library) would pass here and fail the worker's whole batch.
EMOJI_MAX: int = Reaction._meta.fields_map["emoji"].max_length  # type: ignore[attr-defined]


async def room_for(message_id: int, emoji: str) -> bool:
    """Whether `emoji` may be added: already used, or fewer than 20 distinct so far."""
    rows = await Reaction.filter(message_id=message_id).values_list("emoji", flat=True)
    used: set[str] = {str(e) for e in rows}
    return emoji in used or len(used) < MAX_DISTINCT


async def with_reactions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each message's `reactions`: `[{emoji, count, user_ids}]` in first-use order."""
    ids = [m["id"] for m in messages if not m["deleted"]]
    rows = (
        await Reaction.filter(message_id__in=ids)
        .order_by("id")
        .values("message_id", "emoji", "user_id")
        if ids
        else []
    )
    grouped: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        grouped.setdefault(row["message_id"], {}).setdefault(row["emoji"], []).append(
            row["user_id"]
        )
    for message in messages:
        by_emoji = grouped.get(message["id"], {})
        message["reactions"] = [
            {"emoji": e, "count": len(users), "user_ids": users} for e, users in by_emoji.items()
        ]
    return messages
