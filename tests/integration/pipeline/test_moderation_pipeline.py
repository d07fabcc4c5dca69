"""`moderate.delete` v1: a moderator's delete of someone else's message, through the queue."""

from __future__ import annotations

import orjson
import pytest

from backend.accounts.models import User
from backend.fanout.events import MESSAGE_UPDATED
from backend.queue.envelope import EDIT, KNOWN, MODERATE_DELETE, InboundMessage, UnknownOperation
from backend.rooms.models import Membership, Message, Room
from backend.shapes.channels import room_channel
from tests.integration.pipeline.conftest import Pipeline, change_entry, make_room, make_user


def test_moderate_delete_is_a_known_operation_that_round_trips() -> None:
    assert (MODERATE_DELETE, 1) in KNOWN
    entry = InboundMessage(
        room_id=1, sender_id=2, client_msg_id="abcdefgh", body="", op=MODERATE_DELETE, message_id=9
    )
    assert InboundMessage.decode(entry.encode()) == entry


def test_an_older_worker_refuses_moderate_delete_of_a_newer_version() -> None:
    raw = {"room_id": 1, "sender_id": 2, "client_msg_id": "abcdefgh", "body": ""}
    with pytest.raises(UnknownOperation, match=r"moderate\.delete"):
        InboundMessage.decode(orjson.dumps({**raw, "op": MODERATE_DELETE, "v": 2}))


async def _room_with_message(
    pipeline: Pipeline, moderator_role: str
) -> tuple[User, User, Room, Message]:
    author, moderator = await make_user("author"), await make_user("mod")
    room = await make_room(author, moderator)
    await Membership.filter(room_id=room.id, user_id=moderator.id).update(role=moderator_role)
    send = InboundMessage(
        room_id=room.id, sender_id=author.id, client_msg_id="c-00000001", body="x"
    )
    await pipeline.queue.publish(send.encode())
    await pipeline.worker.run_burst()
    return author, moderator, room, await Message.get(room_id=room.id, seq=1)


@pytest.mark.parametrize("role", ["admin", "owner"])
async def test_a_moderator_delete_is_applied_after_the_author_s_edit_and_announced(
    pipeline: Pipeline, role: str
) -> None:
    author, moderator, room, message = await _room_with_message(pipeline, role)
    await pipeline.queue.publish(change_entry(room, author, message, EDIT, "edited first"))
    await pipeline.queue.publish(change_entry(room, moderator, message, MODERATE_DELETE))
    await pipeline.worker.run_burst()
    updates = pipeline.emitter.events(MESSAGE_UPDATED)
    assert [(m["body"], m["deleted"]) for m, _ in updates] == [("edited first", False), ("", True)]
    assert {to for _, to in updates} == {room_channel(room.id)}
    deleted, _ = updates[-1]
    assert deleted["sender"]["id"] == author.id, "still the author's message, seq kept"
    assert deleted["seq"] == 1
    stored = await Message.get(id=message.id)
    assert (stored.deleted, stored.body) == (True, "")


async def test_a_moderator_delete_by_a_plain_member_is_parked_and_changes_nothing(
    pipeline: Pipeline,
) -> None:
    _, member, room, message = await _room_with_message(pipeline, "member")
    before = len(pipeline.emitter.sent)
    await pipeline.queue.publish(change_entry(room, member, message, MODERATE_DELETE))
    await pipeline.worker.run_burst()
    assert [reason for _, reason in pipeline.queue.parked] == ["forbidden"]
    assert not (await Message.get(id=message.id)).deleted
    assert len(pipeline.emitter.sent) == before


async def test_a_moderator_delete_naming_another_room_is_parked(pipeline: Pipeline) -> None:
    _, moderator, _, message = await _room_with_message(pipeline, "admin")
    elsewhere = await make_room(moderator)
    await Membership.filter(room_id=elsewhere.id).update(role="owner")
    await pipeline.queue.publish(change_entry(elsewhere, moderator, message, MODERATE_DELETE))
    await pipeline.worker.run_burst()
    assert [reason for _, reason in pipeline.queue.parked] == ["not_found"]
    assert not (await Message.get(id=message.id)).deleted


async def test_writing_in_a_room_marks_the_membership_as_chosen(pipeline: Pipeline) -> None:
    author, moderator, room, _ = await _room_with_message(pipeline, "member")
    accepted = dict(
        await Membership.filter(room_id=room.id).values_list("user_id", "accepted")  # type: ignore[arg-type]
    )
    assert accepted == {author.id: True, moderator.id: False}
