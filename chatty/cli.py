"""`chatty run | gateway | worker | migrate | admin` — the only place settings are read."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Coroutine
from typing import Any

import structlog
from aiohttp import web

from backend.gateway.runtime import make_queue, make_recent, open_redis
from backend.infra import heap, logs, migrations
from backend.infra.db import open_database
from backend.settings.config import Settings, SettingsError
from backend.shapes.errors import AppError
from backend.workspace import admins
from chatty.compose import build_worker, gateway_app, standalone_emitter
from worker.ops import serve_endpoint

log = structlog.get_logger("chatty.cli")


def _run(coro: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop

        uvloop.run(coro)
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        asyncio.run(coro)


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:  # pragma: no cover
        return asyncio.new_event_loop()


def serve(settings: Settings, host: str, port: int, *, with_worker: bool) -> None:
    app = gateway_app(settings, with_worker=with_worker)
    app.on_startup.append(_settle)  # the last of start-up: the database and Redis are up
    log.info("listening", url=f"http://{host}:{port}", embedded=settings.embedded)
    web.run_app(
        app,
        host=host,
        port=port,
        access_log=None,
        print=None,
        loop=_new_loop(),
        shutdown_timeout=settings.shutdown_timeout,
    )


async def _settle(_app: web.Application) -> None:
    heap.settle()


async def run_worker(settings: Settings) -> None:
    """A standalone worker: Redis stream in, PostgreSQL, Redis manager out.

    SIGTERM (or SIGINT) sets `stop`: the batch in hand is persisted, emitted and acknowledged,
    then the loop ends and the process exits 0; nothing is left half-done or pending.
    """
    if not settings.redis_url:
        raise SettingsError(
            "`chatty worker` needs REDIS_URL; embedded mode runs the worker inside `chatty run`"
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with open_database(settings):
        redis = open_redis(settings)
        emitter = standalone_emitter(settings)
        queue = make_queue(settings, redis)
        worker = build_worker(
            settings,
            queue=queue,
            emitter=emitter,
            recent=make_recent(settings, redis),
            redis=redis,
        )
        try:
            async with serve_endpoint(
                queue, settings.worker_metrics_host, settings.worker_metrics_port
            ):
                heap.settle()
                await worker.run(stop)
        finally:
            await emitter.close()
            await redis.aclose()


async def migrate(settings: Settings) -> None:
    applied = await migrations.apply(settings)
    log.info("migrated", dialect=settings.dialect, applied=applied)


async def check_migrations(settings: Settings) -> None:
    """Like `makemigrations --check`: exit 1 when the models changed without a migration."""
    if await migrations.pending_changes(settings):
        log.error("migration_missing", dialect=settings.dialect, fix="make migrations NAME=...")
        raise SystemExit(1)
    log.info("migrations_up_to_date", dialect=settings.dialect)


async def set_admin(settings: Settings, username: str, *, is_admin: bool) -> None:
    """`chatty admin grant|revoke USERNAME`: the same rule as the admin route (the last active
    admin stays one). Its sockets and room-mates see the change on their next read."""
    async with open_database(settings):
        user, changed = await admins.set_admin(is_admin, username=username.lower())
    said = {
        (True, True): "is now an admin",
        (True, False): "was already an admin",
        (False, True): "is no longer an admin",
        (False, False): "was not an admin",
    }
    print(f"{user.username} {said[is_admin, changed]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chatty", description="chatty real-time chat")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("run", "everything in one process (embedded default: SQLite, in-process queue)"),
        ("gateway", "REST + Socket.IO + SPA; needs REDIS_URL and at least one `chatty worker`"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--host", default="127.0.0.1")
        cmd.add_argument("--port", type=int, default=8080)
    sub.add_parser("worker", help="consume the inbound queue and persist messages")
    migrate_cmd = sub.add_parser("migrate", help="apply database migrations")
    migrate_cmd.add_argument(
        "--check", action="store_true", help="only fail if the models need a new migration"
    )
    admin_cmd = sub.add_parser("admin", help="make a user a workspace admin, or no longer one")
    admin_cmd.add_argument("change", choices=["grant", "revoke"])
    admin_cmd.add_argument("username")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"chatty: configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings)
    try:
        if args.command == "migrate":
            _run(check_migrations(settings) if args.check else migrate(settings))
        elif args.command == "admin":
            _run(set_admin(settings, args.username, is_admin=args.change == "grant"))
        elif args.command == "worker":
            _run(run_worker(settings))
        elif args.command == "run":
            _run(migrate(settings))
            serve(settings, args.host, args.port, with_worker=True)
        else:
            if not settings.redis_url:
                # Without Redis its queue would be in-process, read by no worker: every
                # acknowledged message would be lost. Only `chatty run` is embedded.
                raise SettingsError(
                    "`chatty gateway` needs REDIS_URL (workers read its queue through Redis); "
                    "`chatty run` runs everything in one process without it"
                )
            serve(settings, args.host, args.port, with_worker=False)
    except SettingsError as exc:
        print(f"chatty: configuration error: {exc}", file=sys.stderr)
        return 2
    except AppError as exc:  # `chatty admin`: no such user, or the last admin
        print(f"chatty: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
