"""The worker's half of a moderator's delete (`moderate.delete` v1), in the batch's order with
edits and the author's own deletes. The role is checked again here, under the message's row
lock: a moderator demoted or kicked after queueing the delete no longer deletes anything."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.accounts.models import User
from backend.queue.envelope import InboundMessage
from backend.rooms.models import Membership, Message
from backend.rooms.roles import ADMIN, RANK
from backend.shapes.serialize import message_dict
from worker.apply.outcome import Outcome


async def apply_moderator_delete(item: InboundMessage) -> Outcome:
    message = await Message.filter(id=item.message_id).select_for_update().first()
    if message is None or message.room_id != item.room_id:  # type: ignore[attr-defined]
        return Outcome(item, None, created=False, error="not_found")
    moderator = await Membership.get_or_none(room_id=item.room_id, user_id=item.sender_id)
    if moderator is None or RANK.get(moderator.role, 0) < RANK[ADMIN]:
        return Outcome(item, None, created=False, error="forbidden")
    if not message.deleted:  # a retried delete finds it applied
        message.deleted, message.body, message.edited_at = True, "", datetime.now(UTC)
        await message.save(update_fields=["body", "deleted", "edited_at"])
    author = await User.get(id=message.sender_id)  # type: ignore[attr-defined]
    return Outcome(item, message_dict(message, author), created=True)
