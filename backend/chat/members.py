"""Who is in which room: the membership rules every route and event is checked against."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.chat.models import Membership, Room
from backend.chat.rooms import get_room
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed


async def require_member(user_id: int, room_id: int) -> Room:
    """The room, if the user is in it: unknown → not_found, not a member → forbidden."""
    room = await get_room(room_id)
    if not await Membership.exists(room_id=room_id, user_id=user_id):
        raise Forbidden("not a member of this room")
    return room


async def room_ids_of(user_id: int) -> list[int]:
    return await Membership.filter(user_id=user_id).values_list("room_id", flat=True)  # type: ignore[return-value]


async def peers_of(
    user_id: int, *, online: Callable[[list[int]], Awaitable[set[int]]], limit: int = 500
) -> list[User]:
    """The online users who share a room with this one (at most `limit` are looked at)."""
    rooms = Membership.filter(user_id=user_id).values_list("room_id", flat=True)
    ids = await (
        Membership.filter(room_id__in=Subquery(rooms))
        .exclude(user_id=user_id)
        .distinct()
        .limit(limit)
        .values_list("user_id", flat=True)
    )
    present = await online([int(i) for i in ids])  # type: ignore[call-overload]
    return await User.filter(id__in=present) if present else []


async def members(room_id: int) -> list[tuple[User, int]]:
    """A room's members with their read marker, by username."""
    rows = (
        await Membership.filter(room_id=room_id).select_related("user").order_by("user__username")
    )
    return [(row.user, row.last_read_seq) for row in rows]


async def _add(room: Room, user_id: int) -> bool:
    """Add a membership; False if it was already there."""
    try:
        await Membership.create(room=room, user_id=user_id)
    except IntegrityError:
        return False
    return True


async def join_room(user: User, room_id: int) -> tuple[Room, bool]:
    room = await get_room(room_id)
    if room.kind != "public":
        raise Forbidden("only public rooms can be joined")
    return room, await _add(room, user.id)


async def add_member(actor: User, room_id: int, user_id: int) -> tuple[Room, User]:
    room = await require_member(actor.id, room_id)
    if room.kind == "dm":
        raise Forbidden("direct messages have exactly two members")
    target = await User.get_or_none(id=user_id)
    if target is None:
        raise NotFound("user not found")
    if not await _add(room, user_id):
        raise Conflict("already a member")
    return room, target


async def leave_room(user: User, room_id: int) -> None:
    await get_room(room_id)
    deleted = await Membership.filter(room_id=room_id, user_id=user.id).delete()
    if not deleted:
        raise Forbidden("not a member of this room")


async def open_dm(user: User, peer_id: int) -> tuple[Room, bool]:
    """The one DM room of a pair, created on first use; safe against a concurrent twin."""
    if peer_id == user.id:
        raise ValidationFailed(details={"user_id": ["cannot open a DM with yourself"]})
    peer = await User.get_or_none(id=peer_id)
    if peer is None:
        raise NotFound("user not found")
    key = f"{min(user.id, peer_id)}:{max(user.id, peer_id)}"
    existing = await Room.get_or_none(dm_key=key)
    if existing is not None:
        return existing, False
    try:
        async with in_transaction():
            room = await Room.create(kind="dm", name="direct message", dm_key=key)
            await Membership.create(room=room, user=user)
            await Membership.create(room=room, user=peer)
    except IntegrityError:
        return await Room.get(dm_key=key), False
    return room, True


async def mark_read(user: User, room_id: int, seq: int) -> int | None:
    """Move the read marker forward only (never back); the new marker, None if it stayed."""
    room = await require_member(user.id, room_id)
    seq = min(seq, room.last_seq)
    moved = await Membership.filter(room_id=room_id, user_id=user.id, last_read_seq__lt=seq).update(
        last_read_seq=seq
    )
    return seq if moved else None
