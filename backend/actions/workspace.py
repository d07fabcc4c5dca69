"""Workspace changes others hear of (contract §7.1), done then told: a registration through an
invite joins its rooms (their members are sent `room:member_joined`), and a change of who is
an admin changes the User everyone who shares a room with them sees (`user:updated`)."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import User
from backend.actions.announcer import Announcer
from backend.actions.people import announce_user
from backend.actions.rooms import announce_join
from backend.settings.config import Settings
from backend.workspace import admins, registration


async def register(out: Announcer, settings: Settings, **args: Any) -> dict[str, Any]:
    done = await registration.register(settings, **args)
    for room_id in done.room_ids:
        await announce_join(out, done.user, room_id)
    return done.answer


async def set_admin(out: Announcer, user_id: int, *, is_admin: bool) -> User:
    user, changed = await admins.set_admin(is_admin, id=user_id)
    if changed:
        await announce_user(out, user)
    return user
