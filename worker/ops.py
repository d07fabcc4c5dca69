"""`chatty worker`'s own small HTTP endpoint: `/metrics` and `/healthz`.

A worker runs in its own process, so the gateway's `/metrics` cannot see its batches; this
endpoint serves the worker process's registry. It runs on the worker's event loop, so `/healthz`
answering also says the loop is not stuck.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from aiohttp import web

from backend.infra import metrics
from backend.queue.port import InboundQueue

log = structlog.get_logger("chatty.worker")


def endpoint_app(queue: InboundQueue) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def metrics_text(_request: web.Request) -> web.Response:
        await metrics.sample_queue_length(queue)
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_text)
    return app


@asynccontextmanager
async def serve_endpoint(queue: InboundQueue, host: str, port: int) -> AsyncIterator[None]:
    """Serve while the block runs; port 0 turns it off. A port in use is logged, not fatal:
    the worker's job is the queue, and a second worker on one host must still run."""
    if port == 0:
        yield
        return
    runner = web.AppRunner(endpoint_app(queue), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
            log.info("worker_metrics_listening", url=f"http://{host}:{port}/metrics")
        except OSError as exc:
            log.error("worker_metrics_unavailable", host=host, port=port, error=str(exc))
        yield
    finally:
        await runner.cleanup()
