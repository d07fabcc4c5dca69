"""Request shapes of the workspace and admin routes (contract §7.1)."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.rooms.names import NAME_MAX
from backend.settings.config import REGISTRATION_MODES
from backend.shapes.chat_schemas import _Trimmed
from backend.shapes.validation import Id, StrictBool, StrictSchema

DAY = 24 * 3600
INVITE_TTL = 7 * DAY  # an invite's default lifetime
ROOMS_PER_INVITE = 100


class WorkspacePatchIn(StrictSchema):
    name = _Trimmed(validate=validate.Length(min=1, max=NAME_MAX))
    registration = fields.String(validate=validate.OneOf(REGISTRATION_MODES))
    retention_days = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=36500)
    )


class AdminUserPatchIn(StrictSchema):
    is_admin = StrictBool(required=True)


class InviteCreateIn(StrictSchema):
    max_uses = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=1000))
    expires_in = fields.Integer(
        strict=True,
        load_default=INVITE_TTL,
        validate=validate.Range(min=60, max=365 * DAY),
        metadata={"description": "seconds"},
    )
    room_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=ROOMS_PER_INVITE))
