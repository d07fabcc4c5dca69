"""The gateway's half of every message write: validate, authorise, rate-limit, queue durably —
then ack. The worker applies what is queued; the gateway never writes a message itself."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Container
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from backend.content.sanitize import clean_message, is_plain
from backend.files.service import check_unsent
from backend.inbound.write_path import WritePath
from backend.messages.replies import reply_target
from backend.queue.envelope import EDIT, SEND, InboundMessage
from backend.rooms.dms import refuse_in_blocked_dm
from backend.rooms.members import require_member
from backend.rooms.models import Message
from backend.shapes.channels import room_channel
from backend.shapes.chat_schemas import DeleteIn, EditIn, SendIn
from backend.shapes.errors import Forbidden, NotFound, ValidationFailed
from backend.shapes.validation import load

STORED_BODY_MAX = 10_000  # characters of a cleaned body (the input limit is 4,000)
# A body longer than this renders off the event loop. Rendering is linear, ~1 µs a character
# at worst (bench/render_shapes.py), so a shorter one costs the loop well under a millisecond
# whatever its shape; a longer one could cost a few, and a burst of them (one sender's 40) had
# the loop stalled for 0.3-0.5 s. The renderer and the sanitizer are C and Rust that release
# the GIL: in their own thread they run beside the loop. One thread: a gateway spends at most
# one core rendering, and a flood of long bodies queues behind itself, not in front of others.
RENDER_INLINE_MAX = 500
_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
_SEND, _EDIT, _DELETE = SendIn(), EditIn(), DeleteIn()


async def queue_message(
    data: Any,
    *,
    user_id: int,
    writes: WritePath,
    socket_rooms: Container[str] = (),
    before_queue: Callable[[int], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Returns the ack result only once the message is stored in the inbound queue.

    `socket_rooms` are the sender socket's Socket.IO rooms: being in a room's channel proves
    membership (joins and leaves keep them in step), which spares the database a query per
    message; otherwise the database decides. `before_queue(room_id)` runs before the
    membership check (a hidden DM is re-opened there).
    """
    args = load(_SEND, data)
    attachment_ids, body = args["attachment_ids"], args["body"]
    member_socket = room_channel(args["room_id"]) in socket_rooms
    # A plain line (`is_plain`: nothing to render, never refused for its body) by a member's
    # socket needs nothing of the database or the renderer: it pays its rate with the append.
    # Any other send pays first, before any rendering or query, so one that is refused still
    # costs its sender a message (`WritePath`).
    plain = member_socket and not (attachment_ids or args["reply_to_id"]) and is_plain(body)
    if not plain:
        await writes.charge(user_id)
    if before_queue is not None:
        await before_queue(args["room_id"])
    if room_channel(args["room_id"]) not in socket_rooms:  # a re-opened DM may have joined it
        await require_member(user_id, args["room_id"])
    if attachment_ids:
        await check_unsent(user_id, args["room_id"], attachment_ids)
    html = ""
    if not plain and (body or not attachment_ids):
        html = await check_body(body)  # the one rendering of this send, the worker's too
    reply_to_id = await reply_target(args["room_id"], args["reply_to_id"])
    inbound = InboundMessage(
        room_id=args["room_id"],
        sender_id=user_id,
        client_msg_id=args["client_msg_id"],
        body=body,
        op=SEND,
        v=2 if reply_to_id or attachment_ids else 1,  # v1 workers keep applying plain sends
        reply_to_id=reply_to_id,
        attachment_ids=tuple(attachment_ids),
        html=html,
    )
    await writes.publish(inbound, paid=not plain)
    return {"client_msg_id": inbound.client_msg_id}


async def queue_change(
    data: Any,
    *,
    op: str,
    user_id: int,
    writes: WritePath,
) -> dict[str, Any]:
    """An edit or a delete of the caller's own message, queued like a send."""
    args = load(_EDIT if op == EDIT else _DELETE, data)
    await writes.charge(user_id)
    message = await own_message(user_id, args["message_id"])
    body, html = args.get("body", ""), ""
    if op == EDIT:
        html = await check_body(body)
        await refuse_in_blocked_dm(user_id, message.room_id)  # type: ignore[attr-defined]
    await writes.publish(
        InboundMessage(
            room_id=message.room_id,  # type: ignore[attr-defined]
            sender_id=user_id,
            client_msg_id=message.client_msg_id,
            body=body,
            op=op,
            message_id=message.id,
            html=html,
        )
    )
    return {}


async def check_body(body: str) -> str:
    """What the worker will store must be non-empty and bounded once cleaned: escaping can
    make a body of 4,000 `&` five times as long, and every reply that carries it grows too.
    Returns the cleaned HTML, which the envelope carries to the worker."""
    if len(body) <= RENDER_INLINE_MAX:
        cleaned = clean_message(body)
    else:
        cleaned = await asyncio.get_running_loop().run_in_executor(_RENDERER, clean_message, body)
    if not cleaned:
        raise ValidationFailed(details={"body": ["nothing is left after removing unsafe markup"]})
    if len(cleaned) > STORED_BODY_MAX:
        raise ValidationFailed(details={"body": ["too long once its markup is escaped"]})
    return cleaned


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
