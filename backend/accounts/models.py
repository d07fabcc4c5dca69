"""Account tables: users, refresh tokens, blocks, password resets (secrets only as hashes)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=32, unique=True)  # stored lower-case
    display_name = fields.CharField(max_length=64)
    password_hash = fields.CharField(max_length=255)
    recovery_hash = fields.CharField(max_length=255)
    # Bumped when every earlier session must die (recovery); access tokens carry it.
    session_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The attachment holding the user's avatar (`backend/api/avatars.py`); also its version.
    avatar_id = fields.BigIntField(null=True)
    # Workspace roles and states (contract §7.1): an admin runs the workspace; a bot is an
    # account without a password; a deactivated account keeps its messages but cannot sign in.
    is_admin = fields.BooleanField(default=False)
    is_bot = fields.BooleanField(default=False)
    deactivated = fields.BooleanField(default=False)
    last_seen_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"


class RefreshToken(Model):
    """One rotating refresh token; `family` ties a login's chain of rotations together."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE, db_index=True
    )
    family = fields.CharField(max_length=36, db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_tokens"


class Block(Model):
    """`blocker` blocked `blocked`: no DMs or room adds from them, no presence either way."""

    id = fields.BigIntField(primary_key=True)
    blocker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="blocks_made", on_delete=fields.CASCADE, db_index=False
    )
    blocked: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="blocks_received", on_delete=fields.CASCADE, db_index=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "blocks"
        unique_together = (("blocker", "blocked"),)


class PasswordReset(Model):
    """A single-use code an admin issued so a user can set a new password (contract §7.1)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="password_resets", on_delete=fields.CASCADE, db_index=True
    )
    code_hash = fields.CharField(max_length=255)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "password_resets"
