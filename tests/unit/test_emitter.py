"""The worker's batched emits publish exactly what python-socketio's own `emit` would."""

from __future__ import annotations

from typing import Any

from backend import jsonutil
from backend.realtime.events import Emission
from backend.realtime.server import RedisManager, pubsub_message


async def test_a_batched_message_is_what_the_manager_itself_publishes() -> None:
    manager = RedisManager("redis://127.0.0.1:1", channel="c", write_only=True, json=jsonutil)
    published: list[dict[str, Any]] = []

    async def record(message: dict[str, Any]) -> None:
        published.append(message)

    manager._publish = record
    for emission in (
        Emission("message:new", {"id": 1, "body": "hi"}, "room:3"),
        Emission("notification", {"kind": "dm"}, ["user:1", "user:2"], skip_sid="abc"),
    ):
        await manager.emit(
            emission.event,
            emission.data,
            namespace="/",
            room=emission.room,
            skip_sid=emission.skip_sid,
        )
        assert published.pop() == pubsub_message(emission, host_id=manager.host_id)
