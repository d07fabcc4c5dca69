"""Presence across gateway nodes: a user is online while any socket of theirs is connected.

Redis keeps, per user, a sorted set of their socket ids scored by an expiry that each gateway
pushes forward for its own sockets (a heartbeat). A gateway that dies stops refreshing; a
periodic sweep (any gateway, one at a time) removes expired sockets and reports the users left
with none, so they turn offline within `ttl` + one sweep interval.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Protocol

from redis.asyncio import Redis

_CONNECT = """
local now = tonumber(ARGV[1]); local expiry = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], expiry, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(expiry - now) * 2)
redis.call('ZADD', KEYS[2], expiry, ARGV[4])
return before
"""

_DISCONNECT = """
local now = tonumber(ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
"""

# KEYS[1]: the index of every socket; ARGV: now, user-key prefix, max. Returns users gone offline.
_SWEEP = """
local now = tonumber(ARGV[1]); local prefix = ARGV[2]
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local offline = {}
for _, member in ipairs(expired) do
  redis.call('ZREM', KEYS[1], member)
  local sep = string.find(member, ':', 1, true)
  local user = string.sub(member, 1, sep - 1)
  local key = prefix .. user
  redis.call('ZREM', key, string.sub(member, sep + 1))
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) == 0 then table.insert(offline, user) end
end
return offline
"""


class Presence(Protocol):
    async def connected(self, user_id: int, sid: str) -> bool:
        """Record a socket; True when the user was offline until now."""

    async def disconnected(self, user_id: int, sid: str) -> bool:
        """Forget a socket; True when it was the user's last one anywhere."""

    async def online(self, user_ids: list[int]) -> set[int]: ...

    async def heartbeat(self) -> None:
        """Push this node's sockets' expiry forward."""

    async def sweep(self) -> list[int]:
        """Expire the sockets of dead nodes; returns the users who went offline."""


class MemoryPresence:
    """Embedded mode: one process knows every socket."""

    def __init__(self) -> None:
        self._sockets: dict[int, set[str]] = defaultdict(set)

    async def connected(self, user_id: int, sid: str) -> bool:
        first = not self._sockets[user_id]
        self._sockets[user_id].add(sid)
        return first

    async def disconnected(self, user_id: int, sid: str) -> bool:
        self._sockets[user_id].discard(sid)
        if self._sockets[user_id]:
            return False
        del self._sockets[user_id]
        return True

    async def online(self, user_ids: list[int]) -> set[int]:
        return {u for u in user_ids if self._sockets.get(u)}

    async def heartbeat(self) -> None:
        return None

    async def sweep(self) -> list[int]:
        return []


class RedisPresence:
    def __init__(self, redis: Redis, *, prefix: str, ttl: float) -> None:
        self._redis = redis
        self._user_prefix = f"{prefix}:presence:u:"
        self._index = f"{prefix}:presence:all"
        self._lock = f"{prefix}:presence:sweep"
        self._ttl = ttl
        self._local: dict[str, int] = {}  # this node's sockets: sid → user id
        self._connect = redis.register_script(_CONNECT)
        self._disconnect = redis.register_script(_DISCONNECT)
        self._sweep = redis.register_script(_SWEEP)

    async def connected(self, user_id: int, sid: str) -> bool:
        self._local[sid] = user_id
        now = time.time()
        before = await self._connect(
            keys=[self._user_prefix + str(user_id), self._index],
            args=[now, now + self._ttl, sid, f"{user_id}:{sid}"],
        )
        return int(before) == 0

    async def disconnected(self, user_id: int, sid: str) -> bool:
        self._local.pop(sid, None)
        left = await self._disconnect(
            keys=[self._user_prefix + str(user_id), self._index],
            args=[time.time(), sid, f"{user_id}:{sid}"],
        )
        return int(left) == 0

    async def online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        now = time.time()
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zcount(self._user_prefix + str(user_id), now, "+inf")
            counts = await pipe.execute()
        return {u for u, n in zip(user_ids, counts, strict=True) if int(n) > 0}

    async def heartbeat(self) -> None:
        if not self._local:
            return
        expiry = time.time() + self._ttl
        async with self._redis.pipeline(transaction=False) as pipe:
            for sid, user_id in list(self._local.items()):
                pipe.zadd(self._user_prefix + str(user_id), {sid: expiry}, xx=True)
                pipe.zadd(self._index, {f"{user_id}:{sid}": expiry}, xx=True)
            await pipe.execute()

    async def sweep(self) -> list[int]:
        # One sweeper at a time; the lock expires by itself if its holder dies.
        if not await self._redis.set(self._lock, b"1", nx=True, px=int(self._ttl * 300)):
            return []
        gone = await self._sweep(keys=[self._index], args=[time.time(), self._user_prefix, 1000])
        return [int(user) for user in gone]
