"""The schema of every server→client event's payload: the one written description of what
clients receive, beside the notifier that builds them (`events.py`).

Output schemas, not input ones: `unknown` fields RAISE, so a payload that grows a field nobody
documented fails the tests that check it (the event tests, and every event the integration
suite's clients record). `docs/events.md` is generated from them (`make events-docs`), and an
AsyncAPI document can be (apispec's marshmallow plugin reads the same classes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from backend.fanout import events as ev

NOTIFY_KINDS = ("mention", "reply", "dm", "message")
REMOVAL_REASONS = ("kicked", "deleted")


class Int(fields.Integer):
    """An integer as sent: `"1"` is not one (marshmallow's default would accept it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class Bool(fields.Boolean):
    """`true` or `false` as sent, not `"yes"` or `1`-like strings."""

    truthy = {True}
    falsy = {False}


class Out(Schema):
    """A payload as sent: every field named, none unknown."""

    class Meta:
        unknown = RAISE
        ordered = True


class UserOut(Out):
    id = Int(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    created_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    avatar_url = fields.String(required=True, allow_none=True)
    is_admin = Bool(required=True, metadata={"description": "a workspace admin"})
    is_bot = Bool(required=True)
    deactivated = Bool(required=True)


class ReplyToOut(Out):
    """The replied-to message: its id, with its seq, sender and excerpt once the server has
    filled them in (every message it sends has them, unless the replied-to one is gone)."""

    id = Int(required=True)
    seq = Int()
    sender = fields.Nested(UserOut)
    excerpt = fields.String(metadata={"description": "first 200 characters, HTML-escaped"})


class ReactionOut(Out):
    emoji = fields.String(required=True)
    count = Int(required=True)
    user_ids = fields.List(Int(), required=True)


class AttachmentOut(Out):
    id = Int(required=True)
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = Int(required=True)
    width = Int(required=True, allow_none=True)
    height = Int(required=True, allow_none=True)
    url = fields.String(required=True, metadata={"description": "signed, expires"})
    thumbnail_url = fields.String(required=True, allow_none=True)


class MessageOut(Out):
    id = Int(required=True)
    room_id = Int(required=True)
    seq = Int(required=True, metadata={"description": "gap-free per room, from 1"})
    sender = fields.Nested(UserOut, required=True)
    body = fields.String(required=True, metadata={"description": "cleaned HTML"})
    source = fields.String(required=True, metadata={"description": "the author's Markdown"})
    client_msg_id = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    edited_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    deleted = Bool(required=True)
    reply_to = fields.Nested(ReplyToOut, required=True, allow_none=True)
    reply_count = Int(required=True)
    reactions = fields.List(fields.Nested(ReactionOut), required=True)
    mentions = fields.List(Int(), required=True, metadata={"description": "user ids"})
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)


class ErrorOut(Out):
    code = fields.String(required=True)
    message = fields.String(required=True)


class MessageRejectedOut(Out):
    room_id = Int(required=True)
    client_msg_id = fields.String(required=True)
    error = fields.Nested(ErrorOut, required=True)


class NotificationOut(Out):
    kind = fields.String(required=True, validate=validate.OneOf(NOTIFY_KINDS))
    room_id = Int(required=True)
    message = fields.Nested(MessageOut, required=True)


class TypingOut(Out):
    room_id = Int(required=True)
    user = fields.Nested(UserOut, required=True)
    typing = Bool(required=True)


class PresenceOut(Out):
    user = fields.Nested(UserOut, required=True)
    online = Bool(required=True)


class ReadOut(Out):
    room_id = Int(required=True)
    user_id = Int(required=True)
    seq = Int(required=True, metadata={"description": "read up to and including"})


class MemberOut(Out):
    room_id = Int(required=True)
    user = fields.Nested(UserOut, required=True)


class RoomSharedOut(Out):
    """A room as every member sees it (the caller's own fields left out)."""

    id = Int(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("public", "private", "dm")))
    name = fields.String(required=True)
    topic = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    last_activity_at = fields.String(required=True, metadata={"format": "date-time"})
    member_count = Int(required=True)
    last_seq = Int(required=True)
    peer = fields.Nested(UserOut)


class RoomRemovedOut(Out):
    room_id = Int(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REMOVAL_REASONS))
    banned = Bool(metadata={"description": "present (true) when the removal is a ban"})


# Each event: its payload's schema, to whom it goes, when.
EVENTS: Mapping[str, tuple[type[Out], str, str]] = {
    ev.MESSAGE_NEW: (MessageOut, "the room", "a message was stored (a retried send: its sender)"),
    ev.MESSAGE_UPDATED: (
        MessageOut,
        "the room",
        "a message was edited, deleted, reacted to, or replied to (its `reply_count`)",
    ),
    ev.MESSAGE_REJECTED: (
        MessageRejectedOut,
        "the sender",
        "a send acknowledged as queued that the worker refused; nothing was stored",
    ),
    ev.NOTIFICATION: (NotificationOut, "each notified user", "a new message concerns them"),
    ev.TYPING: (TypingOut, "the room but the typist's socket", "someone started/stopped typing"),
    ev.PRESENCE: (PresenceOut, "those who may see the user", "a user came online or went away"),
    ev.READ: (ReadOut, "the room", "a member's read position moved forward"),
    ev.MEMBER_JOINED: (MemberOut, "the room", "someone joined or was added"),
    ev.MEMBER_LEFT: (MemberOut, "the room and the leaver", "someone left or was removed"),
    ev.ROOM_UPDATED: (RoomSharedOut, "the room", "a room's settings changed"),
    ev.ROOM_REMOVED: (
        RoomRemovedOut,
        "each socket taken out",
        "the user was kicked or banned, or the room deleted",
    ),
    ev.USER_UPDATED: (UserOut, "those who share a room", "a profile or avatar changed"),
}
_SCHEMAS: dict[str, Out] = {name: schema() for name, (schema, _, _) in EVENTS.items()}


def violations(event: str, payload: Any) -> dict[str, Any]:
    """What is wrong with this payload for this event ({} if nothing; unknown events too)."""
    schema = _SCHEMAS.get(event)
    if schema is None:
        return {}
    if not isinstance(payload, Mapping):
        return {"_schema": [f"a {type(payload).__name__}, not an object"]}
    errors: dict[str, Any] = schema.validate(payload)
    return errors
