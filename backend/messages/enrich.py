"""What every Message leaving the server carries beyond its row: `reply_to` context and
`reactions` and `mentions` — one query each per page or batch."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from backend.messages.reactions import with_reactions
from backend.messages.replies import with_reply_context
from backend.rooms.notify import with_mentions


async def enrich(
    messages: list[dict[str, Any]], *, new: Collection[int] = ()
) -> list[dict[str, Any]]:
    """`new`: ids of messages stored in this very transaction, whose `mentions` the worker has
    just set (`persist._mentions_recorded`) and which cannot have reactions yet: no query."""
    await with_reply_context(messages)
    older = [m for m in messages if m["id"] not in new]
    for message in messages:
        if message["id"] in new:
            message["reactions"] = []
    if older:
        await with_mentions(older)
        await with_reactions(older)
    return messages
