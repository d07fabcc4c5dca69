"""The gateway refuses whatever the worker's database would (issue 31, item 3).

An inbound value longer than its column passes a gateway that does not check it, and fails
later in a worker's transaction, taking the whole batch with it. Each text field a client sends
into a bounded column is checked here against that column's width, read from the model.
"""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema
from tortoise.models import Model

from backend.accounts.models import User
from backend.accounts.schemas import RegisterIn
from backend.inbound.react import ReactionIn
from backend.rooms.models import Message, Reaction, Room
from backend.rooms.schemas import ProfileIn, RoomPatchIn
from backend.shapes.chat_schemas import RoomCreateIn, SendIn
from backend.shapes.errors import ValidationFailed
from backend.shapes.validation import load

# One emoji to the `emoji` library, 9,001 characters to the 64-character column.
POISON_EMOJI = "😀" + "\ufe0f" * 9000
BASE: dict[type[Schema], dict[str, Any]] = {
    ReactionIn: {"message_id": 1, "emoji": "👍"},
    SendIn: {"room_id": 1, "body": "x", "client_msg_id": "abcdefgh"},
    RoomCreateIn: {"name": "n", "kind": "public"},
    RoomPatchIn: {},
    ProfileIn: {},
    RegisterIn: {"username": "alice", "password": "password1"},
}
CASES = [
    (ReactionIn, "emoji", Reaction, "emoji", POISON_EMOJI),
    (SendIn, "client_msg_id", Message, "client_msg_id", None),
    (RoomCreateIn, "name", Room, "name", None),
    (RoomPatchIn, "name", Room, "name", None),
    (RoomPatchIn, "topic", Room, "topic", None),
    (ProfileIn, "display_name", User, "display_name", None),
    (RegisterIn, "display_name", User, "display_name", None),
    (RegisterIn, "username", User, "username", None),
]


@pytest.mark.parametrize(
    ("schema", "field", "model", "column", "value"),
    CASES,
    ids=[f"{c[0].__name__}.{c[1]}" for c in CASES],
)
def test_a_value_longer_than_its_column_is_a_validation_error(
    schema: type[Schema], field: str, model: type[Model], column: str, value: str | None
) -> None:
    width = model._meta.fields_map[column].max_length  # type: ignore[attr-defined]
    too_long = value if value is not None else "a" * (width + 1)
    assert len(too_long) > width
    with pytest.raises(ValidationFailed) as refused:
        load(schema(), {**BASE[schema], field: too_long})
    assert field in (refused.value.details or {})
    load(schema(), BASE[schema])  # the base payload itself is valid
