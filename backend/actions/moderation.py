"""A moderator's room changes (contract §6), done then told: settings (`room:updated`), kicks
and bans (`room:member_left`, then the removed user's sockets leave the room on every node and
are told `room:removed`), and deleting a room (every member removed)."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import User
from backend.actions.announcer import Announcer
from backend.actions.rooms import announce_removed
from backend.rooms import moderation, rooms

# Fields of a Room that are the caller's own: left out of `room:updated`, which goes to all.
CALLER_FIELDS = ("role", "unread_count", "mention_count", "notify")


async def update_room(
    out: Announcer, user: User, room_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """The room as the caller sees it; every member is sent it without the caller's fields."""
    room = await moderation.update_room(user, room_id, changes)
    mine = await rooms.room_dict(user, room)
    await out.notifier.room_updated({k: v for k, v in mine.items() if k not in CALLER_FIELDS})
    return mine


async def delete_room(out: Announcer, user: User, room_id: int) -> None:
    member_ids = await moderation.delete_room(user, room_id)
    members = await User.filter(id__in=member_ids) if member_ids else []
    await announce_removed(out, room_id, list(members), "deleted")


async def kick(out: Announcer, user: User, room_id: int, target_id: int) -> None:
    _, kicked = await moderation.kick(user, room_id, target_id)
    await out.notifier.member_left(room_id, kicked)
    await announce_removed(out, room_id, [kicked], "kicked")


async def ban(out: Announcer, user: User, room_id: int, target_id: int) -> None:
    _, banned, was_member = await moderation.ban(user, room_id, target_id)
    if was_member:
        await out.notifier.member_left(room_id, banned)
        await announce_removed(out, room_id, [banned], "kicked", banned=True)
