"""Live delivery in `seq` order when several workers write the same room.

The room's row lock orders the *commits*, but each worker emits after its own commit, so worker B
(seq 32–35) could publish before worker A (seq 28–31). Workers therefore take turns per room: a
batch is emitted once the room's emitted-up-to counter in Redis reaches the batch's first seq − 1.
A worker that died between commit and emit would block the turn forever, so a wait is bounded;
after it the gap is closed by the redelivery of the dead worker's entries and by clients' `sync`.

A batch waits for all its rooms' turns at once and then advances them all at once: a constant
number of round trips per batch. It cannot deadlock: batches commit in a total order (rooms are
locked in id order), and a batch only waits for batches committed before it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Protocol

from redis.asyncio import Redis

from backend.realtime.engine.emitter import emit_turn_key

TURN_TIMEOUT = 1.0

# KEYS: the rooms' counters; ARGV: the TTL in seconds, then their new values in the same
# order. Never moves back; each advance renews the TTL, so only an idle room's counter expires
# (its next batch then waits at most TURN_TIMEOUT once), and a deleted room's is removed.
_ADVANCE = """
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local current = tonumber(redis.call('GET', key) or '0')
  local value = math.max(current, tonumber(ARGV[i + 1]))
  redis.call('SET', key, value, 'EX', ttl)
end
return 1
"""


class EmitOrder(Protocol):
    async def wait_turns(self, after: Mapping[int, int]) -> None:
        """Until each room's emitted-up-to counter reaches its seq in `after` (or time out)."""

    async def done(self, up_to: Mapping[int, int]) -> None:
        """Each room's counter advanced to its seq in `up_to`."""


class SingleWorkerOrder:
    """Embedded mode has one worker: its emits are in commit order already."""

    async def wait_turns(self, after: Mapping[int, int]) -> None:
        return None

    async def done(self, up_to: Mapping[int, int]) -> None:
        return None


class RedisEmitOrder:
    def __init__(self, redis: Redis, channel: str, *, ttl: int = 7 * 24 * 3600) -> None:
        self._redis = redis
        self._channel = channel
        self._ttl = ttl
        self._advance = redis.register_script(_ADVANCE)

    async def wait_turns(self, after: Mapping[int, int]) -> None:
        waiting = {room: seq for room, seq in after.items() if seq > 0}
        deadline = time.monotonic() + TURN_TIMEOUT
        pause = 0.002
        while waiting and time.monotonic() < deadline:
            rooms = list(waiting)
            current = await self._redis.mget([emit_turn_key(self._channel, r) for r in rooms])
            for room, value in zip(rooms, current, strict=True):
                if int(value or 0) >= waiting[room]:
                    del waiting[room]
            if waiting:
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.02)

    async def done(self, up_to: Mapping[int, int]) -> None:
        if up_to:
            rooms = list(up_to)
            await self._advance(
                keys=[emit_turn_key(self._channel, r) for r in rooms],
                args=[self._ttl, *(up_to[r] for r in rooms)],
            )
