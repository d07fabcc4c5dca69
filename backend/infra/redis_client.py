"""Every Redis client of a process, over a pool that waits for a free connection.

redis-py's pool holds at most 100 connections and fails at once when all are busy. A burst
did that in `make bench`: 10,000 sockets closing together failed their presence updates with
`Too many connections` (those users would have stayed online) and sends under saturation were
refused `unavailable`. Here the 101st caller waits for a connection instead, as long as it
takes: with a 10 s limit, 278 of 10,000 closing sockets still failed, queued behind the others
on a saturated gateway. The wait is bounded all the same: a busy connection is freed within
the socket timeout (`runtime.open_redis`), and Redis being away fails the next call fast.

Every new connection tells Redis the client's name and version (`CLIENT SETINFO`). redis-py
finds its version in the installed packages' metadata, scanning `sys.path`, for each connection
it opens: 1.8 % of a gateway's CPU while a burst of connects grew its pools (py-spy). It is
read once per process here.
"""

from __future__ import annotations

from typing import Any

from redis import DriverInfo
from redis.asyncio import BlockingConnectionPool, Redis

POOL_SIZE = 100
_DRIVER = DriverInfo()  # the version read now, once


def redis_client(url: str, **options: Any) -> Redis:
    """Closing the client (`aclose`) closes its pool too."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=POOL_SIZE, timeout=None, driver_info=_DRIVER, **options
    )
    return Redis.from_pool(pool)
