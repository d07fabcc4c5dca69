"""Request shapes of the room/history routes and of every client→server socket event."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from backend.shapes.validation import INT64_MAX, Id, IdKey, Seq, StrictSchema

CLIENT_MSG_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
BODY_MAX = 4000
ATTACHMENTS_MAX = 10  # uploads one message may carry


class _Trimmed(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return str(super()._deserialize(value, attr, data, **kwargs)).strip()


def Body() -> fields.String:
    return _Trimmed(required=True, validate=validate.Length(min=1, max=BODY_MAX))


class RoomCreateIn(StrictSchema):
    name = _Trimmed(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf(["public", "private"]))


class UserRefIn(StrictSchema):
    user_id = Id(required=True)


class RoomRefIn(StrictSchema):
    room_id = Id(required=True)


class ReadIn(StrictSchema):
    seq = Seq(required=True)


class RoomReadIn(RoomRefIn):
    seq = Seq(required=True)


class SendIn(RoomRefIn):
    # send v2: `body` may be empty when `attachment_ids` names uploads (contract §6).
    body = _Trimmed(load_default="", validate=validate.Length(max=BODY_MAX))
    reply_to_id = Id(load_default=None)  # send v2
    client_msg_id = fields.String(
        required=True, validate=validate.Regexp(CLIENT_MSG_ID, error="8-64 chars, e.g. a UUID")
    )
    attachment_ids = fields.List(
        Id(), load_default=list, validate=validate.Length(max=ATTACHMENTS_MAX)
    )

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("body") and not data.get("attachment_ids"):
            raise ValidationError("Shorter than minimum length 1.", "body")


class EditIn(StrictSchema):
    message_id = Id(required=True)
    body = Body()


class DeleteIn(StrictSchema):
    message_id = Id(required=True)


class TypingIn(RoomRefIn):
    typing = fields.Boolean(required=True, truthy={True}, falsy={False})


class HistoryQuery(StrictSchema):
    """Query-string cursors (strings are parsed); `limit` 1-100, default 50."""

    before_seq = fields.Integer(load_default=None, validate=validate.Range(min=1, max=INT64_MAX))
    after_seq = fields.Integer(load_default=None, validate=validate.Range(min=0, max=INT64_MAX))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    # Only the replies to this message (contract §6), ascending; pages on with `after_seq`.
    replies_to = fields.Integer(load_default=None, validate=validate.Range(min=1, max=INT64_MAX))
    # The page centred on this seq (contract §6, to open a search result); cursors are ignored.
    around_seq = fields.Integer(load_default=None, validate=validate.Range(min=1, max=INT64_MAX))

    @validates_schema
    def _window(self, data: dict[str, Any], **_: Any) -> None:
        before, after = data.get("before_seq"), data.get("after_seq")
        if before is not None and after is not None and after >= before:
            raise ValidationError("after_seq must be below before_seq", "after_seq")


class HistoryIn(HistoryQuery):
    room_id = Id(required=True)
    before_seq = Seq(load_default=None)
    after_seq = Seq(load_default=None)
    replies_to = Id(load_default=None)
    limit = fields.Integer(strict=True, load_default=50, validate=validate.Range(min=1, max=100))


class SyncIn(StrictSchema):
    rooms = fields.Dict(
        keys=IdKey(),
        values=Seq(),
        required=True,
        validate=validate.Length(max=500),
    )
