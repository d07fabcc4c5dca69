"""Running a room (contract §6 "Roles and moderation"): settings, roles, kicks, bans, deletion.

Each action checks the caller's role (`roles.require_role`), changes the database and returns
what the transport needs to announce; the announcing is `realtime/removal.py`'s.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.content.sanitize import clean_text
from backend.rooms.models import Membership, Room, RoomBan
from backend.rooms.names import clean_name, name_room, unique_name
from backend.rooms.roles import ADMIN, OWNER, outranks, require_role, target_membership
from backend.shapes.errors import Forbidden, NotFound


async def update_room(actor: User, room_id: int, changes: dict[str, Any]) -> Room:
    """Rename and/or set the topic (admin+); names and topics are plain text."""
    room, _ = await require_role(actor.id, room_id, ADMIN)
    fields: list[str] = []
    if "name" in changes:
        name_room(room, clean_name(changes["name"]))
        fields += ["name", "name_key"]
    if "topic" in changes:
        room.topic, fields = clean_text(changes["topic"])[:250], [*fields, "topic"]
    if fields:
        async with unique_name(room.name):
            await room.save(update_fields=fields)
    return room


async def delete_room(actor: User, room_id: int) -> list[int]:
    """Delete the room and its history (owner); returns who were its members."""
    room, _ = await require_role(actor.id, room_id, OWNER)
    member_ids: list[int] = await Membership.filter(room_id=room.id).values_list(  # type: ignore[assignment]
        "user_id", flat=True
    )
    await room.delete()  # memberships, messages and bans go with it (ON DELETE CASCADE)
    return [int(i) for i in member_ids]


async def set_role(actor: User, room_id: int, user_id: int, role: str) -> tuple[Room, User]:
    """Make a member an admin or a plain member again (owner)."""
    room, _ = await require_role(actor.id, room_id, OWNER)
    target = await target_membership(room, user_id)
    if target.role == OWNER:
        raise Forbidden("the owner's role cannot be changed")
    await Membership.filter(id=target.id).update(role=role)
    return room, await User.get(id=user_id)


async def kick(actor: User, room_id: int, user_id: int) -> tuple[Room, User]:
    """Remove a member (admin+, of a lower role than the caller)."""
    room, mine = await require_role(actor.id, room_id, ADMIN)
    target = await target_membership(room, user_id)
    outranks(mine, target)
    await Membership.filter(id=target.id).delete()
    return room, await User.get(id=user_id)


async def ban(actor: User, room_id: int, user_id: int) -> tuple[Room, User, bool]:
    """Kick (if a member) and keep out until unbanned (admin+); returns whether kicked."""
    room, mine = await require_role(actor.id, room_id, ADMIN)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("user not found")
    if user_id == actor.id:
        raise Forbidden("you may not ban yourself")
    async with in_transaction():
        target = await Membership.get_or_none(room_id=room.id, user_id=user_id)
        if target is not None:
            outranks(mine, target)
            await Membership.filter(id=target.id).delete()
        await RoomBan.get_or_create(room_id=room.id, user_id=user_id)
    return room, user, target is not None


async def unban(actor: User, room_id: int, user_id: int) -> None:
    room, _ = await require_role(actor.id, room_id, ADMIN)
    if not await RoomBan.filter(room_id=room.id, user_id=user_id).delete():
        raise NotFound("not banned from this room")
