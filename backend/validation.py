"""marshmallow at the edges: every REST body and socket payload is loaded through `load`."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from backend.errors import BadRequest, ValidationFailed


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validate `data`; a non-object is a `bad_request`, bad fields a `validation_error`."""
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(details=messages) from exc
    return result


class StrictSchema(Schema):
    """Unknown fields are ignored, not echoed: clients may send extra fields (compatible API)."""

    class Meta:
        unknown = "exclude"


def Id(**kwargs: Any) -> fields.Integer:
    """A database id: a positive 64-bit integer, never a bool or a float."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=2**63 - 1), **kwargs)


def Seq(**kwargs: Any) -> fields.Integer:
    """A room sequence number (0 means 'before the first message')."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=2**63 - 1), **kwargs)
