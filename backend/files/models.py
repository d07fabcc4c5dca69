"""The attachments table. A row is an upload; `message` is set once a send links it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from backend.accounts.models import User
    from backend.rooms.models import Message, Room

MESSAGE, AVATAR = "message", "avatar"
PENDING = "pending"  # an upload in progress: its claim on the quota (`backend.files.reserve`)


class Attachment(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="attachments", on_delete=fields.CASCADE, db_index=True
    )
    # SET NULL, not CASCADE: a deleted room or message leaves rows whose files the sweep
    # removes (`backend/files/lifecycle.py`) — a cascade would forget where the files are.
    room: fields.ForeignKeyNullableRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="attachments", on_delete=fields.SET_NULL, null=True
    )
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="attachments", on_delete=fields.SET_NULL, null=True
    )
    purpose = fields.CharField(max_length=8, default=MESSAGE)  # message | avatar | pending
    name = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=64)
    size = fields.BigIntField()
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    key = fields.CharField(max_length=200)
    thumb_key = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "attachments"
