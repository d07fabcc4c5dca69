"""The REST API's response shapes (contract §2), for the OpenAPI description and its tests."""

from __future__ import annotations

from marshmallow import fields

from backend.shapes.validation import StrictSchema


class UserOut(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    created_at = fields.String(required=True)
    avatar_url = fields.String(required=True, allow_none=True)
    is_admin = fields.Boolean(required=True)
    is_bot = fields.Boolean(required=True)
    deactivated = fields.Boolean(required=True)


class TokensOut(StrictSchema):
    user = fields.Nested(UserOut, required=True)
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class RegisteredOut(TokensOut):
    recovery_phrase = fields.String(required=True)


class RecoveryPhraseOut(StrictSchema):
    recovery_phrase = fields.String(required=True)


class RoomOut(StrictSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    created_at = fields.String(required=True)
    last_activity_at = fields.String()
    member_count = fields.Integer(required=True)
    last_seq = fields.Integer(required=True)
    unread_count = fields.Integer(required=True)
    peer = fields.Nested(UserOut)
    topic = fields.String()
    role = fields.String(allow_none=True)
    mention_count = fields.Integer()
    notify = fields.String()


class RoomsOut(StrictSchema):
    rooms = fields.List(fields.Nested(RoomOut), required=True)


class UsersOut(StrictSchema):
    users = fields.List(fields.Nested(UserOut), required=True)


class MemberOut(UserOut):
    online = fields.Boolean(required=True)
    last_read_seq = fields.Integer(required=True)
    role = fields.String()


class MembersOut(StrictSchema):
    members = fields.List(fields.Nested(MemberOut), required=True)


class ReplyToOut(StrictSchema):
    id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    sender = fields.Nested(UserOut, required=True)
    excerpt = fields.String(required=True)


class ReactionOut(StrictSchema):
    emoji = fields.String(required=True)
    count = fields.Integer(required=True)
    user_ids = fields.List(fields.Integer(), required=True)


class AttachmentOut(StrictSchema):
    """Contract §6: `width`, `height` and `thumbnail_url` only for images; URLs are relative,
    signed and expiring."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    width = fields.Integer(required=True, allow_none=True)
    height = fields.Integer(required=True, allow_none=True)
    url = fields.String(required=True)
    thumbnail_url = fields.String(required=True, allow_none=True)


class MessageOut(StrictSchema):
    id = fields.Integer(required=True)
    room_id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    sender = fields.Nested(UserOut, required=True)
    body = fields.String(required=True)
    source = fields.String(metadata={"description": "the author's Markdown (plain text)"})
    client_msg_id = fields.String(required=True)
    created_at = fields.String(required=True)
    edited_at = fields.String(required=True, allow_none=True)
    deleted = fields.Boolean(required=True)
    reply_to = fields.Nested(ReplyToOut, allow_none=True)
    reply_count = fields.Integer()
    reactions = fields.List(fields.Nested(ReactionOut))
    mentions = fields.List(fields.Integer())
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)


class MessagesOut(StrictSchema):
    messages = fields.List(fields.Nested(MessageOut), required=True)
    has_more = fields.Boolean(required=True)


class SearchRoomOut(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class SearchResultOut(StrictSchema):
    message = fields.Nested(MessageOut, required=True)
    room = fields.Nested(SearchRoomOut, required=True)
    highlight = fields.String(required=True)


class SearchOut(StrictSchema):
    results = fields.List(fields.Nested(SearchResultOut), required=True)
    has_more = fields.Boolean(required=True)


class ErrorBody(StrictSchema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorOut(StrictSchema):
    error = fields.Nested(ErrorBody, required=True)
