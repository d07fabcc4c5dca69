"""Rooms, membership, history and persistence of queued messages.

Only the worker calls `persist_batch`; the gateway never writes a chat message itself.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.chat import persist_pg
from backend.chat.inbound import InboundMessage
from backend.chat.models import Membership, Message, Room
from backend.chat.recent import RecentCache
from backend.chat.sanitize import clean_message, clean_text
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.serialize import iso, message_dict, user_dict

HISTORY_MAX = 100
KINDS_CREATABLE = ("public", "private")


def room_channel(room_id: int) -> str:
    """The Socket.IO room of a chat room's members."""
    return f"room:{room_id}"


def user_channel(user_id: int) -> str:
    """The Socket.IO room of every socket of one user (on any gateway node)."""
    return f"user:{user_id}"


# ---- rooms and membership -------------------------------------------------------------------


async def _room_dicts(user: User, rooms: Sequence[Room]) -> list[dict[str, Any]]:
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
    read = {
        row["room_id"]: row["last_read_seq"]
        for row in await Membership.filter(room_id__in=ids, user_id=user.id).values(
            "room_id", "last_read_seq"
        )
    }
    dm_ids = [room.id for room in rooms if room.kind == "dm"]
    peers: dict[int, User] = {}
    if dm_ids:
        for membership in (
            await Membership.filter(room_id__in=dm_ids)
            .exclude(user_id=user.id)
            .select_related("user")
        ):
            peers[membership.room_id] = membership.user  # type: ignore[attr-defined]
    result = []
    for room in rooms:
        item: dict[str, Any] = {
            "id": room.id,
            "kind": room.kind,
            "name": room.name,
            "created_at": iso(room.created_at),
            "last_activity_at": iso(room.last_activity_at),
            "member_count": counts.get(room.id, 0),
            "last_seq": room.last_seq,
            "unread_count": max(0, room.last_seq - read[room.id]) if room.id in read else 0,
        }
        if room.kind == "dm" and room.id in peers:
            item["peer"] = user_dict(peers[room.id])
            item["name"] = peers[room.id].display_name
        result.append(item)
    return result


async def room_dict(user: User, room: Room) -> dict[str, Any]:
    return (await _room_dicts(user, [room]))[0]


async def create_room(user: User, *, name: str, kind: str) -> Room:
    clean = clean_text(name)
    if not clean:
        raise ValidationFailed(details={"name": ["must contain visible text"]})
    async with in_transaction():
        room = await Room.create(name=clean[:80], kind=kind)
        await Membership.create(room=room, user=user)
    return room


async def my_rooms(user: User) -> list[dict[str, Any]]:
    rooms = await Room.filter(memberships__user_id=user.id).order_by("-last_activity_at", "-id")
    return await _room_dicts(user, rooms)


async def public_rooms(user: User, limit: int = 200) -> list[dict[str, Any]]:
    rooms = await Room.filter(kind="public").order_by("-last_activity_at", "-id").limit(limit)
    return await _room_dicts(user, rooms)


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


async def get_room(room_id: int) -> Room:
    room = await Room.get_or_none(id=room_id)
    if room is None:
        raise NotFound("room not found")
    return room


async def require_member(user_id: int, room_id: int) -> Room:
    """The room, if the user is in it: unknown → not_found, not a member → forbidden."""
    room = await get_room(room_id)
    if not await Membership.exists(room_id=room_id, user_id=user_id):
        raise Forbidden("not a member of this room")
    return room


async def own_message(user_id: int, message_id: int) -> Message:
    """A message the user wrote, still there, in a room they are still in."""
    message = await Message.get_or_none(id=message_id)
    if message is None:
        raise NotFound("message not found")
    await require_member(user_id, message.room_id)  # type: ignore[attr-defined]
    if message.sender_id != user_id:  # type: ignore[attr-defined]
        raise Forbidden("only the author may change a message")
    if message.deleted:
        raise NotFound("message was deleted")
    return message


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


async def mark_read(user: User, room_id: int, seq: int) -> int:
    """Move the read marker forward only (never back); returns the stored marker."""
    room = await require_member(user.id, room_id)
    seq = min(seq, room.last_seq)
    await Membership.filter(room_id=room_id, user_id=user.id, last_read_seq__lt=seq).update(
        last_read_seq=seq
    )
    return seq


# ---- history --------------------------------------------------------------------------------


async def history(
    room_id: int, *, before_seq: int | None, after_seq: int | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """A keyset page on (room_id, seq), ascending; `has_more` says more exist past the page."""
    query = Message.filter(room_id=room_id).select_related("sender")
    if after_seq is not None:
        query = query.filter(seq__gt=after_seq)
        if before_seq is not None:
            query = query.filter(seq__lt=before_seq)
        rows = await query.order_by("seq").limit(limit + 1)
        page = list(rows[:limit])
    else:
        if before_seq is not None:
            query = query.filter(seq__lt=before_seq)
        rows = await query.order_by("-seq").limit(limit + 1)
        page = list(reversed(rows[:limit]))
    return [message_dict(m, m.sender) for m in page], len(rows) > limit


async def read_history(
    room: Room,
    *,
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
    cache: RecentCache,
) -> tuple[list[dict[str, Any]], bool]:
    """`history`, with the latest page (no cursor) served by the recent-messages cache."""
    if before_seq is not None or after_seq is not None:
        return await history(room.id, before_seq=before_seq, after_seq=after_seq, limit=limit)
    try:
        page = await cache.latest(room.id, last_seq=room.last_seq, count=limit)
    except (RedisError, OSError):
        page = None
    if page is not None:
        return page, bool(page) and page[0]["seq"] > 1
    messages, has_more = await history(room.id, before_seq=None, after_seq=None, limit=limit)
    with contextlib.suppress(RedisError, OSError):
        await cache.put(messages, replace=False)  # committed rows: safe to cache
    return messages, has_more


# ---- persistence (worker only) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one inbound entry: stored now, found already stored, or refused."""

    inbound: InboundMessage
    message: dict[str, Any] | None
    created: bool
    error: str | None = None

    @property
    def event(self) -> str:
        return "message:new" if self.inbound.op == "send" else "message:updated"


async def persist_batch(items: Sequence[InboundMessage]) -> list[Outcome]:
    """Store a batch in one transaction, exactly once per (room, sender, client_msg_id).

    Each room's row is locked (rooms in id order, so two workers cannot deadlock) before its
    existing client ids are read and its `last_seq` is advanced: seq stays gap-free and unique
    with any number of workers, and a rolled-back batch gives its numbers back.
    """
    by_room: dict[int, list[InboundMessage]] = defaultdict(list)
    for item in items:
        if item.op == "send":
            by_room[item.room_id].append(item)
    sends = [item for room in by_room.values() for item in room]
    outcomes: dict[int, Outcome] = {}
    async with in_transaction() as tx:
        if sends and tx.capabilities.dialect == "postgres":
            stored = await persist_pg.persist_sends(tx, sends)
            for item, (message, created) in zip(sends, stored, strict=True):
                error = None if message is not None else "not_found"
                outcomes[id(item)] = Outcome(item, message, created, error)
        else:
            for room_id in sorted(by_room):
                for outcome in await _persist_room(room_id, by_room[room_id]):
                    outcomes[id(outcome.inbound)] = outcome
        for item in items:  # edits and deletes, after the sends they may refer to
            if item.op != "send":
                outcomes[id(item)] = await _apply_change(item)
    return [outcomes[id(item)] for item in items]


async def _apply_change(item: InboundMessage) -> Outcome:
    """An edit or delete queued by the gateway; a deleted message keeps its seq, body ""."""
    message = await Message.filter(id=item.message_id).select_for_update().first()
    if message is None or message.sender_id != item.sender_id:  # type: ignore[attr-defined]
        return Outcome(item, None, created=False, error="not_found")
    if not message.deleted:  # a delete is final; a retried change finds it applied
        message.edited_at = datetime.now(UTC)
        if item.op == "delete":
            message.deleted, message.body = True, ""
        else:
            message.body = clean_message(item.body)
        await message.save(update_fields=["body", "deleted", "edited_at"])
    sender = await User.get(id=item.sender_id)
    return Outcome(item, message_dict(message, sender), created=True)


async def _persist_room(room_id: int, items: list[InboundMessage]) -> list[Outcome]:
    room = await Room.filter(id=room_id).select_for_update().first()
    if room is None:
        return [Outcome(item, None, created=False, error="not_found") for item in items]
    client_ids = list({item.client_msg_id for item in items})
    existing = {
        (m.sender_id, m.client_msg_id): m  # type: ignore[attr-defined]
        for m in await Message.filter(room_id=room_id, client_msg_id__in=client_ids)
    }
    fresh: dict[tuple[int, str], InboundMessage] = {}
    for item in items:
        key = (item.sender_id, item.client_msg_id)
        if key not in existing and key not in fresh:
            fresh[key] = item
    now = datetime.now(UTC)
    if fresh:
        start = room.last_seq
        await Message.bulk_create(
            [
                Message(
                    room_id=room_id,
                    seq=start + offset,
                    sender_id=item.sender_id,
                    body=clean_message(item.body),
                    client_msg_id=item.client_msg_id,
                    created_at=now,
                )
                for offset, item in enumerate(fresh.values(), start=1)
            ]
        )
        await Room.filter(id=room_id).update(last_seq=start + len(fresh), last_activity_at=now)
        for m in await Message.filter(room_id=room_id, seq__gt=start):
            existing[(m.sender_id, m.client_msg_id)] = m  # type: ignore[attr-defined]
    senders = {u.id: u for u in await User.filter(id__in={i.sender_id for i in items})}
    outcomes = []
    created_keys = set(fresh)
    for item in items:
        key = (item.sender_id, item.client_msg_id)
        message = existing[key]
        created = key in created_keys
        created_keys.discard(key)  # a twin inside the same batch is a duplicate
        outcomes.append(Outcome(item, message_dict(message, senders[item.sender_id]), created))
    return outcomes
