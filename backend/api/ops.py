"""Operations: liveness, readiness (database + Redis), metrics, draining on shutdown."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web

from backend.api.keys import QUEUE, REDIS, SIO
from backend.infra import db
from backend.infra import metrics as metric
from backend.realtime.engine.recovery import send_sockets_away
from backend.shapes.errors import NotFound, Unauthorized
from backend.web.http import json_response
from backend.web.keys import OPENAPI, SETTINGS

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = structlog.get_logger("chatty.ops")


@routes.get("/healthz")
async def healthz(_request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    redis = request.app[REDIS]
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(db.ping(), 2)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if redis is not None:
        try:
            await asyncio.wait_for(redis.ping(), 2)
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Only with `CHATTY_METRICS_TOKEN` set and presented as a bearer token: not public."""
    expected = request.app[SETTINGS].metrics_token
    if not expected:
        raise NotFound()
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        raise Unauthorized("metrics need the bearer token of CHATTY_METRICS_TOKEN")
    sockets = sum(1 for _ in request.app[SIO].manager.get_participants("/", None))
    metric.SOCKETS_CONNECTED.set(sockets)  # this node's sockets: local rooms only
    await metric.sample_queue_length(request.app[QUEUE])
    body, content_type = metric.exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})


@web.middleware
async def count_rate_limited(request: web.Request, handler: Handler) -> web.StreamResponse:
    """`chatty_rate_limited_total{where="http:<route>"}` for every 429 the API answers."""
    response = await handler(request)
    if response.status == 429:
        route = request.match_info.route.resource
        metric.RATE_LIMITED.labels(f"http:{route.canonical if route else '?'}").inc()
    return response


async def drain_sockets(app: web.Application) -> None:
    """on_shutdown (SIGTERM): the listener is already closed; send every socket elsewhere.

    Each Engine.IO connection is closed from this side (disconnect handlers run, presence is
    updated) and its transport is ended, which socket.io clients treat as a lost connection:
    they reconnect, through the load balancer, to another gateway and `sync` what they missed.
    A namespace-level disconnect would not do: clients take that as final and stay away.
    """
    sio = app.get(SIO)
    if sio is None:  # start-up failed: nothing was ever connected
        return
    log.info("gateway_draining", sockets=len(sio.eio.sockets))
    sent = await send_sockets_away(sio, sio.eio.reason.SERVER_DISCONNECT)
    await sio.shutdown()
    log.info("gateway_drained", sockets=sent)


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(request.app[OPENAPI])
