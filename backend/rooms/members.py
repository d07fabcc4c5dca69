"""Who is in which room: the membership rules every route and event is checked against."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.accounts.blocking import refuse_if_blocked
from backend.accounts.models import User
from backend.rooms import dms, roles
from backend.rooms.models import Membership, Room
from backend.rooms.rooms import get_room
from backend.shapes.errors import Conflict, Forbidden, NotFound, ValidationFailed


async def require_member(user_id: int, room_id: int) -> Room:
    """The room, if the user is in it: unknown → not_found, not a member → forbidden."""
    room = await get_room(room_id)
    if not await Membership.exists(room_id=room_id, user_id=user_id):
        raise Forbidden("not a member of this room")
    return room


async def room_ids_of(user_id: int) -> list[int]:
    return await Membership.filter(user_id=user_id).values_list("room_id", flat=True)  # type: ignore[return-value]


async def members(room_id: int) -> list[tuple[User, int, str]]:
    """A room's members with their read marker and role, by username."""
    rows = (
        await Membership.filter(room_id=room_id).select_related("user").order_by("user__username")
    )
    return [(row.user, row.last_read_seq, row.role) for row in rows]


async def _add(room: Room, user_id: int, *, accepted: bool) -> bool:
    """Add a membership; False if it was already there."""
    try:
        await Membership.create(room=room, user_id=user_id, accepted=accepted)
    except IntegrityError:
        return False
    return True


async def join_room(user: User, room_id: int) -> tuple[Room, bool]:
    room = await get_room(room_id)
    if room.kind != "public":
        raise Forbidden("only public rooms can be joined")
    await roles.refuse_banned(room_id, user.id)
    joined = await _add(room, user.id, accepted=True)
    if joined:
        await roles.ensure_owner(room_id)  # a room everyone had left: the joiner runs it
    else:
        await Membership.filter(room_id=room_id, user_id=user.id).update(accepted=True)
    return room, joined


async def join_invited(user: User, room_ids: list[int]) -> list[int]:
    """A new account joins its invite's rooms that still exist (within the registration's
    transaction). Accepting the invite chose them, as joining does (`accepted`)."""
    if not room_ids:
        return []
    joined = []
    for room in await Room.filter(id__in=room_ids).exclude(kind="dm").order_by("id"):
        await Membership.create(room=room, user=user, accepted=True)
        await roles.ensure_owner(room.id)  # a room everyone had left: the newcomer runs it
        joined.append(room.id)
    return joined


async def add_member(actor: User, room_id: int, user_id: int) -> tuple[Room, User]:
    """Private rooms: admins and the owner add; public rooms: any member."""
    room = await require_member(actor.id, room_id)
    if room.kind == "dm":
        raise Forbidden("direct messages have exactly two members")
    if room.kind == "private":
        await roles.require_role(actor.id, room_id, roles.ADMIN)
    target = await User.get_or_none(id=user_id)
    if target is None:
        raise NotFound("user not found")
    await roles.refuse_banned(room_id, user_id)
    await refuse_if_blocked(actor_id=actor.id, target_id=user_id)
    if not await _add(room, user_id, accepted=False):
        raise Conflict("already a member")
    return room, target


async def leave_room(user: User, room_id: int) -> None:
    """Leave; an owner's room passes to the next in line; a DM is only hidden (`dms`)."""
    room = await get_room(room_id)
    deleted = await Membership.filter(room_id=room_id, user_id=user.id).delete()
    if not deleted:
        raise Forbidden("not a member of this room")
    if room.kind != "dm":
        await roles.ensure_owner(room_id)


async def open_dm(user: User, peer_id: int) -> tuple[Room, list[int]]:
    """The one DM room of a pair, created on first use (safe against a concurrent twin) and
    re-opened for both if one had left it; returns it and whose membership was (re)made."""
    if peer_id == user.id:
        raise ValidationFailed(details={"user_id": ["cannot open a DM with yourself"]})
    peer = await User.get_or_none(id=peer_id)
    if peer is None:
        raise NotFound("user not found")
    await refuse_if_blocked(actor_id=user.id, target_id=peer_id)
    key = f"{min(user.id, peer_id)}:{max(user.id, peer_id)}"
    existing = await Room.get_or_none(dm_key=key)
    if existing is not None:
        return existing, await dms.restore(existing.id, dms.dm_pair(key))
    try:
        async with in_transaction():
            room = await Room.create(kind="dm", name="direct message", dm_key=key)
            await Membership.create(room=room, user=user)
            await Membership.create(room=room, user=peer)
    except IntegrityError:
        room = await Room.get(dm_key=key)
        return room, await dms.restore(room.id, dms.dm_pair(key))
    return room, [user.id, peer_id]


async def mark_read(user: User, room_id: int, seq: int) -> int | None:
    """Move the read marker forward only (never back); the new marker, None if it stayed."""
    room = await require_member(user.id, room_id)
    seq = min(seq, room.last_seq)
    moved = await Membership.filter(room_id=room_id, user_id=user.id, last_read_seq__lt=seq).update(
        last_read_seq=seq
    )
    return seq if moved else None
