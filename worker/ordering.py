"""Live delivery in `seq` order when several workers write the same room.

The room's row lock orders the *commits*, but each worker emits after its own commit, so worker B
(seq 32–35) could publish before worker A (seq 28–31). Workers therefore take turns per room: a
batch is emitted once the room's emitted-up-to counter in Redis reaches the batch's first seq − 1.
A worker that died between commit and emit would block the turn forever, so a wait is bounded;
after it the gap is closed by the redelivery of the dead worker's entries and by clients' `sync`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from redis.asyncio import Redis

TURN_TIMEOUT = 1.0

_ADVANCE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


class EmitOrder(Protocol):
    async def wait_turn(self, room_id: int, after_seq: int) -> None: ...

    async def done(self, room_id: int, up_to_seq: int) -> None: ...


class SingleWorkerOrder:
    """Embedded mode has one worker: its emits are in commit order already."""

    async def wait_turn(self, room_id: int, after_seq: int) -> None:
        return None

    async def done(self, room_id: int, up_to_seq: int) -> None:
        return None


class RedisEmitOrder:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:emitted:"
        self._advance = redis.register_script(_ADVANCE)

    async def wait_turn(self, room_id: int, after_seq: int) -> None:
        if after_seq == 0:
            return
        key = self._prefix + str(room_id)
        deadline = time.monotonic() + TURN_TIMEOUT
        pause = 0.002
        while time.monotonic() < deadline:
            current = await self._redis.get(key)
            if int(current or 0) >= after_seq:
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.02)

    async def done(self, room_id: int, up_to_seq: int) -> None:
        await self._advance(keys=[self._prefix + str(room_id)], args=[up_to_seq])
