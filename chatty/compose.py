"""Builds the pieces from Settings: the gateway app, the worker, or both in one process.

The one place that sees both `backend/` and `worker/`; `chatty run` is not a second
implementation, only the same gateway and worker wired to in-process ports.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis

from backend.api.keys import QUEUE, RECENT, REDIS, SIO
from backend.fanout.events import Emitter, Notifier
from backend.files.signing import signer_for
from backend.gateway.app import create_app
from backend.messages.recent import RecentCache
from backend.queue.port import InboundQueue
from backend.realtime.engine.emitter import RedisEmitter, ServerEmitter
from backend.settings.config import Settings
from backend.shapes import jsonutil
from backend.web.keys import SETTINGS
from worker.apply.persist import Persister, SendStore
from worker.apply.portable import PortableSends
from worker.apply.postgres import PostgresSends
from worker.consumer import Worker
from worker.ordering import EmitOrder, RedisEmitOrder, SingleWorkerOrder

WORKER_STOP_TIMEOUT = 10.0


def send_store_for(dialect: str) -> SendStore:
    """PostgreSQL gets its fast path; every other database the portable one."""
    return PostgresSends() if dialect == "postgres" else PortableSends()


def build_worker(
    settings: Settings,
    *,
    queue: InboundQueue,
    emitter: Emitter,
    recent: RecentCache,
    redis: Redis | None,
) -> Worker:
    """The one worker factory, for `chatty worker` and for the worker inside `chatty run`."""
    order: EmitOrder = (
        SingleWorkerOrder()
        if redis is None
        else RedisEmitOrder(redis, settings.socketio_channel, ttl=settings.emit_order_ttl)
    )
    return Worker(
        queue=queue,
        notifier=Notifier(emitter),
        persist=Persister(send_store_for(settings.dialect), signer=signer_for(settings)),
        order=order,
        recent=recent,
        batch_size=settings.worker_batch,
        linger_ms=settings.worker_linger_ms,
        max_deliveries=settings.max_deliveries,
    )


def standalone_emitter(settings: Settings) -> RedisEmitter:
    """A worker process emits through a write-only Redis manager; every gateway delivers."""
    return RedisEmitter(settings.redis_url, channel=settings.socketio_channel, json=jsonutil)


async def _worker_in_gateway(app: web.Application) -> AsyncIterator[None]:
    """Runs a worker on the gateway's own queue, cache and server (embedded mode)."""
    worker = build_worker(
        app[SETTINGS],
        queue=app[QUEUE],
        emitter=ServerEmitter(app[SIO]),
        recent=app[RECENT],
        redis=app[REDIS],
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()  # the worker finishes and acknowledges the batch in hand
        await asyncio.wait_for(task, WORKER_STOP_TIMEOUT)


def gateway_app(settings: Settings, *, with_worker: bool) -> web.Application:
    """`chatty gateway`, or with its worker in the same process (`chatty run`, tests)."""
    return create_app(settings, extra_cleanup=[_worker_in_gateway] if with_worker else [])
