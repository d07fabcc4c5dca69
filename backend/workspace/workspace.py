"""The workspace's settings (contract §7.1): what anyone may read before signing in (its name,
who may register, the limits a client checks before sending), and what an admin changes."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from backend.rooms.names import NAME_MAX, clean_name
from backend.rooms.schemas import TOPIC_MAX
from backend.settings.config import Settings
from backend.shapes.chat_schemas import ATTACHMENTS_MAX, BODY_MAX
from backend.workspace.models import ROW_ID, Workspace


async def current() -> Workspace:
    return await Workspace.get(id=ROW_ID)


def registration_mode(row: Workspace, settings: Settings) -> str:
    """The admin's choice, else `CHATTY_REGISTRATION`."""
    return row.registration or settings.registration


def limits(settings: Settings) -> dict[str, int]:
    """What a client checks before sending, so it can refuse early with the server's numbers."""
    return {
        "message_max_chars": BODY_MAX,
        "max_upload_bytes": settings.max_upload_bytes,
        "max_attachments": ATTACHMENTS_MAX,
        "upload_quota_bytes": settings.upload_quota_bytes,
        "room_name_max_chars": NAME_MAX,
        "topic_max_chars": TOPIC_MAX,
    }


def workspace_dict(row: Workspace, settings: Settings) -> dict[str, Any]:
    return {
        "name": row.name,
        "registration": registration_mode(row, settings),
        "retention_days": row.retention_days,
        "limits": limits(settings),
    }


async def update(settings: Settings, changes: dict[str, Any]) -> dict[str, Any]:
    """Change what `changes` names (an admin's `PATCH`); the name is plain text, like a room's."""
    fields = sorted(changes)
    async with in_transaction():
        row = await Workspace.filter(id=ROW_ID).select_for_update().get()
        if "name" in changes:
            row.name = clean_name(changes["name"])
        if "registration" in changes:
            row.registration = changes["registration"]
        if "retention_days" in changes:
            row.retention_days = changes["retention_days"]
        if fields:
            await row.save(update_fields=fields)
    return workspace_dict(row, settings)
