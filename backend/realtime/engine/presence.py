"""Presence across gateway nodes: a user is online while any socket of theirs is connected.

Redis keeps, per user, the set of their sockets (`node:sid`) and, per gateway node, the set of
its sockets plus a heartbeat key that expires unless the node renews it. The heartbeat costs one
command per node, whatever its number of sockets. A node that dies stops renewing; a periodic
sweep (any gateway, one at a time) removes a dead node's sockets and reports the users left
with none, so they turn offline within `ttl` + one sweep interval.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from redis.asyncio import Redis

# KEYS: user set, node set, nodes index, node heartbeat. ARGV: node:sid, uid:sid, node, ttl,
# the user's socket limit, the user-set key prefix, then the peers' ids. Returns the user's
# sockets before this one (-1, nothing recorded, at the limit), then the peers online: the
# connect's one round trip for presence.
_CONNECT = """
local before = redis.call('SCARD', KEYS[1])
if before >= tonumber(ARGV[5]) then return {-1} end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('SET', KEYS[4], '1', 'EX', ARGV[4])
local reply = {before}
for i = 7, #ARGV do
  if redis.call('SCARD', ARGV[6] .. ARGV[i]) > 0 then table.insert(reply, ARGV[i]) end
end
return reply
"""

# KEYS: user set, node set. ARGV: node:sid, uid:sid. Returns the user's sockets left.
_DISCONNECT = """
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[1])
"""

# KEYS: nodes index. ARGV: key prefix. Returns the users whose last socket was on a dead node.
_SWEEP = """
local prefix = ARGV[1]
local offline = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', prefix .. 'alive:' .. node) == 0 then
    local node_key = prefix .. 'n:' .. node
    for _, member in ipairs(redis.call('SMEMBERS', node_key)) do
      local sep = string.find(member, ':', 1, true)
      local user = string.sub(member, 1, sep - 1)
      local user_key = prefix .. 'u:' .. user
      redis.call('SREM', user_key, node .. ':' .. string.sub(member, sep + 1))
      if redis.call('SCARD', user_key) == 0 then table.insert(offline, user) end
    end
    redis.call('DEL', node_key)
    redis.call('SREM', KEYS[1], node)
  end
end
return offline
"""

# ARGV: the user-set key prefix, then user ids. Returns those with a socket: one command for
# a connect's hundreds of peers (a pipeline of one SCARD each cost the gateway ~5 ms).
_ONLINE = """
local online = {}
for i = 2, #ARGV do
  if redis.call('SCARD', ARGV[1] .. ARGV[i]) > 0 then table.insert(online, ARGV[i]) end
end
return online
"""


class SocketLimitReached(Exception):
    """The user already holds as many sockets as allowed; this one was not recorded."""


class Presence(Protocol):
    async def connected(
        self, user_id: int, sid: str, *, limit: int, peers: Sequence[int] = ()
    ) -> tuple[bool, set[int]]:
        """Record a socket, in the same step as checking the user's `limit` (else
        `SocketLimitReached`): whether the user was offline until now, and which of `peers`
        are online."""

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

    async def connected(
        self, user_id: int, sid: str, *, limit: int, peers: Sequence[int] = ()
    ) -> tuple[bool, set[int]]:
        if len(self._sockets[user_id]) >= limit:
            raise SocketLimitReached
        first = not self._sockets[user_id]
        self._sockets[user_id].add(sid)
        return first, await self.online(list(peers))

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
        self._prefix = f"{prefix}:presence:"
        self._node = uuid.uuid4().hex[:12]
        self._ttl = max(1, round(ttl))
        self._connect = redis.register_script(_CONNECT)
        self._disconnect = redis.register_script(_DISCONNECT)
        self._sweep = redis.register_script(_SWEEP)
        self._online = redis.register_script(_ONLINE)

    def _keys(self, user_id: int) -> list[str]:
        return [f"{self._prefix}u:{user_id}", f"{self._prefix}n:{self._node}"]

    async def connected(
        self, user_id: int, sid: str, *, limit: int, peers: Sequence[int] = ()
    ) -> tuple[bool, set[int]]:
        before, *online = await self._connect(
            keys=[
                *self._keys(user_id),
                f"{self._prefix}nodes",
                f"{self._prefix}alive:{self._node}",
            ],
            args=[
                f"{self._node}:{sid}",
                f"{user_id}:{sid}",
                self._node,
                self._ttl,
                limit,
                f"{self._prefix}u:",
                *peers,
            ],
        )
        if int(before) < 0:
            raise SocketLimitReached
        return int(before) == 0, {int(u) for u in online}

    async def disconnected(self, user_id: int, sid: str) -> bool:
        left = await self._disconnect(
            keys=self._keys(user_id), args=[f"{self._node}:{sid}", f"{user_id}:{sid}"]
        )
        return int(left) == 0

    async def online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        online = await self._online(keys=[], args=[f"{self._prefix}u:", *user_ids])
        return {int(u) for u in online}

    async def heartbeat(self) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(f"{self._prefix}alive:{self._node}", b"1", ex=self._ttl)
            pipe.sadd(f"{self._prefix}nodes", self._node)
            await pipe.execute()

    async def sweep(self) -> list[int]:
        # One sweeper at a time; the lock expires by itself if its holder dies.
        lock = f"{self._prefix}sweep"
        if not await self._redis.set(lock, b"1", nx=True, px=int(self._ttl * 300)):
            return []
        gone = await self._sweep(keys=[f"{self._prefix}nodes"], args=[self._prefix])
        return [int(user) for user in gone]
