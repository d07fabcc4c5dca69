"""What every Message leaving the server carries beyond its row: `reply_to` context and
`reactions` and `mentions` — one query each per page or batch."""

from __future__ import annotations

from typing import Any

from backend.chat.mentions import with_mentions
from backend.chat.reactions import with_reactions
from backend.chat.replies import with_reply_context


async def enrich(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    await with_reply_context(messages)
    await with_mentions(messages)
    return await with_reactions(messages)
