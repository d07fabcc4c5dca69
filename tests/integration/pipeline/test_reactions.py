"""`reaction.add` / `reaction.remove` v1 through the queue (contract §6 "Reactions")."""

from __future__ import annotations

import pytest

from backend.fanout.events import MESSAGE_UPDATED
from backend.inbound.react import valid_emoji
from backend.messages.history import history
from backend.queue.envelope import (
    DELETE,
    EDIT,
    KNOWN,
    REACTION_ADD,
    REACTION_REMOVE,
    InboundMessage,
)
from backend.rooms.models import Message, Reaction, Room
from tests.integration.pipeline.conftest import Pipeline, make_room, make_user


def _op(room: Room, user_id: int, message: Message, op: str, body: str) -> bytes:
    return InboundMessage(
        room_id=room.id,
        sender_id=user_id,
        client_msg_id=message.client_msg_id,
        body=body,
        op=op,
        message_id=message.id,
    ).encode()


def test_reaction_operations_are_known_and_round_trip() -> None:
    assert {(REACTION_ADD, 1), (REACTION_REMOVE, 1)} <= KNOWN
    entry = InboundMessage(
        room_id=1, sender_id=2, client_msg_id="abcdefgh", body="👍", op=REACTION_ADD, message_id=3
    )
    assert InboundMessage.decode(entry.encode()) == entry


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("👍", True),
        ("👍🏽", True),
        ("👨‍👩‍👧", True),
        ("🇫🇷", True),
        (":party_parrot:", True),
        (":+1:", True),
        ("👍👍", False),
        ("a", False),
        (":Bad:", False),
        (":" + "x" * 33 + ":", False),
        ("", False),
    ],
)
def test_an_emoji_is_one_emoji_or_a_short_name(value: str, ok: bool) -> None:
    assert valid_emoji(value) is ok


async def _room_with_message(pipeline: Pipeline) -> tuple[int, int, Room, Message]:
    alice, bob = await make_user("alice"), await make_user("bob")
    room = await make_room(alice, bob)
    send = InboundMessage(room_id=room.id, sender_id=alice.id, client_msg_id="c-000001", body="x")
    await pipeline.queue.publish(send.encode())
    await pipeline.worker.run_burst()
    return alice.id, bob.id, room, await Message.get(room_id=room.id, seq=1)


async def test_reactions_apply_in_order_with_edits_once_each_and_are_announced(
    pipeline: Pipeline,
) -> None:
    alice, bob, room, message = await _room_with_message(pipeline)
    for entry in (
        _op(room, bob, message, REACTION_ADD, "👍"),
        _op(room, bob, message, REACTION_ADD, "👍"),  # a retry: a no-op
        _op(room, alice, message, EDIT, "edited"),
        _op(room, alice, message, REACTION_ADD, ":tada:"),
        _op(room, alice, message, REACTION_ADD, "👍"),
        _op(room, bob, message, REACTION_REMOVE, ":tada:"),  # not bob's: nothing
    ):
        await pipeline.queue.publish(entry)
    await pipeline.worker.run_burst()
    assert await Reaction.filter(message_id=message.id).count() == 3
    updates = [m for m, _ in pipeline.emitter.events(MESSAGE_UPDATED)]
    # One message:updated per change, in order; a batch's copies carry its final reactions.
    assert len(updates) == 6
    assert [m["body"] for m in updates] == ["x", "x"] + ["edited"] * 4
    assert updates[-1]["reactions"] == [
        {"emoji": "👍", "count": 2, "user_ids": [bob, alice]},
        {"emoji": ":tada:", "count": 1, "user_ids": [alice]},
    ]
    await pipeline.queue.publish(_op(room, alice, message, REACTION_REMOVE, ":tada:"))
    await pipeline.worker.run_burst()
    page, _ = await history(room.id, before_seq=None, after_seq=None, limit=10)
    assert page[0]["reactions"] == [{"emoji": "👍", "count": 2, "user_ids": [bob, alice]}]


async def test_a_deleted_message_shows_no_reactions(pipeline: Pipeline) -> None:
    alice, bob, room, message = await _room_with_message(pipeline)
    await pipeline.queue.publish(_op(room, bob, message, REACTION_ADD, "👍"))
    await pipeline.queue.publish(_op(room, alice, message, DELETE, ""))
    await pipeline.queue.publish(_op(room, bob, message, REACTION_ADD, "🎉"))
    await pipeline.worker.run_burst()
    page, _ = await history(room.id, before_seq=None, after_seq=None, limit=10)
    assert page[0]["deleted"]
    assert page[0]["reactions"] == []


async def test_a_reaction_by_a_non_member_is_parked(pipeline: Pipeline) -> None:
    _, _, room, message = await _room_with_message(pipeline)
    stranger = await make_user("eve")
    await pipeline.queue.publish(_op(room, stranger.id, message, REACTION_ADD, "👍"))
    await pipeline.worker.run_burst()
    assert await Reaction.filter(message_id=message.id).count() == 0
    assert [reason for _, reason in pipeline.queue.parked] == ["not_found"]
