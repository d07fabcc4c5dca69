"""How a setting's text in the environment becomes its value: marshmallow casts by the
default's type, python-dotenv reads `.env` files. Kept apart from `config.py` (the settings
themselves)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from marshmallow import fields as ma_fields


def field_for(default: Any) -> ma_fields.Field[Any]:
    """marshmallow's casting for a setting of this default's type: `"false"`, `"0"`, `"no"`
    read as False (a plain `bool(raw)` would read every non-empty string as True)."""
    if isinstance(default, bool):  # before int: a bool is an int
        return ma_fields.Boolean()
    if isinstance(default, int):
        return ma_fields.Integer(strict=False)
    if isinstance(default, float):
        return ma_fields.Float(allow_nan=False)
    if isinstance(default, Path):
        return _PathField()
    return ma_fields.String()


class _PathField(ma_fields.Field[Path]):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Path:
        return Path(str(value))


def dotenv(path: str) -> dict[str, str]:
    """`KEY=value` lines of a `.env` file (python-dotenv's parser: quotes, comments, export)."""
    return {k: v for k, v in dotenv_values(path).items() if v is not None}
