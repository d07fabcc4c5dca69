"""marshmallow at the edges: every REST body and socket payload is loaded through `load`."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from backend.shapes.errors import BadRequest, ValidationFailed


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validate `data`; a non-object is a `bad_request`, bad fields a `validation_error`."""
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    broken = [str(key) for key, value in data.items() if not _encodable(key, value)]
    if broken:  # JSON may carry lone surrogates ("\ud800") or NULs; no text field takes them
        raise ValidationFailed(details={key: ["not valid Unicode text"] for key in broken})
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(details=_text_keys(messages)) from exc
    return result


def _text_keys(messages: Any) -> Any:
    """marshmallow keys a list's errors by index (`{"room_ids": {0: [...]}}`); JSON keys are
    text (orjson refuses an int key: that was a 500)."""
    if isinstance(messages, dict):
        return {str(key): _text_keys(value) for key, value in messages.items()}
    return messages


def _encodable(*values: Any) -> bool:
    """No string inside (keys included, at any depth) holds a lone surrogate, or a NUL, which
    PostgreSQL text cannot hold (a query with one fails: it was a 500 on `GET /users?q=`)."""
    for value in values:
        if isinstance(value, str):
            if "\x00" in value:
                return False
            try:
                value.encode()
            except UnicodeEncodeError:
                return False
        elif isinstance(value, dict):
            if not all(_encodable(k, v) for k, v in value.items()):
                return False
        elif isinstance(value, list) and not all(_encodable(v) for v in value):
            return False
    return True


class StrictSchema(Schema):
    """Unknown fields are ignored, not echoed: clients may send extra fields (compatible API)."""

    class Meta:
        unknown = "exclude"


INT64_MAX = 2**63 - 1


def Id(**kwargs: Any) -> fields.Integer:
    """A database id: a positive 64-bit integer, never a bool or a float."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=INT64_MAX), **kwargs)


class StrictBool(fields.Boolean):
    """`true` or `false` only: not `"yes"`, and not `1` (equal to True, so in any truthy set)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Seq(**kwargs: Any) -> fields.Integer:
    """A room sequence number (0 means 'before the first message')."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=INT64_MAX), **kwargs)


def IdKey() -> fields.String:
    """A database id written as an object key ("42"): digits, within a positive int64."""
    return fields.String(validate=_id_key)


def _id_key(value: str) -> None:
    digits = value.isascii() and value.isdigit() and len(value) <= 19 and value[0] != "0"
    if not (digits and int(value) <= INT64_MAX):
        raise ValidationError("must be a positive 64-bit id")
