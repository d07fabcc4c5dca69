"""The portable send store (SQLite, and any database Tortoise speaks): a few statements a room,
the same rule as `persist` says (a sender not in the room refused under the room's lock)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import groupby

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.accounts.models import User
from backend.queue.envelope import InboundMessage
from backend.rooms.models import Membership, Message, Room
from backend.shapes.serialize import message_dict
from worker.apply.persist import NOT_FOUND, NOT_MEMBER, Stored

Key = tuple[int, str]


class PortableSends:
    async def store(self, tx: BaseDBAsyncClient, items: Sequence[InboundMessage]) -> list[Stored]:
        results: list[Stored] = []
        for room_id, group in groupby(items, key=lambda i: i.room_id):  # sorted by room
            results.extend(await _store_room(room_id, list(group)))
        return results


async def _store_room(room_id: int, items: list[InboundMessage]) -> list[Stored]:
    room = await Room.filter(id=room_id).select_for_update().first()
    if room is None:
        return [(None, False, NOT_FOUND) for _ in items]
    # Under the room's lock, like the seq: a sender no longer in the room stores nothing.
    rows = await Membership.filter(
        room_id=room_id, user_id__in={i.sender_id for i in items}
    ).values_list("user_id", flat=True)
    members = {int(u) for u in rows}  # type: ignore[call-overload]
    client_ids = list({item.client_msg_id for item in items})
    existing = {
        (m.sender_id, m.client_msg_id): m  # type: ignore[attr-defined]
        for m in await Message.filter(room_id=room_id, client_msg_id__in=client_ids)
    }
    fresh: dict[Key, InboundMessage] = {}
    for item in items:
        key = (item.sender_id, item.client_msg_id)
        if key not in existing and key not in fresh and item.sender_id in members:
            fresh[key] = item
    if fresh:
        await _insert(room, list(fresh.values()))
        for m in await Message.filter(room_id=room_id, seq__gt=room.last_seq):
            existing[(m.sender_id, m.client_msg_id)] = m  # type: ignore[attr-defined]
    senders = {u.id: u for u in await User.filter(id__in={i.sender_id for i in items})}
    results: list[Stored] = []
    created = set(fresh)
    for item in items:
        key = (item.sender_id, item.client_msg_id)
        if key not in existing:  # already stored is never refused: it was sent as a member
            results.append((None, False, NOT_MEMBER))
            continue
        results.append((message_dict(existing[key], senders[item.sender_id]), key in created, None))
        created.discard(key)  # a twin inside the same batch is a duplicate
    return results


async def _insert(room: Room, items: list[InboundMessage]) -> None:
    now = datetime.now(UTC)
    await Message.bulk_create(
        [
            Message(
                room_id=room.id,
                seq=room.last_seq + offset,
                sender_id=item.sender_id,
                body=item.cleaned(),
                source=item.body.strip(),
                reply_to_id=item.reply_to_id or None,
                client_msg_id=item.client_msg_id,
                created_at=now,
            )
            for offset, item in enumerate(items, start=1)
        ]
    )
    await Room.filter(id=room.id).update(last_seq=room.last_seq + len(items), last_activity_at=now)
