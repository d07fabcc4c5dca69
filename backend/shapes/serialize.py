"""The contract's objects (§2) as plain dicts; the one place their shape is written.

Each shape reads attributes or mapping keys alike, so ORM objects and raw database rows (the
worker's fast path) serialise the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # shapes sit below the tables: they only read attributes or keys
    from backend.accounts.models import User
    from backend.rooms.models import Message

USER_COLUMNS = (
    "id",
    "username",
    "display_name",
    "created_at",
    "avatar_id",
    "is_admin",
    "is_bot",
    "deactivated",
)
MESSAGE_COLUMNS = (
    "id",
    "room_id",
    "seq",
    "sender_id",
    "body",
    "source",
    "client_msg_id",
    "created_at",
    "edited_at",
    "deleted",
    "reply_to_id",
    "reply_count",
)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def _get(source: Any, name: str) -> Any:
    """A field of a row (a mapping) or of a model. `dict` first: the ABC check alone was 2.4 %
    of a worker's CPU, asked for every field of every message (py-spy, backlog drain)."""
    if type(source) is dict or isinstance(source, Mapping):
        return source[name]
    return getattr(source, name)


def user_dict(user: User | Mapping[str, Any]) -> dict[str, Any]:
    user_id = _get(user, "id")
    avatar = user.get("avatar_id") if isinstance(user, Mapping) else user.avatar_id
    return {
        "id": user_id,
        "username": _get(user, "username"),
        "display_name": _get(user, "display_name"),
        "created_at": iso(_get(user, "created_at")),
        # A new avatar is a new URL, so browsers may cache each one for good.
        "avatar_url": f"/api/v1/users/{user_id}/avatar/{avatar}" if avatar else None,
        "is_admin": bool(_get(user, "is_admin")),  # SQLite rows read 0/1
        "is_bot": bool(_get(user, "is_bot")),
        "deactivated": bool(_get(user, "deactivated")),
    }


def message_dict(
    message: Message | Mapping[str, Any], sender: User | Mapping[str, Any]
) -> dict[str, Any]:
    deleted = bool(_get(message, "deleted"))
    return {
        "id": _get(message, "id"),
        "room_id": _get(message, "room_id"),
        "seq": _get(message, "seq"),
        "sender": user_dict(sender),
        "body": "" if deleted else _get(message, "body"),
        # The author's Markdown, for editing; plain text, never to be shown as HTML.
        "source": "" if deleted else (_get(message, "source") or _get(message, "body")),
        "client_msg_id": _get(message, "client_msg_id"),
        "created_at": iso(_get(message, "created_at")),
        "edited_at": iso(_get(message, "edited_at")),
        "deleted": deleted,
        # `{"id"}` until `chat.replies.with_reply_context` fills in seq, sender and excerpt.
        "reply_to": {"id": reply_to} if (reply_to := _get(message, "reply_to_id")) else None,
        "reply_count": _get(message, "reply_count") or 0,
        "reactions": [],  # filled by `chat.enrich`
        "mentions": [],  # filled by `chat.enrich`
        "attachments": [],  # filled with signed URLs by `backend.files.service.attach`
    }
