"""Mentions and notifications decided by the worker (contract §6)."""

from __future__ import annotations

from backend.accounts.models import Block
from backend.content.sanitize import clean_message
from backend.fanout.events import NOTIFICATION
from backend.queue.envelope import InboundMessage
from backend.rooms.models import Membership, Room
from backend.rooms.notify import mentioned_names, notify_level
from backend.rooms.rooms import room_dict
from backend.shapes.channels import user_channel
from tests.integration.pipeline.conftest import Pipeline, make_room, make_user


def test_names_are_read_outside_code_and_links() -> None:
    body = clean_message("hi @Bob and @carol.\n`@dave` [x](https://e.com/@erin) mail@frank.io")
    assert mentioned_names(body) == {"bob", "carol"}


def test_default_level_is_mentions_only_for_big_public_rooms() -> None:
    assert notify_level(None, kind="public", member_count=51) == "mentions"
    assert notify_level(None, kind="public", member_count=50) == "all"
    assert notify_level(None, kind="private", member_count=500) == "all"
    assert notify_level("none", kind="dm", member_count=2) == "none"


def _send(room: Room, sender_id: int, n: int, body: str) -> bytes:
    return InboundMessage(
        room_id=room.id, sender_id=sender_id, client_msg_id=f"c-{n:06d}", body=body
    ).encode()


def _sent(pipeline: Pipeline) -> list[tuple[str, str]]:
    """(user channel, kind) of every notification: one emit names all its users' channels."""
    return [
        (channel, data["kind"])
        for data, rooms in pipeline.emitter.events(NOTIFICATION)
        for channel in rooms
    ]


def _notified(pipeline: Pipeline) -> dict[str, str]:
    return dict(_sent(pipeline))


async def test_mentions_name_members_only_and_notify_by_level(pipeline: Pipeline) -> None:
    alice, bob, carol, dave = [await make_user(n) for n in ("alice", "bob", "carol", "dave")]
    room = await make_room(alice, bob, carol)
    await Membership.filter(room_id=room.id, user_id=carol.id).update(notify="mentions")
    body = f"hey @{bob.username} and @{dave.username}"  # dave is no member
    await pipeline.queue.publish(_send(room, alice.id, 1, body))
    await pipeline.worker.run_burst()
    ((message, _),) = [e for e in pipeline.emitter.events("message:new")]
    assert message["mentions"] == [bob.id]
    assert _notified(pipeline) == {user_channel(bob.id): "mention"}  # carol: mentions only
    room = await Room.get(id=room.id)  # last_seq advanced by the worker
    assert (await room_dict(bob, room))["mention_count"] == 1
    assert (await room_dict(carol, room))["mention_count"] == 0
    assert (await room_dict(carol, room))["notify"] == "mentions"


async def test_at_room_and_blocking(pipeline: Pipeline) -> None:
    alice, bob, carol = [await make_user(n) for n in ("alice", "bob", "carol")]
    room = await make_room(alice, bob, carol)
    await Block.create(blocker_id=carol.id, blocked_id=alice.id)
    await pipeline.queue.publish(_send(room, alice.id, 1, "@room standup"))
    await pipeline.worker.run_burst()
    ((message, _),) = [e for e in pipeline.emitter.events("message:new")]
    # carol blocked alice: not mentioned by her at all (no row, so no mention_count either)
    assert message["mentions"] == [bob.id]
    assert _notified(pipeline) == {user_channel(bob.id): "mention"}


async def test_a_reply_concerns_the_target_s_author_and_a_dm_its_peer(pipeline: Pipeline) -> None:
    alice, bob = await make_user("alice"), await make_user("bob")
    room, dm = await make_room(alice, bob), await make_room(alice, bob, kind="dm")
    await pipeline.queue.publish(_send(room, alice.id, 1, "question"))
    await pipeline.worker.run_burst()
    ((target, _),) = pipeline.emitter.events("message:new")
    reply = InboundMessage(
        room_id=room.id,
        sender_id=bob.id,
        client_msg_id="c-reply-1",
        body="answer",
        v=2,
        reply_to_id=target["id"],
    )
    await pipeline.queue.publish(reply.encode())
    await pipeline.queue.publish(_send(dm, alice.id, 3, "psst"))
    await pipeline.worker.run_burst()
    kinds = _sent(pipeline)
    assert (user_channel(alice.id), "reply") in kinds
    assert (user_channel(bob.id), "dm") in kinds
    room = await Room.get(id=room.id)
    assert (await room_dict(alice, room))["mention_count"] == 1  # a reply to her counts
