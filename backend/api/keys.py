"""Typed application keys of what the REST handlers (and the composition root) read beyond
`backend.web.keys`; set by the gateway's composition root (`backend.gateway.wiring`)."""

from __future__ import annotations

import socketio
from aiohttp import web
from redis.asyncio import Redis

from backend.actions.announcer import Announcer
from backend.messages.recent import RecentCache
from backend.queue.port import InboundQueue
from backend.realtime.engine.membership import MembershipSync
from backend.realtime.engine.presence import Presence

SIO = web.AppKey("sio", socketio.AsyncServer)
REDIS = web.AppKey[Redis | None]("redis")  # None in embedded mode
QUEUE = web.AppKey[InboundQueue]("queue")
RECENT = web.AppKey[RecentCache]("recent")
PRESENCE = web.AppKey[Presence]("presence")
MEMBERSHIP = web.AppKey[MembershipSync]("membership")
ANNOUNCER = web.AppKey("announcer", Announcer)
