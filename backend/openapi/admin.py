"""The OpenAPI operations and shapes of contract §7.1 "Workspace administration" (kept beside
`backend.openapi.spec`, which adds them to the one description)."""

from __future__ import annotations

from marshmallow import fields

from backend.openapi.op import Op
from backend.openapi.responses import UserOut
from backend.shapes.validation import StrictSchema
from backend.workspace import schemas as W


class LimitsOut(StrictSchema):
    message_max_chars = fields.Integer(required=True)
    max_upload_bytes = fields.Integer(required=True)
    max_attachments = fields.Integer(required=True)
    upload_quota_bytes = fields.Integer(required=True, metadata={"description": "0: none"})
    room_name_max_chars = fields.Integer(required=True)
    topic_max_chars = fields.Integer(required=True)


class WorkspaceOut(StrictSchema):
    name = fields.String(required=True)
    registration = fields.String(required=True, metadata={"enum": ["open", "invite", "closed"]})
    retention_days = fields.Integer(required=True, allow_none=True)
    limits = fields.Nested(LimitsOut, required=True)


class InviteOut(StrictSchema):
    id = fields.Integer(required=True)
    max_uses = fields.Integer(required=True)
    uses = fields.Integer(required=True)
    expires_at = fields.String(required=True)
    room_ids = fields.List(fields.Integer(), required=True)
    created_by = fields.Nested(UserOut, required=True)


class InviteCreatedOut(InviteOut):
    code = fields.String(required=True, metadata={"description": "shown only here"})
    url = fields.String(required=True, metadata={"description": "the SPA's register screen"})


class InvitesOut(StrictSchema):
    invites = fields.List(fields.Nested(InviteOut), required=True)


_WRITE_ERRORS = (400, 401, 403, 404, 413, 422, 429)
OPERATIONS = [
    Op(
        "get",
        "/api/v1/workspace",
        "The workspace: name, who may register, retention, the limits clients check",
        200,
        WorkspaceOut,
        auth=False,
    ),
    Op(
        "patch",
        "/api/v1/admin/workspace",
        "Rename the workspace, set who may register or the retention (admin)",
        200,
        WorkspaceOut,
        W.WorkspacePatchIn,
        errors=_WRITE_ERRORS,
    ),
    Op(
        "patch",
        "/api/v1/admin/users/{id}",
        "Make a user a workspace admin or no longer one (admin; the last active admin: 409)",
        200,
        UserOut,
        W.AdminUserPatchIn,
        errors=(*_WRITE_ERRORS, 409),
    ),
    Op(
        "post",
        "/api/v1/admin/invites",
        "Create an invite (admin); its code and URL are shown only in this answer",
        201,
        InviteCreatedOut,
        W.InviteCreateIn,
        errors=_WRITE_ERRORS,
    ),
    Op(
        "get",
        "/api/v1/admin/invites",
        "Invites not deleted, newest first, without their codes (admin)",
        200,
        InvitesOut,
        errors=(403,),
    ),
    Op(
        "delete",
        "/api/v1/admin/invites/{id}",
        "Delete an invite: refused from now on (admin)",
        204,
        errors=(401, 403, 404, 429),
    ),
]
