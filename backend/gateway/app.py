"""The gateway: `create_app(settings)` wires REST, Socket.IO, the SPA and their resources."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import structlog
from aiohttp import web

from backend.api import ops
from backend.api.accounts import routes as account_routes
from backend.api.admin import fallback_routes as admin_fallback_routes
from backend.api.admin import routes as admin_routes
from backend.api.avatars import routes as avatar_routes
from backend.api.conversations import routes as conversation_routes
from backend.api.files import routes as file_routes
from backend.api.moderation import routes as moderation_routes
from backend.api.people import routes as people_routes
from backend.api.rooms import routes as chat_routes
from backend.files.lifecycle import files_ctx
from backend.gateway.runtime import open_redis
from backend.gateway.wiring import wired
from backend.infra import logs
from backend.infra.closing import closed
from backend.infra.db import open_database
from backend.openapi.spec import build_spec
from backend.realtime.engine.server import build_server, close_manager
from backend.settings.config import Settings
from backend.shapes.errors import NotFound
from backend.web.http import MAX_BODY, error_middleware, security_headers
from backend.web.keys import OPENAPI, SETTINGS

log = structlog.get_logger("chatty.gateway")
CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def create_app(settings: Settings, *, extra_cleanup: Sequence[CleanupCtx] = ()) -> web.Application:
    """The gateway app. `extra_cleanup` runs inside the gateway's resources (their app keys
    are set): the composition root uses it to run a worker in the same process (embedded
    mode)."""
    app = web.Application(
        middlewares=[logs.request_context, ops.count_rate_limited, error_middleware],
        client_max_size=MAX_BODY,
    )
    app[SETTINGS] = settings
    app[OPENAPI] = build_spec()
    app.on_response_prepare.append(_headers)
    app.on_shutdown.append(ops.drain_sockets)  # SIGTERM: sockets reconnect to another node
    sio = build_server(settings)
    sio.attach(app, socketio_path="socket.io")

    async def resources(app: web.Application) -> AsyncIterator[None]:
        async with open_database(settings):
            redis = open_redis(settings) if settings.redis_url else None
            try:
                async with wired(app, settings, sio, redis):
                    log.info("gateway_started", embedded=settings.embedded)
                    yield
            finally:
                await closed("socket.io manager", close_manager(sio.manager))
                if redis is not None:
                    await closed("redis", redis.aclose())

    app.cleanup_ctx.append(resources)
    app.cleanup_ctx.append(files_ctx)  # after the database; uploads stream past MAX_BODY
    app.cleanup_ctx.extend(extra_cleanup)
    app.add_routes(ops.routes)
    app.add_routes(account_routes)
    app.add_routes(chat_routes)
    app.add_routes(conversation_routes)  # `/members/me` before moderation's `/members/{user_id}`
    app.add_routes(moderation_routes)
    app.add_routes(people_routes)
    app.add_routes(file_routes)
    app.add_routes(avatar_routes)
    app.add_routes(admin_routes)
    app.add_routes(admin_fallback_routes)  # the last API routes: any other `/api/v1/admin/…`
    _mount_spa(app, settings.frontend_dir)
    return app


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every response's headers, but a WebSocket's 101: it keeps them for the socket's life
    (~0.8 KB of each idle socket), and nothing reads them there."""
    if isinstance(response, web.WebSocketResponse):
        return
    await security_headers(request, response)
    await logs.echo_request_id(request, response)


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
