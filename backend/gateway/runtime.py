"""What the gateway's handlers share for the app's lifetime, and how it is built.

The ports are in-process (embedded) or on Redis (distributed) behind the same interfaces;
`build_runtime` is the one place that chooses.
"""

from __future__ import annotations

from dataclasses import dataclass

import socketio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from backend.accounts.sessions import Sessions, open_sessions
from backend.fanout.events import Notifier
from backend.inbound.admission import Admission
from backend.inbound.write_path import WritePath
from backend.infra.limits import Limits
from backend.infra.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from backend.infra.redis_client import redis_client
from backend.messages.recent import MemoryRecentCache, RecentCache, RedisRecentCache
from backend.queue.memory import MemoryQueue
from backend.queue.port import InboundQueue
from backend.queue.redis_streams import RedisStreamQueue
from backend.realtime.engine.emitter import ServerEmitter
from backend.realtime.engine.recovery import Resync
from backend.realtime.engine.server import RedisManager
from backend.realtime.membership import LocalMembershipSync, MembershipSync, RedisMembershipSync
from backend.realtime.presence import MemoryPresence, Presence, RedisPresence
from backend.settings.config import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    sio: socketio.AsyncServer
    queue: InboundQueue
    limiter: RateLimiter
    membership: MembershipSync
    presence: Presence
    recent: RecentCache
    notifier: Notifier
    resync: Resync
    admission: Admission
    writes: WritePath  # the queue, the message rate and admission, for every message write
    sessions: Sessions
    redis: Redis | None

    @property
    def limits(self) -> Limits:
        return Limits(self.limiter, self.settings)


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


def build_runtime(settings: Settings, sio: socketio.AsyncServer, redis: Redis | None) -> Runtime:
    resync = Resync(sio)
    limiter: RateLimiter
    membership: MembershipSync
    presence: Presence
    if redis is None:
        limiter, membership, presence = (
            MemoryRateLimiter(),
            LocalMembershipSync(sio),
            MemoryPresence(),
        )
    else:
        limiter = RedisRateLimiter(redis)
        membership = RedisMembershipSync(
            redis, sio, settings.socketio_channel, on_missed_changes=resync.request
        )
        presence = RedisPresence(redis, prefix=settings.socketio_channel, ttl=settings.presence_ttl)
    events_wait_ms = None
    if isinstance(sio.manager, RedisManager):
        sio.manager.on_missed_events = resync.request
        events_wait_ms = sio.manager.take_wait_ms
    queue = make_queue(settings, redis)
    admission = Admission(
        queue, budget_ms=settings.delivery_budget_ms, events_wait_ms=events_wait_ms
    )
    return Runtime(
        settings=settings,
        sio=sio,
        queue=queue,
        limiter=limiter,
        membership=membership,
        presence=presence,
        recent=make_recent(settings, redis),
        notifier=Notifier(ServerEmitter(sio)),
        resync=resync,
        admission=admission,
        writes=WritePath(queue, Limits(limiter, settings), admission),
        sessions=open_sessions(settings, redis),
        redis=redis,
    )
