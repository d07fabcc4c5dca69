"""The workspace's tables: its one settings row and its invites."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.accounts.models import User

ROW_ID = 1  # the one row, made by the `workspace` migration


class Workspace(Model):
    """The installation's settings, one row; also the lock on who is an admin.

    `registration` null: `CHATTY_REGISTRATION` decides, until an admin chooses. Changes to who
    is an admin (and the first registration) lock this row, so they happen one at a time.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, default="chatty")
    registration = fields.CharField(max_length=8, null=True)  # open | invite | closed
    retention_days = fields.IntField(null=True)

    class Meta:
        table = "workspace"


class Invite(Model):
    """A code that lets up to `max_uses` people register and join `room_ids`.

    Only the code's SHA-256 is kept: it is shown once, at creation.
    """

    id = fields.BigIntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    max_uses = fields.IntField(default=1)
    uses = fields.IntField(default=0)
    expires_at = fields.DatetimeField()
    room_ids = fields.JSONField[list[int]](default=list)
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invites", on_delete=fields.CASCADE, db_index=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)  # revoked: refused from then on, not listed

    class Meta:
        table = "invites"
