"""Room names: plain text of 1–80 characters, and public names unique.

People find a public room by its name in Browse, so two public rooms may not share one: the
second is refused with 409 `conflict` (create and rename alike). The comparison folds case,
compatibility forms and runs of spaces ("General", "general", "ｇｅｎｅｒａｌ" are one name).
Private rooms and DMs may share names: only their members see them, and refusing one would
tell a stranger that a private room of that name exists. The database enforces the rule
(`Room.name_key`, unique; null outside public rooms), so two racing creators cannot both win.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.exceptions import IntegrityError

from backend.content.sanitize import clean_text
from backend.rooms.models import Room
from backend.shapes.errors import Conflict, ValidationFailed

NAME_MAX = 80


def clean_name(raw: str) -> str:
    name = clean_text(raw)[:NAME_MAX]
    if not name:
        raise ValidationFailed(details={"name": ["must contain visible text"]})
    return name


def name_key(kind: str, name: str) -> str | None:
    """What must be unique: a public room's folded name; None (no rule) for other kinds."""
    if kind != "public":
        return None
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:255]


def name_room(room: Room, name: str) -> None:
    room.name, room.name_key = name, name_key(room.kind, name)


@asynccontextmanager
async def unique_name(name: str) -> AsyncIterator[None]:
    """Around the write that claims a name: the database's refusal becomes 409 `conflict`."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(
            f"a public room named {name!r} already exists",
            details={"name": ["already taken by a public room; join it, or pick another name"]},
        ) from exc
