"""A field error inside a list is still a JSON object's key: `details` are text-keyed."""

from __future__ import annotations

import orjson
import pytest

from backend.shapes.chat_schemas import SendIn
from backend.shapes.errors import ValidationFailed
from backend.shapes.validation import load
from backend.workspace.schemas import InviteCreateIn


@pytest.mark.parametrize(
    ("schema", "data", "field", "index"),
    [
        (InviteCreateIn(), {"room_ids": [1, "x"]}, "room_ids", "1"),
        (
            SendIn(),
            {"room_id": 1, "client_msg_id": "client-0001", "body": "hi", "attachment_ids": ["x"]},
            "attachment_ids",
            "0",
        ),
    ],
)
def test_an_error_in_a_list_names_its_index_as_text(
    schema: object, data: dict[str, object], field: str, index: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        load(schema, data)  # type: ignore[arg-type]
    details = refused.value.details or {}
    assert list(details[field]) == [index]
    assert orjson.loads(orjson.dumps({"error": refused.value.to_dict()}))  # the envelope encodes
