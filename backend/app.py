"""The gateway: `create_app(settings)` wires REST, Socket.IO, the SPA and their resources."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import socketio
import structlog
from aiohttp import web
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from backend import logs, ops
from backend.accounts.models import User
from backend.accounts.routes import routes as account_routes
from backend.chat.recent import MemoryRecentCache, RedisRecentCache
from backend.chat.routes import routes as chat_routes
from backend.config import Settings
from backend.db import open_database
from backend.errors import NotFound
from backend.http import MAX_BODY, error_middleware, security_headers
from backend.keys import OPENAPI, RUNTIME, SETTINGS
from backend.openapi import build_spec
from backend.queue.memory import MemoryQueue
from backend.queue.port import InboundQueue
from backend.queue.redis_streams import RedisStreamQueue
from backend.ratelimit import MemoryRateLimiter, RedisRateLimiter
from backend.realtime import handlers
from backend.realtime.emitter import ServerEmitter
from backend.realtime.membership import LocalMembershipSync, RedisMembershipSync
from backend.realtime.presence import MemoryPresence, RedisPresence
from backend.realtime.server import build_server, close_manager
from backend.runtime import Runtime
from worker.consumer import Worker
from worker.ordering import RedisEmitOrder, SingleWorkerOrder

log = structlog.get_logger("chatty.gateway")


def open_redis(settings: Settings) -> Redis:
    # socket_timeout must outlast the worker's XREADGROUP block. Two quick retries ride over a
    # pooled connection that a Redis restart left stale; Redis really away fails within ~0.3 s
    # (callers answer `unavailable` or back off; they never wait on a dead server).
    return Redis.from_url(
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


def create_app(settings: Settings, *, with_worker: bool = False) -> web.Application:
    """The gateway app; `with_worker` also runs the queue worker in this process (embedded)."""
    app = web.Application(
        middlewares=[logs.request_context, ops.count_rate_limited, error_middleware],
        client_max_size=MAX_BODY,
    )
    app[SETTINGS] = settings
    app[OPENAPI] = build_spec()
    app.on_response_prepare.append(security_headers)
    app.on_response_prepare.append(logs.echo_request_id)
    app.on_shutdown.append(ops.drain_sockets)  # SIGTERM: sockets reconnect to another node
    sio = build_server(settings)
    sio.attach(app, socketio_path="socket.io")

    async def resources(app: web.Application) -> AsyncIterator[None]:
        async with open_database(settings):
            redis = open_redis(settings) if settings.redis_url else None
            rt = _runtime(settings, sio, redis)
            app[RUNTIME] = rt
            handlers.register(rt)
            tasks = [asyncio.create_task(_presence_loop(rt))]
            if isinstance(rt.membership, RedisMembershipSync):
                tasks.append(asyncio.create_task(rt.membership.listen()))
            stop = asyncio.Event()
            worker_task = None
            if with_worker:
                worker = Worker(
                    queue=rt.queue,
                    emitter=ServerEmitter(sio),
                    recent=rt.recent,
                    order=(
                        SingleWorkerOrder()
                        if redis is None
                        else RedisEmitOrder(redis, settings.socketio_channel)
                    ),
                    batch_size=settings.worker_batch,
                    max_deliveries=settings.max_deliveries,
                )
                worker_task = asyncio.create_task(worker.run(stop))
            log.info("gateway_started", embedded=settings.embedded, worker=with_worker)
            try:
                yield
            finally:
                stop.set()  # the worker finishes and acknowledges the batch in hand
                if worker_task is not None:
                    await asyncio.wait_for(worker_task, 10)
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await rt.queue.close()
                await close_manager(sio.manager)
                if redis is not None:
                    await redis.aclose()

    app.cleanup_ctx.append(resources)
    app.add_routes(ops.routes)
    app.add_routes(account_routes)
    app.add_routes(chat_routes)
    _mount_spa(app, settings.frontend_dir)
    return app


def _runtime(settings: Settings, sio: socketio.AsyncServer, redis: Redis | None) -> Runtime:
    """The ports, in-process (embedded) or on Redis (distributed): the same interfaces."""
    if redis is None:
        return Runtime(
            settings=settings,
            sio=sio,
            queue=MemoryQueue(max_len=settings.inbound_max_len),
            limiter=MemoryRateLimiter(),
            membership=LocalMembershipSync(sio),
            presence=MemoryPresence(),
            recent=MemoryRecentCache(),
            redis=None,
        )
    return Runtime(
        settings=settings,
        sio=sio,
        queue=make_queue(settings, redis),
        limiter=RedisRateLimiter(redis),
        membership=RedisMembershipSync(redis, sio, settings.socketio_channel),
        presence=RedisPresence(redis, prefix=settings.socketio_channel, ttl=settings.presence_ttl),
        recent=RedisRecentCache(redis, settings.socketio_channel),
        redis=redis,
    )


async def _presence_loop(rt: Runtime) -> None:
    """Keep this node's sockets alive in Redis; turn dead nodes' users offline."""
    while True:
        await asyncio.sleep(rt.settings.presence_ttl / 3)
        try:
            await rt.presence.heartbeat()
            for user_id in await rt.presence.sweep():
                user = await User.get_or_none(id=user_id)
                if user is not None:
                    await handlers.announce_presence(rt, user, online=False)
        except Exception as exc:  # Redis or the database away: try again next round
            log.warning("presence_loop_failed", error=str(exc))


PLACEHOLDER = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chatty</title>
</head><body><h1>chatty</h1><p>The gateway is running. The SPA is not built yet:
run <code>make frontend</code>.</p></body></html>"""


def _mount_spa(app: web.Application, dist: Path) -> None:
    """`/` is the SPA's index; other paths are its built files, or a JSON 404."""
    root = dist.resolve()

    async def spa_index(_request: web.Request) -> web.StreamResponse:
        index = root / "index.html"
        if index.is_file():
            return web.FileResponse(index, headers={"Cache-Control": "no-cache"})
        return web.Response(body=PLACEHOLDER, content_type="text/html")

    async def spa_file(request: web.Request) -> web.StreamResponse:
        path = (root / request.match_info["path"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound()
        return web.FileResponse(path)

    app.router.add_get("/", spa_index)
    app.router.add_get("/{path:.+}", spa_file)
