"""Chat tables. `Room.last_seq` is the per-room sequence: the worker bumps it under a row lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from backend.accounts.models import User


class Room(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # public | private | dm
    name = fields.CharField(max_length=80)
    topic = fields.CharField(max_length=250, default="")
    # A public room's folded name, unique; null for private rooms and DMs (`chat/room_names.py`).
    name_key = fields.CharField(max_length=255, null=True, unique=True)
    # "lo:hi" user ids of a DM's two members: one DM room per pair, enforced by the database.
    dm_key = fields.CharField(max_length=48, null=True, unique=True)
    last_seq = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_activity_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "rooms"
        indexes = (("kind", "id"),)


class Membership(Model):
    id = fields.BigIntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="memberships", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE, db_index=True
    )
    last_read_seq = fields.BigIntField(default=0)
    role = fields.CharField(max_length=8, default="member")  # owner | admin | member
    # The member chose the room (created or joined it, or wrote in it), not merely added to it:
    # presence flows only between members who both did (`backend/rooms/visibility.py`).
    accepted = fields.BooleanField(default=False)
    # "all" | "mentions" | "none"; null: the room's default (`chat.mentions.notify_level`).
    notify = fields.CharField(max_length=8, null=True)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "memberships"
        unique_together = (("room", "user"),)


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="messages", on_delete=fields.CASCADE, db_index=False
    )
    seq = fields.BigIntField()
    sender: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="messages", on_delete=fields.CASCADE, db_index=False
    )
    body = fields.TextField()
    # What the author typed (Markdown); `body` is its rendered, cleaned HTML (null before v1.1).
    source = fields.TextField(null=True)
    # A reply names the message it answers (same room); `reply_count` counts the replies naming
    # it, advanced by the worker in the reply's own transaction.
    reply_to: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message",
        related_name="replies",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
        # No database constraint: SQLite cannot add one to an existing table, and a message
        # row only goes away with its whole room.
        db_constraint=False,
    )
    reply_count = fields.IntField(default=0)
    client_msg_id = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted = fields.BooleanField(default=False)

    class Meta:
        table = "messages"
        # (room, seq) serves history keyset pages; (room, sender, client_msg_id) makes a retried
        # send land once, whichever worker sees it.
        unique_together = (("room", "seq"), ("room", "sender", "client_msg_id"))


class RoomBan(Model):
    """A user who may not join or be added to a room until unbanned."""

    id = fields.BigIntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="bans", on_delete=fields.CASCADE, db_index=False
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="room_bans", on_delete=fields.CASCADE, db_index=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "room_bans"
        unique_together = (("room", "user"),)


class Reaction(Model):
    """`user` reacted to `message` with `emoji`; once per (message, user, emoji)."""

    id = fields.BigIntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="reactions", on_delete=fields.CASCADE, db_index=False
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reactions", on_delete=fields.CASCADE, db_index=True
    )
    emoji = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reactions"
        # Leads with message: serves the per-message aggregate and makes a retried add a no-op.
        unique_together = (("message", "user", "emoji"),)


class Mention(Model):
    """`message` concerns `user`: it names them (`kind` "mention", also `@room`) or replies to a
    message of theirs ("reply"). Counted against the member's read marker for `mention_count`."""

    id = fields.BigIntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="mention_rows", on_delete=fields.CASCADE, db_index=False
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="mentions", on_delete=fields.CASCADE, db_index=False
    )
    room_id = fields.BigIntField()
    seq = fields.BigIntField()
    kind = fields.CharField(max_length=8)

    class Meta:
        table = "mentions"
        unique_together = (("message", "user"),)
        indexes = (("user", "room_id", "seq"),)
