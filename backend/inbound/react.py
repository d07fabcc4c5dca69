"""The gateway's half of `reaction:add` / `reaction:remove` (contract §6): validate, authorise
and queue `reaction.add` / `reaction.remove` v1 (`body` is the emoji), like every message change.
The worker applies them (worker/apply/reactions.py); both halves share the 20-emoji rule."""

from __future__ import annotations

import re
from typing import Any

import emoji as emoji_lib
from marshmallow import ValidationError, fields, validate

from backend.inbound.write_path import WritePath
from backend.messages.reactions import EMOJI_MAX, MAX_DISTINCT, room_for
from backend.queue.envelope import REACTION_ADD, InboundMessage
from backend.rooms.dms import refuse_in_blocked_dm
from backend.rooms.members import require_member
from backend.rooms.models import Message
from backend.shapes.errors import NotFound, ValidationFailed
from backend.shapes.validation import Id, StrictSchema, load

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
    if op == REACTION_ADD and not await room_for(message.id, args["emoji"]):
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
