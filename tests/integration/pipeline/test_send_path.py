"""The gateway's half of a send: validate, authorise, rate-limit, queue — or refuse cleanly."""

from __future__ import annotations

from typing import Any

import pytest

from backend.inbound.send import queue_message
from backend.inbound.write_path import WritePath
from backend.infra.limits import Limits
from backend.infra.ratelimit import MemoryRateLimiter, RateLimiter
from backend.queue.envelope import SEND, InboundMessage
from backend.queue.memory import MemoryQueue
from backend.settings.config import Settings
from backend.shapes.channels import room_channel
from backend.shapes.errors import AppError
from tests.integration.pipeline.conftest import make_room, make_user
from tests.support.procs import JWT_SECRET

SETTINGS = Settings(jwt_secret=JWT_SECRET, message_rate=1.0, message_burst=3)


def writes_to(queue: MemoryQueue, limiter: RateLimiter | None = None) -> WritePath:
    return WritePath(queue, Limits(limiter or MemoryRateLimiter(), SETTINGS))


async def queue_one(queue: MemoryQueue, data: Any, user_id: int, rooms: Any = ()) -> Any:
    return await queue_message(
        data,
        user_id=user_id,
        writes=writes_to(queue),
        socket_rooms=frozenset(rooms),
    )


async def test_an_accepted_send_is_queued_as_a_versioned_send(database: None) -> None:
    alice = await make_user()
    room = await make_room(alice)
    queue = MemoryQueue(max_len=10)
    data = {"room_id": room.id, "body": "  hi  ", "client_msg_id": "client-0001"}
    assert await queue_one(queue, data, alice.id) == {"client_msg_id": "client-0001"}
    (delivery,) = await queue.read("c", 10, 10)
    entry = InboundMessage.decode(delivery.payload)
    assert (entry.op, entry.v, entry.body, entry.sender_id) == (SEND, 1, "hi", alice.id)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"room_id": 1, "body": "", "client_msg_id": "client-0001"}, "validation_error"),
        ({"room_id": 1, "body": "<script>x</script>", "client_msg_id": "c-000001"}, None),
        ({"room_id": 1, "body": "x" * 4001, "client_msg_id": "client-0001"}, "validation_error"),
        ({"room_id": 1, "body": "hi", "client_msg_id": "short"}, "validation_error"),
        ("not an object", "bad_request"),
    ],
)
async def test_a_bad_send_is_refused_with_a_clear_code_and_queues_nothing(
    database: None, data: Any, code: str | None
) -> None:
    alice = await make_user()
    room = await make_room(alice)
    if isinstance(data, dict):
        data = {**data, "room_id": room.id}
    queue = MemoryQueue(max_len=10)
    with pytest.raises(AppError) as refused:
        await queue_one(queue, data, alice.id, [room_channel(room.id)])
    assert refused.value.code == (code or "validation_error")
    assert await queue.length() == 0


async def test_a_non_member_is_forbidden(database: None) -> None:
    room = await make_room(await make_user())
    stranger = await make_user()
    data = {"room_id": room.id, "body": "hi", "client_msg_id": "client-0001"}
    with pytest.raises(AppError) as refused:
        await queue_one(MemoryQueue(max_len=10), data, stranger.id)
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize(
    "from_member_socket", [True, False], ids=["paid-with-append", "paid-first"]
)
async def test_past_the_burst_sends_are_rate_limited(
    database: None, from_member_socket: bool
) -> None:
    alice = await make_user()
    room = await make_room(alice)
    queue, limiter = MemoryQueue(max_len=10), MemoryRateLimiter()
    rooms = frozenset([room_channel(room.id)] if from_member_socket else [])
    codes = []
    for n in range(5):
        data = {"room_id": room.id, "body": "hi", "client_msg_id": f"client-{n:04d}"}
        try:
            await queue_message(
                data, user_id=alice.id, writes=writes_to(queue, limiter), socket_rooms=rooms
            )
            codes.append("ok")
        except AppError as exc:
            codes.append(exc.code)
    assert codes == ["ok", "ok", "ok", "rate_limited", "rate_limited"]
    assert await queue.length() == 3


async def test_a_full_queue_answers_unavailable(database: None) -> None:
    alice = await make_user()
    room = await make_room(alice)
    queue = MemoryQueue(max_len=1)
    await queue.publish(b"{}")
    data = {"room_id": room.id, "body": "hi", "client_msg_id": "client-0001"}
    with pytest.raises(AppError) as refused:
        await queue_one(queue, data, alice.id)
    assert refused.value.code == "unavailable"
