"""Reactions (contract §6): `reaction:add` / `reaction:remove`, queued like every message change.

The gateway validates, authorises and queues `reaction.add` / `reaction.remove` v1 (`body` is
the emoji); the worker applies them under the message's row lock, in arrival order with edits
and deletes. The unique key (message, user, emoji) makes a retried add a no-op, whatever worker
or crash replays it. Every Message carries `reactions` (`with_reactions`), in first-use order.
"""

from __future__ import annotations

import re
from typing import Any

import emoji as emoji_lib
from marshmallow import ValidationError, fields, validate

from backend.inbound.envelope import REACTION_ADD, InboundMessage
from backend.inbound.write_path import WritePath
from backend.rooms.dms import refuse_in_blocked_dm
from backend.rooms.members import require_member
from backend.rooms.models import Membership, Message, Reaction
from backend.shapes.errors import NotFound, ValidationFailed
from backend.shapes.validation import Id, StrictSchema, load

MAX_DISTINCT = 20
# The column's width: an emoji longer than it ("😀" + 9,000 variation selectors is still one
# emoji to the `emoji` library) would pass here and fail the worker's whole batch.
EMOJI_MAX: int = Reaction._meta.fields_map["emoji"].max_length  # type: ignore[attr-defined]
_SHORTCODE = re.compile(r"^:[a-z0-9_+-]{1,32}:$")


def valid_emoji(value: str) -> bool:
    """One Unicode emoji (a ZWJ sequence or flag counts as one) or a `:short_name:`."""
    return bool(_SHORTCODE.match(value)) or (
        emoji_lib.purely_emoji(value) and (emoji_lib.emoji_count(value) == 1)
    )


def _check(value: str) -> None:
    if not valid_emoji(value):
        raise ValidationError("one emoji, or :short_name: of 1-32 chars of [a-z0-9_+-]")


class ReactionIn(StrictSchema):
    message_id = Id(required=True)
    # The length first: it is cheap, and the column refuses anything longer.
    emoji = fields.String(required=True, validate=[validate.Length(min=1, max=EMOJI_MAX), _check])


_REACTION = ReactionIn()


async def queue_reaction(
    data: Any,
    *,
    op: str,
    user_id: int,
    writes: WritePath,
) -> dict[str, Any]:
    """Members only; at most 20 distinct emoji per message (checked again by the worker)."""
    args = load(_REACTION, data)
    await writes.charge(user_id)
    message = await Message.get_or_none(id=args["message_id"])
    if message is None:
        raise NotFound("message not found")
    room_id: int = message.room_id  # type: ignore[attr-defined]
    room = await require_member(user_id, room_id)
    if message.deleted:
        raise NotFound("message was deleted")
    if op == REACTION_ADD and room.dm_key is not None:  # taking one back is always allowed
        await refuse_in_blocked_dm(user_id, room_id)
    if op == REACTION_ADD and not await _room_for(message.id, args["emoji"]):
        raise ValidationFailed(details={"emoji": [f"at most {MAX_DISTINCT} distinct per message"]})
    inbound = InboundMessage(
        room_id=room_id,
        sender_id=user_id,
        client_msg_id=message.client_msg_id,
        body=args["emoji"],
        op=op,
        message_id=message.id,
    )
    await writes.publish(inbound)
    return {}


async def _room_for(message_id: int, emoji: str) -> bool:
    """Whether `emoji` may be added: already used, or fewer than 20 distinct so far."""
    rows = await Reaction.filter(message_id=message_id).values_list("emoji", flat=True)
    used: set[str] = {str(e) for e in rows}
    return emoji in used or len(used) < MAX_DISTINCT


async def apply_reaction(item: InboundMessage) -> Message | None:
    """The worker's half; the message (to re-send) or None if it is gone or the user left."""
    message = await Message.filter(id=item.message_id).select_for_update().first()
    if message is None or not await Membership.exists(
        room_id=message.room_id,  # type: ignore[attr-defined]
        user_id=item.sender_id,
    ):
        return None
    if message.deleted:
        return message
    if item.op == REACTION_ADD:
        if await _room_for(message.id, item.body):
            await Reaction.get_or_create(
                message_id=message.id, user_id=item.sender_id, emoji=item.body
            )
    else:
        await Reaction.filter(
            message_id=message.id, user_id=item.sender_id, emoji=item.body
        ).delete()
    return message


async def with_reactions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each message's `reactions`: `[{emoji, count, user_ids}]` in first-use order."""
    ids = [m["id"] for m in messages if not m["deleted"]]
    rows = (
        await Reaction.filter(message_id__in=ids)
        .order_by("id")
        .values("message_id", "emoji", "user_id")
        if ids
        else []
    )
    grouped: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        grouped.setdefault(row["message_id"], {}).setdefault(row["emoji"], []).append(
            row["user_id"]
        )
    for message in messages:
        by_emoji = grouped.get(message["id"], {})
        message["reactions"] = [
            {"emoji": e, "count": len(users), "user_ids": users} for e, users in by_emoji.items()
        ]
    return messages
