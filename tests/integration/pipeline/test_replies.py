"""`send` v2: replies through the queue (contract §6 "Replies and threads")."""

from __future__ import annotations

import orjson
import pytest

from backend.fanout.events import MESSAGE_NEW, MESSAGE_UPDATED
from backend.messages.history import history
from backend.messages.replies import replies_page
from backend.queue.envelope import DELETE, KNOWN, SEND, InboundMessage, UnknownOperation
from backend.rooms.models import Message, Room
from tests.integration.pipeline.conftest import Pipeline, make_room, make_user


def _send(room: Room, sender_id: int, n: int, body: str, reply_to_id: int = 0) -> bytes:
    return InboundMessage(
        room_id=room.id,
        sender_id=sender_id,
        client_msg_id=f"client-{n:04d}",
        body=body,
        v=2 if reply_to_id else 1,
        reply_to_id=reply_to_id,
    ).encode()


def test_send_v2_carries_reply_to_id_and_round_trips() -> None:
    assert (SEND, 2) in KNOWN
    entry = InboundMessage(
        room_id=1, sender_id=2, client_msg_id="abcdefgh", body="x", v=2, reply_to_id=7
    )
    assert InboundMessage.decode(entry.encode()) == entry


def test_a_v1_send_never_reads_a_reply_to_id() -> None:
    raw = {"room_id": 1, "sender_id": 2, "client_msg_id": "abcdefgh", "body": "x"}
    assert InboundMessage.decode(orjson.dumps({**raw, "reply_to_id": 5})).reply_to_id == 0


def test_an_unknown_send_version_is_refused() -> None:
    raw = {"room_id": 1, "sender_id": 2, "client_msg_id": "abcdefgh", "body": "x", "v": 3}
    with pytest.raises(UnknownOperation):
        InboundMessage.decode(orjson.dumps(raw))


async def test_a_reply_takes_the_next_seq_and_its_target_is_counted_once_and_resent(
    pipeline: Pipeline,
) -> None:
    alice, bob = await make_user("alice"), await make_user("bob")
    room = await make_room(alice, bob)
    await pipeline.queue.publish(_send(room, alice.id, 1, "**question**"))
    await pipeline.worker.run_burst()
    target = await Message.get(room_id=room.id, seq=1)
    reply = _send(room, bob.id, 2, "answer", reply_to_id=target.id)
    await pipeline.queue.publish(reply)
    await pipeline.queue.publish(reply)  # a retry: stored and counted once
    await pipeline.worker.run_burst()
    stored = await Message.get(room_id=room.id, seq=2)
    assert stored.reply_to_id == target.id  # type: ignore[attr-defined]
    assert (await Message.get(id=target.id)).reply_count == 1
    new = [m for m, _ in pipeline.emitter.events(MESSAGE_NEW) if m["seq"] == 2]
    assert new[0]["reply_to"] == {
        "id": target.id,
        "seq": 1,
        "sender": new[0]["reply_to"]["sender"],
        "excerpt": "question",
    }
    assert new[0]["reply_to"]["sender"]["id"] == alice.id
    updated = [m for m, _ in pipeline.emitter.events(MESSAGE_UPDATED)]
    assert [(m["id"], m["reply_count"]) for m in updated] == [(target.id, 1)]


async def test_history_and_replies_to_filter_show_the_thread(pipeline: Pipeline) -> None:
    alice = await make_user("alice")
    room = await make_room(alice)
    await pipeline.queue.publish(_send(room, alice.id, 1, "root"))
    await pipeline.worker.run_burst()
    root = await Message.get(room_id=room.id, seq=1)
    for n in range(2, 6):
        await pipeline.queue.publish(_send(room, alice.id, n, f"r{n}", root.id if n % 2 else 0))
    await pipeline.worker.run_burst()
    replies, has_more = await replies_page(room.id, root.id, after_seq=None, limit=50)
    assert [m["seq"] for m in replies] == [3, 5]
    assert not has_more
    page, _ = await history(room.id, before_seq=None, after_seq=None, limit=50)
    assert page[0]["reply_count"] == 2
    assert page[2]["reply_to"]["excerpt"] == "root"


async def test_a_deleted_target_leaves_an_empty_excerpt(pipeline: Pipeline) -> None:
    alice = await make_user("alice")
    room = await make_room(alice)
    await pipeline.queue.publish(_send(room, alice.id, 1, "root"))
    await pipeline.worker.run_burst()
    root = await Message.get(room_id=room.id, seq=1)
    await pipeline.queue.publish(_send(room, alice.id, 2, "reply", root.id))
    await pipeline.queue.publish(
        InboundMessage(
            room_id=room.id,
            sender_id=alice.id,
            client_msg_id=root.client_msg_id,
            body="",
            op=DELETE,
            message_id=root.id,
        ).encode()
    )
    await pipeline.worker.run_burst()
    page, _ = await history(room.id, before_seq=None, after_seq=None, limit=50)
    assert page[1]["reply_to"]["excerpt"] == ""
