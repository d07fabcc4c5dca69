"""The worker's half of every message write: apply a batch of queued operations, exactly once.

One rule, two adapters of the send store (`portable`, any database; `postgres`, the PostgreSQL
fast path) chosen once at wiring time (`chatty.compose`): each room's row is locked, rooms in id
order so two workers cannot deadlock, before its existing client ids are read and its
`last_seq` advanced, so seq stays gap-free and unique with any number of workers, and a
rolled-back batch gives its numbers back. The gateway never calls this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.files.service import attach
from backend.files.service import link as link_attachments
from backend.files.signing import Signer
from backend.messages.enrich import enrich
from backend.messages.replies import count_replies
from backend.queue.envelope import (
    DELETE,
    MODERATE_DELETE,
    REACTION_ADD,
    REACTION_REMOVE,
    SEND,
    InboundMessage,
)
from backend.rooms.models import Message
from backend.rooms.notify import Members, concerned, room_members
from backend.rooms.visibility import accept
from backend.shapes.serialize import message_dict
from worker.apply.moderator_delete import apply_moderator_delete
from worker.apply.outcome import Outcome
from worker.apply.reactions import apply_reaction

# (the message, or None if refused; created?; why refused: NOT_FOUND or NOT_MEMBER, else None)
Stored = tuple[dict[str, Any] | None, bool, str | None]
NOT_FOUND = "not_found"  # the room is gone
NOT_MEMBER = "not_a_member"  # the sender is not (or no longer) in the room: nothing is stored


class SendStore(Protocol):
    async def store(self, tx: BaseDBAsyncClient, items: Sequence[InboundMessage]) -> list[Stored]:
        """Insert the sends not stored yet, in the transaction; one result per item, in order."""


@dataclass(frozen=True, slots=True)
class Persister:
    """`await persister(items)`: one transaction for the whole batch."""

    sends: SendStore
    signer: Signer | None = None  # signs the attachments' URLs of what is emitted

    async def __call__(self, items: Sequence[InboundMessage]) -> list[Outcome]:
        # Sends grouped by room (rooms in id order), then the changes that may refer to them.
        sends = sorted((i for i in items if i.op == SEND), key=lambda i: i.room_id)
        outcomes: dict[int, Outcome] = {}
        async with in_transaction() as tx:
            if sends:
                stored = await self.sends.store(tx, sends)
                for item, (message, created, error) in zip(sends, stored, strict=True):
                    outcomes[id(item)] = Outcome(item, message, created, error)
                    if created and message is not None and item.attachment_ids:
                        await link_attachments(
                            message["id"],
                            sender_id=item.sender_id,
                            room_id=item.room_id,
                            ids=item.attachment_ids,
                        )
            for item in items:
                if item.op != SEND:
                    outcomes[id(item)] = await apply_change(item)
            new = [o.message for o in outcomes.values() if o.new_send and o.message is not None]
            members = await room_members(new)
            # Writing in a room is choosing it: presence may flow (`chat.visibility`).
            await accept({(m["room_id"], m["sender"]["id"]) for m in new}, members)
            await _mentions_recorded(outcomes, members)
            await _replies_counted(outcomes)
        if self.signer is not None:  # a new message without attachment_ids has none: no query
            messages = [
                o.message
                for o in outcomes.values()
                if o.message is not None
                and not (o.created and o.inbound.op == SEND and not o.inbound.attachment_ids)
            ]
            if messages:
                await attach(messages, self.signer)
        return [outcomes[id(item)] for item in items]


async def _mentions_recorded(outcomes: dict[int, Outcome], members: Members) -> None:
    fresh = [(key, o) for key, o in outcomes.items() if o.new_send]
    found = await concerned([o.message for _, o in fresh if o.message is not None], members)
    for (key, outcome), (mentions, due) in zip(fresh, found, strict=True):
        assert outcome.message is not None
        outcome.message["mentions"] = mentions
        outcomes[key] = replace(outcome, notify=due)


async def _replies_counted(outcomes: dict[int, Outcome]) -> None:
    """Advance the targets of replies stored now; each target is re-sent after the last reply
    of the batch naming it. Then every message gets its `reply_to` context."""
    fresh = [(key, o) for key, o in outcomes.items() if o.new_send and o.inbound.reply_to_id]
    pairs = [(int(o.message["id"]), o.inbound.reply_to_id) for _, o in fresh if o.message]
    targets = await count_replies(pairs) if pairs else {}
    for key, outcome in reversed(fresh):
        target = targets.pop(outcome.inbound.reply_to_id, None)
        if target is not None:
            outcomes[key] = replace(outcome, updated=(target,))
    await enrich(
        [m for o in outcomes.values() if o.message is not None for m in (o.message, *o.updated)],
        new={o.message["id"] for o in outcomes.values() if o.new_send and o.message is not None},
    )


async def apply_change(item: InboundMessage) -> Outcome:
    """An edit or delete queued by the gateway; a deleted message keeps its seq, body ""."""
    if item.op == MODERATE_DELETE:
        return await apply_moderator_delete(item)
    if item.op in (REACTION_ADD, REACTION_REMOVE):
        reacted = await apply_reaction(item)
        if reacted is None:
            return Outcome(item, None, created=False, error="not_found")
        author = await User.get(id=reacted.sender_id)  # type: ignore[attr-defined]
        return Outcome(item, message_dict(reacted, author), created=True)
    message = await Message.filter(id=item.message_id).select_for_update().first()
    if message is None or message.sender_id != item.sender_id:  # type: ignore[attr-defined]
        return Outcome(item, None, created=False, error="not_found")
    if not message.deleted:  # a delete is final; a retried change finds it applied
        message.edited_at = datetime.now(UTC)
        if item.op == DELETE:
            message.deleted, message.body = True, ""
        else:
            message.body, message.source = item.cleaned(), item.body.strip()
        if item.op == DELETE:
            message.source = ""
        await message.save(update_fields=["body", "source", "deleted", "edited_at"])
    sender = await User.get(id=item.sender_id)
    return Outcome(item, message_dict(message, sender), created=True)
