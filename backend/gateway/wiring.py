"""The gateway's composition root: every port and service built once, and each handler group
handed only what it uses.

REST handlers read theirs from typed app keys (`backend.web.keys`, `backend.api.keys`); the
Socket.IO handlers get theirs as constructor arguments; the background tasks as arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import socketio
import structlog
from aiohttp import web
from redis.asyncio import Redis

from backend.accounts.models import User
from backend.accounts.sessions import open_sessions
from backend.actions.announcer import Announcer
from backend.actions.presence import announce_presence
from backend.api.keys import ANNOUNCER, MEMBERSHIP, PRESENCE, QUEUE, RECENT, REDIS, SIO
from backend.fanout.events import Notifier
from backend.gateway.runtime import (
    make_admission,
    make_limiter,
    make_membership,
    make_presence,
    make_queue,
    make_recent,
)
from backend.inbound.write_path import WritePath
from backend.infra.closing import cancelled, closed
from backend.infra.limits import Limits
from backend.realtime.connection import Connections
from backend.realtime.engine.emitter import ServerEmitter
from backend.realtime.engine.membership import MembershipSync, RedisMembershipSync
from backend.realtime.engine.memory import release_freed_memory
from backend.realtime.engine.recovery import Resync
from backend.realtime.namespace import ChatSockets
from backend.settings.config import Settings
from backend.web.keys import LIMITER, LIMITS, SESSIONS

log = structlog.get_logger("chatty.gateway")


@contextlib.asynccontextmanager
async def wired(
    app: web.Application, settings: Settings, sio: socketio.AsyncServer, redis: Redis | None
) -> AsyncIterator[None]:
    """Each port built and set under its app key, the Socket.IO handlers registered with
    theirs; the background tasks run until the app stops, then the inbound queue is closed."""
    resync = Resync(sio)  # one per node: the manager's and the membership listener's
    app[SIO], app[REDIS] = sio, redis
    queue = app[QUEUE] = make_queue(settings, redis)
    limiter = app[LIMITER] = make_limiter(redis)
    limits = app[LIMITS] = Limits(limiter, settings)
    membership = app[MEMBERSHIP] = make_membership(settings, sio, redis, resync)
    presence = app[PRESENCE] = make_presence(settings, redis)
    sessions = app[SESSIONS] = open_sessions(settings, redis)
    recent = app[RECENT] = make_recent(settings, redis)
    notifier = Notifier(ServerEmitter(sio))
    announcer = app[ANNOUNCER] = Announcer(notifier, membership, presence, limits)
    admission = make_admission(settings, sio, queue, resync)
    connections = Connections(
        sio,
        settings=settings,
        sessions=sessions,
        limits=limits,
        presence=presence,
        arrivals=membership.arrivals,
        announcer=announcer,
    )
    ChatSockets(
        sio,
        connections,
        settings=settings,
        limits=limits,
        writes=WritePath(queue, limits, admission),
        recent=recent,
        announcer=announcer,
    ).register()
    sessions.on_revoked(_end_sockets_of(membership))
    tasks = [
        asyncio.create_task(_presence_loop(settings, announcer)),
        asyncio.create_task(admission.watch()),
    ]
    if isinstance(membership, RedisMembershipSync):
        tasks.append(asyncio.create_task(membership.listen()))
    try:
        yield
    finally:
        await cancelled(tasks)
        await closed("inbound queue", queue.close())


def _end_sockets_of(membership: MembershipSync) -> Callable[[int, str], Awaitable[None]]:
    """A revoked session's sockets are disconnected on every node (logout, refresh reuse)."""

    async def end(user_id: int, session_id: str) -> None:
        await membership.session_ended(user_id=user_id, session_id=session_id)

    return end


async def _presence_loop(settings: Settings, announcer: Announcer) -> None:
    """Keep this node's sockets alive in Redis; turn dead nodes' users offline."""
    presence = announcer.presence
    while True:
        await asyncio.sleep(settings.presence_ttl / 3)
        try:
            release_freed_memory()  # after a burst of large replies (realtime/memory.py)
            await presence.heartbeat()
            for user_id in await presence.sweep():
                user = await User.get_or_none(id=user_id)
                if user is not None:
                    await announce_presence(announcer, user, online=False)
        except Exception as exc:  # Redis or the database away: try again next round
            log.warning("presence_loop_failed", error=str(exc))
