"""The worker's half of a reaction: applied under the message's row lock, in arrival order with
edits and deletes. The unique key (message, user, emoji) makes a retried add a no-op, whatever
worker or crash replays it."""

from __future__ import annotations

from backend.messages.reactions import room_for
from backend.queue.envelope import REACTION_ADD, InboundMessage
from backend.rooms.models import Membership, Message, Reaction


async def apply_reaction(item: InboundMessage) -> Message | None:
    """The message (to re-send) or None if it is gone or the user left."""
    message = await Message.filter(id=item.message_id).select_for_update().first()
    if message is None or not await Membership.exists(
        room_id=message.room_id,  # type: ignore[attr-defined]
        user_id=item.sender_id,
    ):
        return None
    if message.deleted:
        return message
    if item.op == REACTION_ADD:
        if await room_for(message.id, item.body):
            await Reaction.get_or_create(
                message_id=message.id, user_id=item.sender_id, emoji=item.body
            )
    else:
        await Reaction.filter(
            message_id=message.id, user_id=item.sender_id, emoji=item.body
        ).delete()
    return message
