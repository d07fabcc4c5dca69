"""Every server→client event has a schema, and the notifier's payloads match it (issue 32 item
3): a payload that changes shape without its schema fails here, and docs/events.md is the
schemas' own rendering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backend.fanout import events as ev
from backend.fanout.events import Collector, Notifier
from backend.fanout.events_doc import events_markdown
from backend.fanout.schemas import EVENTS, violations
from backend.shapes.serialize import message_dict

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 7, tzinfo=UTC)
USER: dict[str, Any] = {
    "id": 7,
    "username": "ada",
    "display_name": "Ada",
    "created_at": NOW,
    "avatar_id": None,
    "is_admin": False,
    "is_bot": False,
    "deactivated": False,
}
ROW: dict[str, Any] = {
    "id": 1,
    "room_id": 3,
    "seq": 1,
    "sender_id": 7,
    "body": "<p>hi</p>",
    "source": "hi",
    "client_msg_id": "c-1",
    "created_at": NOW,
    "edited_at": None,
    "deleted": False,
    "reply_to_id": None,
    "reply_count": 0,
}


def _message(**changes: Any) -> dict[str, Any]:
    return message_dict({**ROW, **changes}, USER)


def _enriched() -> dict[str, Any]:
    """A message with everything a stored one can carry: a reply, reactions, an image."""
    message = _message(reply_to_id=2, reply_count=1)
    message["reply_to"] = {"id": 2, "seq": 1, "sender": message["sender"], "excerpt": "x"}
    message["reactions"] = [{"emoji": "👍", "count": 1, "user_ids": [7]}]
    message["mentions"] = [8]
    message["attachments"] = [
        {
            "id": 4,
            "name": "a.png",
            "content_type": "image/png",
            "size": 10,
            "width": 2,
            "height": 2,
            "url": "/api/v1/files/4?sig=x",
            "thumbnail_url": None,
        }
    ]
    return message


ROOM = {
    "id": 3,
    "kind": "private",
    "name": "ops",
    "topic": "",
    "created_at": "2026-12-07T00:00:00Z",
    "last_activity_at": "2026-12-07T00:00:00Z",
    "member_count": 2,
    "last_seq": 1,
}


async def _every_event(notifier: Notifier) -> None:
    await notifier.message_new(_message())
    await notifier.message_new(_enriched(), only_sender=True)
    await notifier.message_updated(_message(deleted=True, edited_at=NOW))
    await notifier.message_rejected(
        sender_id=7, room_id=3, client_msg_id="c-2", code="not_a_member", message="left"
    )
    await notifier.notification([8, 9], "mention", _enriched())
    await notifier.typing(3, USER, True, skip_sid="sid")  # type: ignore[arg-type]
    await notifier.presence(USER, False, to="user:8")  # type: ignore[arg-type]
    await notifier.read(3, 7, 1)
    await notifier.member_joined(3, USER)  # type: ignore[arg-type]
    await notifier.member_left(3, USER, also_to=7)  # type: ignore[arg-type]
    await notifier.room_updated(ROOM)
    await notifier.room_removed(Notifier.removal_notice(3, "kicked", banned=True), to="sid")
    await notifier.room_removed(Notifier.removal_notice(3, "deleted"), to="sid")
    await notifier.user_updated(USER, to=["room:3"])  # type: ignore[arg-type]


async def test_every_payload_the_notifier_builds_matches_its_events_schema() -> None:
    collected = Collector()
    await _every_event(Notifier(collected))
    assert {e.event for e in collected.emissions} == set(EVENTS)
    for emission in collected.emissions:
        assert violations(emission.event, emission.data) == {}, emission


def test_every_event_name_has_a_schema() -> None:
    names = {v for k, v in vars(ev).items() if k.isupper() and isinstance(v, str)}
    assert names == set(EVENTS)


@pytest.mark.parametrize(
    ("event", "payload", "field"),
    [
        (ev.MESSAGE_NEW, {**_message(), "html": "<p>hi</p>"}, "html"),  # an undocumented field
        (ev.MESSAGE_NEW, {k: v for k, v in _message().items() if k != "seq"}, "seq"),
        (ev.READ, {"room_id": 3, "user_id": 7, "seq": "1"}, "seq"),
        (ev.NOTIFICATION, {"kind": "ping", "room_id": 3, "message": _message()}, "kind"),
        (ev.ROOM_REMOVED, {"room_id": 3, "reason": "left"}, "reason"),
    ],
)
def test_a_payload_that_drifts_from_its_schema_is_caught(
    event: str, payload: dict[str, Any], field: str
) -> None:
    assert field in violations(event, payload)


def test_a_payload_that_is_not_an_object_is_caught() -> None:
    assert violations(ev.MESSAGE_NEW, ["not", "an", "object"])


def test_docs_events_md_is_the_schemas_rendering() -> None:
    """Run `make events-docs` after changing a schema."""
    assert (ROOT / "docs" / "events.md").read_text() == events_markdown()
