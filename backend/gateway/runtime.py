"""The ports a gateway (and `chatty worker`) is built from, and the one place that chooses them.

Each is in-process (embedded) or on Redis (distributed) behind the same interface; the
composition root (`backend.gateway.wiring`) builds them once and hands each handler group what
it uses.
"""

from __future__ import annotations

import socketio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from backend.inbound.admission import Admission
from backend.infra.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from backend.infra.redis_client import redis_client
from backend.messages.recent import MemoryRecentCache, RecentCache, RedisRecentCache
from backend.queue.memory import MemoryQueue
from backend.queue.port import InboundQueue
from backend.queue.redis_streams import RedisStreamQueue
from backend.realtime.engine.membership import (
    LocalMembershipSync,
    MembershipSync,
    RedisMembershipSync,
)
from backend.realtime.engine.presence import MemoryPresence, Presence, RedisPresence
from backend.realtime.engine.recovery import Resync
from backend.realtime.engine.server import RedisManager
from backend.settings.config import Settings


def open_redis(settings: Settings) -> Redis:
    # socket_timeout must outlast the worker's XREADGROUP block. Two quick retries ride over a
    # pooled connection that a Redis restart left stale; Redis really away fails within ~0.3 s
    # (callers answer `unavailable` or back off; they never wait on a dead server).
    return redis_client(
        settings.redis_url,
        socket_connect_timeout=2,
        socket_timeout=10,
        health_check_interval=15,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.2), retries=2),
    )


def make_queue(settings: Settings, redis: Redis | None) -> InboundQueue:
    if redis is None:
        return MemoryQueue(max_len=settings.inbound_max_len)
    return RedisStreamQueue(
        redis,
        stream=settings.inbound_stream,
        max_len=settings.inbound_max_len,
        claim_idle_ms=settings.claim_idle_ms,
    )


def make_recent(settings: Settings, redis: Redis | None) -> RecentCache:
    return (
        MemoryRecentCache() if redis is None else RedisRecentCache(redis, settings.socketio_channel)
    )


def make_limiter(redis: Redis | None) -> RateLimiter:
    return MemoryRateLimiter() if redis is None else RedisRateLimiter(redis)


def make_presence(settings: Settings, redis: Redis | None) -> Presence:
    if redis is None:
        return MemoryPresence()
    return RedisPresence(redis, prefix=settings.socketio_channel, ttl=settings.presence_ttl)


def make_membership(
    settings: Settings, sio: socketio.AsyncServer, redis: Redis | None, resync: Resync
) -> MembershipSync:
    if redis is None:
        return LocalMembershipSync(sio)
    return RedisMembershipSync(
        redis, sio, settings.socketio_channel, on_missed_changes=resync.request
    )


def make_admission(
    settings: Settings, sio: socketio.AsyncServer, queue: InboundQueue, resync: Resync
) -> Admission:
    """On Redis, events this node missed send its sockets to `sync`, and the manager's wait
    for events is weighed with the queue's (in-process: nothing to miss or wait for)."""
    events_wait_ms = None
    if isinstance(sio.manager, RedisManager):
        sio.manager.on_missed_events = resync.request
        events_wait_ms = sio.manager.take_wait_ms
    return Admission(queue, budget_ms=settings.delivery_budget_ms, events_wait_ms=events_wait_ms)
