"""Who may run a room: owner > admin > member, checked before every moderation action.

A room has exactly one owner (its creator; when the owner leaves, the longest-standing admin,
else the longest-standing member, takes over). A DM has no roles: moderation refuses it.
One rule for every route of a room (the contract's §1): an unknown room is `not_found`, a room
the caller is not in is `forbidden`, whatever its kind — moderation routes included (they once
answered `not_found` for a private room while history, sends and reads answered `forbidden`).
A non-member learns nothing of the room but that its id is taken (ids are sequential anyway).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.rooms.models import Membership, Room, RoomBan
from backend.rooms.rooms import get_room
from backend.shapes.errors import Forbidden, NotFound

OWNER, ADMIN, MEMBER = "owner", "admin", "member"
RANK = {MEMBER: 0, ADMIN: 1, OWNER: 2}


async def require_role(user_id: int, room_id: int, at_least: str) -> tuple[Room, Membership]:
    """The room and the caller's membership, if their role is `at_least` or higher."""
    room = await get_room(room_id)
    membership = await Membership.get_or_none(room_id=room_id, user_id=user_id)
    if membership is None:
        raise Forbidden("not a member of this room")
    if room.kind == "dm":
        raise Forbidden("a direct message has no roles")
    if RANK.get(membership.role, 0) < RANK[at_least]:
        raise Forbidden(f"only the room's {'owner' if at_least == OWNER else 'admins'} may do this")
    return room, membership


async def target_membership(room: Room, user_id: int) -> Membership:
    membership = await Membership.get_or_none(room_id=room.id, user_id=user_id)
    if membership is None:
        raise NotFound("not a member of this room")
    return membership


def outranks(actor: Membership, target: Membership) -> None:
    """An admin moderates members; the owner moderates everyone but themself."""
    if RANK.get(actor.role, 0) <= RANK.get(target.role, 0):
        raise Forbidden("you may not moderate a member of equal or higher role")


async def refuse_banned(room_id: int, user_id: int) -> None:
    if await RoomBan.exists(room_id=room_id, user_id=user_id):
        raise Forbidden("banned from this room")


async def ensure_owner(room_id: int) -> None:
    """Give an ownerless room (its owner left) to its longest-standing admin, else member."""
    async with in_transaction():
        await Room.filter(id=room_id).select_for_update().first()
        if await Membership.exists(room_id=room_id, role=OWNER):
            return
        heir = (
            await Membership.filter(room_id=room_id, role=ADMIN).order_by("joined_at", "id").first()
            or await Membership.filter(room_id=room_id).order_by("joined_at", "id").first()
        )
        if heir is not None:
            await Membership.filter(id=heir.id).update(role=OWNER)
