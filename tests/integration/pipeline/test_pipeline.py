"""Queue → persist → fan out, one stage after another, without processes (the worker's rules)."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from backend.accounts.models import User
from backend.fanout.events import MESSAGE_NEW, MESSAGE_UPDATED
from backend.messages.history import history
from backend.queue.envelope import DELETE, EDIT, InboundMessage
from backend.rooms.models import Message, Room
from backend.shapes.channels import room_channel, user_channel
from tests.integration.pipeline.conftest import Pipeline, change_entry, make_room, make_user

# The contract's Message (§2, §6), written out: never derived from the code under test.
MESSAGE_KEYS = {
    *("id", "room_id", "seq", "sender", "body", "source", "client_msg_id", "created_at"),
    *("edited_at", "deleted", "reply_to", "reply_count", "reactions", "mentions", "attachments"),
}


def send(room: Room, sender_id: int, n: int, body: str = "hello") -> InboundMessage:
    return InboundMessage(
        room_id=room.id, sender_id=sender_id, client_msg_id=f"client-{n:04d}", body=body
    )


async def one_stored(pipeline: Pipeline) -> tuple[User, Room, Message]:
    """Alice, her room, and the message she sent there, stored by the worker."""
    alice = await make_user("alice")
    room = await make_room(alice)
    await pipeline.queue.publish(send(room, alice.id, 1).encode())
    await pipeline.worker.run_burst()
    return alice, room, await Message.get(room_id=room.id, seq=1)


async def test_sends_are_stored_once_gap_free_and_announced_to_their_room_in_order(
    pipeline: Pipeline,
) -> None:
    alice = await make_user("alice")
    first, second = await make_room(alice), await make_room(alice)
    for n in range(12):
        await pipeline.queue.publish(send(first if n % 3 else second, alice.id, n).encode())
    assert await pipeline.worker.run_burst() == 12
    for room, count in ((first, 8), (second, 4)):
        stored, _ = await history(room.id, before_seq=None, after_seq=None, limit=100)
        assert [m["seq"] for m in stored] == list(range(1, count + 1))
        live = [d for d, to in pipeline.emitter.events(MESSAGE_NEW) if to == room_channel(room.id)]
        assert live == stored
    assert await pipeline.queue.length() == 0


async def test_a_retried_send_is_stored_once_and_redelivered_to_its_sender_only(
    pipeline: Pipeline,
) -> None:
    alice = await make_user("alice")
    room = await make_room(alice, await make_user("bob"))
    await pipeline.queue.publish(send(room, alice.id, 1).encode())
    await pipeline.worker.run_burst()
    await pipeline.queue.publish(send(room, alice.id, 1, body="the retry").encode())
    await pipeline.worker.run_burst()
    assert await Message.filter(room_id=room.id).count() == 1
    (first, to_room), (again, to_sender) = pipeline.emitter.events(MESSAGE_NEW)
    assert (to_room, to_sender) == (room_channel(room.id), user_channel(alice.id))
    assert again == first
    assert again["body"] == "hello"


async def test_twins_in_one_batch_are_one_message(pipeline: Pipeline) -> None:
    alice = await make_user("alice")
    room = await make_room(alice)
    for _ in range(3):
        await pipeline.queue.publish(send(room, alice.id, 7).encode())
    await pipeline.worker.run_burst()
    assert await Message.filter(room_id=room.id).count() == 1
    assert (await Room.get(id=room.id)).last_seq == 1


async def test_edits_and_deletes_are_applied_in_order_and_announced_as_updates(
    pipeline: Pipeline,
) -> None:
    alice, room, stored = await one_stored(pipeline)
    for op, body in ((EDIT, "<b>better</b><script>x</script>"), (DELETE, "")):
        await pipeline.queue.publish(change_entry(room, alice, stored, op, body))
    await pipeline.worker.run_burst()
    edited, deleted = (data for data, _ in pipeline.emitter.events(MESSAGE_UPDATED))
    assert edited["body"] == "<b>better</b>"
    assert edited["edited_at"]
    assert deleted["deleted"]
    assert deleted["body"] == ""
    assert deleted["seq"] == 1


async def test_an_unknown_operation_is_parked_with_its_reason_and_changes_nothing(
    pipeline: Pipeline,
) -> None:
    alice, room, stored = await one_stored(pipeline)
    before = len(pipeline.emitter.sent)
    common = {"room_id": room.id, "sender_id": alice.id, "client_msg_id": stored.client_msg_id}
    for op, version in (("poll.vote", 1), ("edit", 2)):
        entry = {**common, "op": op, "v": version, "body": "👍", "message_id": stored.id}
        await pipeline.queue.publish(orjson.dumps(entry))
    await pipeline.worker.run_burst()
    reasons = [reason for _, reason in pipeline.queue.parked]
    assert reasons == [
        "unsupported: unknown operation 'poll.vote' version 1",
        "unsupported: unknown operation 'edit' version 2",
    ]
    unchanged = await Message.get(id=stored.id)
    assert (unchanged.body, unchanged.edited_at) == ("hello", None)
    assert len(pipeline.emitter.sent) == before, "nothing is announced"
    assert await pipeline.queue.length() == 0


async def test_a_send_to_a_room_that_is_gone_is_parked(pipeline: Pipeline) -> None:
    alice = await make_user("alice")
    room = await make_room(alice)
    await Room.filter(id=room.id).delete()
    await pipeline.queue.publish(send(room, alice.id, 1).encode())
    await pipeline.worker.run_burst()
    assert [reason for _, reason in pipeline.queue.parked] == ["not_found"]
    # Nothing reaches the room; its sender learns the send was refused.
    ((event, payload, to, _),) = pipeline.emitter.sent
    assert (event, to, payload["error"]["code"]) == (
        "message:rejected",
        user_channel(alice.id),
        "not_found",
    )


async def test_the_announced_message_is_the_contract_s_message(pipeline: Pipeline) -> None:
    alice = await make_user("alice")
    room = await make_room(alice)
    await pipeline.queue.publish(send(room, alice.id, 1, body="<i>hi</i> <img src=x>").encode())
    await pipeline.worker.run_burst()
    ((message, _),) = pipeline.emitter.events(MESSAGE_NEW)
    assert set(message) == MESSAGE_KEYS
    assert message["body"] == "<i>hi</i>"
    assert message["sender"] == {
        "id": alice.id,
        "username": alice.username,
        "display_name": "alice",
        "created_at": message["sender"]["created_at"],
        "avatar_url": None,
        "is_admin": False,
        "is_bot": False,
        "deactivated": False,
    }


async def test_a_retry_is_redelivered_only_once_its_room_s_turn_has_passed_it(
    pipeline: Pipeline,
) -> None:
    """Issue 13 finding 12: the sender's copy of a retried send must not overtake the room's
    earlier messages that another worker is still emitting."""
    turns: list[tuple[str, int, int]] = []

    class RecordingOrder:
        async def wait_turns(self, after: Mapping[int, int]) -> None:
            turns.extend(("wait", room_id, seq) for room_id, seq in after.items())

        async def done(self, up_to: Mapping[int, int]) -> None:
            turns.extend(("done", room_id, seq) for room_id, seq in up_to.items())

    pipeline.worker.order = RecordingOrder()
    alice = await make_user("alice")
    room = await make_room(alice)
    for n in (1, 2):
        await pipeline.queue.publish(send(room, alice.id, n).encode())
    await pipeline.worker.run_burst()
    await pipeline.queue.publish(send(room, alice.id, 1).encode())
    await pipeline.worker.run_burst()
    assert turns == [("wait", room.id, 0), ("done", room.id, 2), ("wait", room.id, 1)]
    *_, (again, to) = pipeline.emitter.events(MESSAGE_NEW)
    assert (again["seq"], to) == (1, user_channel(alice.id))
