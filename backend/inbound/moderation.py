"""`message:delete` for everyone: the author's own delete, or a moderator's (admin or owner) of
anyone's message in their room — both queued like every message change, so the worker applies
them in order with edits."""

from __future__ import annotations

from typing import Any

from backend.inbound.write_path import WritePath
from backend.queue.envelope import DELETE, MODERATE_DELETE, InboundMessage
from backend.rooms.members import require_member
from backend.rooms.models import Message
from backend.rooms.roles import ADMIN, require_role
from backend.shapes.chat_schemas import DeleteIn
from backend.shapes.errors import NotFound
from backend.shapes.validation import load

_DELETE = DeleteIn()


async def queue_delete(
    data: Any,
    *,
    user_id: int,
    writes: WritePath,
) -> dict[str, Any]:
    """Charged before the message is even looked up: a refused delete pays like any other."""
    args = load(_DELETE, data)
    await writes.charge(user_id)
    message = await Message.get_or_none(id=args["message_id"])
    if message is None:
        raise NotFound("message not found")
    room_id: int = message.room_id  # type: ignore[attr-defined]
    await require_member(user_id, room_id)
    own = message.sender_id == user_id  # type: ignore[attr-defined]
    if not own:
        await require_role(user_id, room_id, ADMIN)
    if message.deleted:
        raise NotFound("message was deleted")
    inbound = InboundMessage(
        room_id=room_id,
        sender_id=user_id,
        client_msg_id=message.client_msg_id,
        body="",
        op=DELETE if own else MODERATE_DELETE,
        message_id=message.id,
    )
    await writes.publish(inbound)
    return {}
