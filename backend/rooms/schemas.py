"""Request shapes of the moderation, profile and blocking routes (contract §6)."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.shapes.chat_schemas import _Trimmed
from backend.shapes.validation import StrictSchema

TOPIC_MAX = 250


class RoomPatchIn(StrictSchema):
    name = _Trimmed(validate=validate.Length(min=1, max=80))
    topic = _Trimmed(validate=validate.Length(max=TOPIC_MAX))


class RoleIn(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(["admin", "member"]))


class ProfileIn(StrictSchema):
    display_name = _Trimmed(validate=validate.Length(min=1, max=64))
