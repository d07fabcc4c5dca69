"""Rooms as their members see them (contract §2 Room), and creating them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.rooms.models import Membership, Room
from backend.rooms.names import clean_name, name_key, unique_name
from backend.rooms.notify import notify_level
from backend.rooms.unread import unread_mention_counts
from backend.shapes.errors import NotFound
from backend.shapes.serialize import iso, user_dict


async def room_dicts(user: User, rooms: Sequence[Room]) -> list[dict[str, Any]]:
    """Rooms as the caller sees them: member counts, their unread count, a DM's peer."""
    ids = [room.id for room in rooms]
    if not ids:
        return []
    counts = {
        row["room_id"]: row["n"]
        for row in await Membership.filter(room_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("room_id")
        .values("room_id", "n")
    }
    mine = {
        row["room_id"]: row
        for row in await Membership.filter(room_id__in=ids, user_id=user.id).values(
            "room_id", "last_read_seq", "role", "notify"
        )
    }
    read = {room_id: row["last_read_seq"] for room_id, row in mine.items()}
    unread = {r.id: read[r.id] for r in rooms if r.id in read and r.last_seq > read[r.id]}
    mentioned = await unread_mention_counts(user.id, list(unread))  # one statement
    peers = await _dm_peers(user, [room.id for room in rooms if room.kind == "dm"])
    result = []
    for room in rooms:
        item: dict[str, Any] = {
            "id": room.id,
            "kind": room.kind,
            "name": room.name,
            "topic": room.topic,
            "role": mine[room.id]["role"] if room.id in mine else None,
            "created_at": iso(room.created_at),
            "last_activity_at": iso(room.last_activity_at),
            "member_count": counts.get(room.id, 0),
            "last_seq": room.last_seq,
            "unread_count": max(0, room.last_seq - read[room.id]) if room.id in read else 0,
        }
        if room.id in mine:  # the caller's own settings (contract §6)
            item["mention_count"] = mentioned.get(room.id, 0)
            item["notify"] = notify_level(
                mine[room.id]["notify"], kind=room.kind, member_count=item["member_count"]
            )
        if room.kind == "dm" and room.id in peers:
            item["peer"] = user_dict(peers[room.id])
            item["name"] = peers[room.id].display_name
        result.append(item)
    return result


async def _dm_peers(user: User, dm_ids: list[int]) -> dict[int, User]:
    if not dm_ids:
        return {}
    rows = (
        await Membership.filter(room_id__in=dm_ids).exclude(user_id=user.id).select_related("user")
    )
    return {row.room_id: row.user for row in rows}  # type: ignore[attr-defined]


async def room_dict(user: User, room: Room) -> dict[str, Any]:
    return (await room_dicts(user, [room]))[0]


async def create_room(user: User, *, name: str, kind: str) -> Room:
    clean = clean_name(name)
    async with unique_name(clean), in_transaction():
        room = await Room.create(name=clean, kind=kind, name_key=name_key(kind, clean))
        await Membership.create(room=room, user=user, role="owner", accepted=True)
    return room


async def my_rooms(user: User) -> list[dict[str, Any]]:
    rooms = await Room.filter(memberships__user_id=user.id).order_by("-last_activity_at", "-id")
    return await room_dicts(user, rooms)


async def public_rooms(user: User, limit: int = 200) -> list[dict[str, Any]]:
    rooms = await Room.filter(kind="public").order_by("-last_activity_at", "-id").limit(limit)
    return await room_dicts(user, rooms)


async def get_room(room_id: int) -> Room:
    room = await Room.get_or_none(id=room_id)
    if room is None:
        raise NotFound("room not found")
    return room
