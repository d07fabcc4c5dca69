"""Request and response shapes of the auth and user routes (contract §1-3)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import fields, post_load, validate

from backend.shapes.validation import StrictSchema

USERNAME_RE = re.compile(r"^[a-z0-9_.-]{3,32}$", re.IGNORECASE)


def Username() -> fields.String:
    return fields.String(
        required=True, validate=validate.Regexp(USERNAME_RE, error="3-32 chars of a-z 0-9 _ . -")
    )


def Password() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=8, max=128))


class _LowerUsername(StrictSchema):
    @post_load
    def lower(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "username" in data:
            data["username"] = data["username"].lower()
        return data


class RegisterIn(_LowerUsername):
    username = Username()
    password = Password()
    display_name = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    invite_code = fields.String(load_default=None, validate=validate.Length(min=1, max=128))


class LoginIn(_LowerUsername):
    username = fields.String(required=True, validate=validate.Length(min=1, max=32))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class RefreshIn(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=256))


class LogoutIn(StrictSchema):
    refresh_token = fields.String(load_default=None, validate=validate.Length(min=1, max=256))


class RecoverIn(_LowerUsername):
    username = fields.String(required=True, validate=validate.Length(min=1, max=32))
    recovery_phrase = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = Password()


class UserSearchIn(StrictSchema):
    q = fields.String(load_default="", validate=validate.Length(max=32))


class PasswordChangeIn(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = Password()


class RecoveryPhraseIn(StrictSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))
