"""`chat.inbound` split by room into partitions, each read by one worker at a time.

With one stream, every worker's batch held all the busy rooms, so two workers queued on the
same rooms' row locks and emit turns: a second worker added 25-45 %. A room's entries now go to
one partition (`room_id % PARTITIONS`), and each partition is leased to one live worker, so
workers write disjoint rooms.

A lease is for speed, never for safety: if two workers read one partition (a lease that
lapsed under a stalled worker, a handover with a batch in flight), the room's row lock still
numbers the messages, the unique key still refuses a second copy, and the emit turns
(`worker.ordering`) still emit in `seq` order.

Partition 0 keeps the stream's own name, so entries queued by a version without partitions are
read too. The count is fixed in code, not configured: a gateway and a worker that disagreed
would leave partitions nobody reads (upgrade workers before gateways when it changes).
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

PARTITIONS = 16
# A worker that stops renewing loses its partitions after this (or the claim time if shorter):
# new entries of its rooms wait no longer than that, and admission, which watches each
# partition's oldest unread entry, refuses sends to those rooms meanwhile only if that is past
# its limit. A worker renewing late (a batch slower than two thirds of it) merely hands a
# partition over: harmless.
LEASE_MS = 1500


def _bit_reversed(n: int) -> list[int]:
    """0, 8, 4, 12, 2, … for 16: the first k of it are spread evenly over 0..n-1 for any k."""
    bits = max(1, math.ceil(math.log2(n)))
    return sorted(range(n), key=lambda p: int(f"{p:0{bits}b}"[::-1], 2))


# Workers claim partitions in this order and keep the earliest ones: consecutive room ids
# (most rooms are created in order) end up spread evenly over the workers.
CLAIM_ORDER = _bit_reversed(PARTITIONS)


def partition_streams(stream: str) -> list[str]:
    """Every partition's stream, by partition: 0 keeps the stream's own name."""
    return [f"{stream}.{p}" if p else stream for p in range(PARTITIONS)]


def partition_of(room_id: int) -> int:
    """The partition a room's entries go to, so they are read by one worker, in order."""
    return room_id % PARTITIONS


def stream_of(stream: str, room_id: int) -> str:
    """The stream of the room's partition."""
    return partition_streams(stream)[partition_of(room_id)]


# The worker's heartbeat: it stays among the live workers, keeps its fair share of the
# partitions (the earliest in claim order), gives up the rest and takes free ones up to its
# share. KEYS[1]: the live workers (a sorted set by last heartbeat); KEYS[2..]: each
# partition's owner, in claim order. ARGV: me, lease (ms), '1' to leave.
# Returns the positions (0-based, in claim order) of the partitions now mine.
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, lease = ARGV[1], tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - lease)
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[1], me)
  for i = 2, #KEYS do
    if redis.call('GET', KEYS[i]) == me then redis.call('DEL', KEYS[i]) end
  end
  return {}
end
redis.call('ZADD', KEYS[1], now, me)
redis.call('PEXPIRE', KEYS[1], lease * 10)
local fair = math.ceil((#KEYS - 1) / redis.call('ZCARD', KEYS[1]))
local mine = {}
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == me then
    if #mine < fair then
      redis.call('PEXPIRE', KEYS[i], lease)
      mine[#mine + 1] = i - 2
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
for i = 2, #KEYS do
  if #mine >= fair then break end
  if redis.call('SET', KEYS[i], me, 'NX', 'PX', lease) then mine[#mine + 1] = i - 2 end
end
return mine
"""


class Leases:
    """One worker's share of the partitions, renewed by `heartbeat` at least every third of
    the lease; a worker silent for a whole lease is presumed dead and its share taken over."""

    def __init__(self, redis: Redis, stream: str, lease_ms: int) -> None:
        self.lease_ms = lease_ms
        self._workers = f"{stream}.workers"
        self._owners = [f"{stream}.owner.{p}" for p in CLAIM_ORDER]
        self._script = redis.register_script(_HEARTBEAT)

    async def heartbeat(self, consumer: str) -> list[int]:
        """The partitions this consumer now reads, in ascending order."""
        positions = await self._script(
            keys=[self._workers, *self._owners], args=[consumer, self.lease_ms, "0"]
        )
        return sorted(CLAIM_ORDER[int(i)] for i in positions)

    async def leave(self, consumer: str) -> None:
        """Give every partition back at once (a clean stop), not after a lease."""
        await self._script(keys=[self._workers, *self._owners], args=[consumer, self.lease_ms, "1"])
