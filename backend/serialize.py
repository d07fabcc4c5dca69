"""The contract's objects (§2) as plain dicts; the one place their shape is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.accounts.models import User
from backend.chat.models import Message


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def user_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "created_at": iso(user.created_at),
    }


def message_dict(message: Message, sender: User) -> dict[str, Any]:
    return {
        "id": message.id,
        "room_id": message.room_id,  # type: ignore[attr-defined]
        "seq": message.seq,
        "sender": user_dict(sender),
        "body": "" if message.deleted else message.body,
        "client_msg_id": message.client_msg_id,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted": message.deleted,
    }
