"""Typed application keys of what the REST handlers (and the composition root) read beyond
`backend.web.keys`; set by the gateway's composition root (`backend.gateway.wiring`)."""

from __future__ import annotations

import socketio
from aiohttp import web
from redis.asyncio import Redis

from backend.fanout.events import Notifier
from backend.messages.recent import RecentCache
from backend.queue.port import InboundQueue
from backend.realtime.announce import Announcer
from backend.realtime.membership import MembershipSync
from backend.realtime.presence import Presence

SIO = web.AppKey("sio", socketio.AsyncServer)
REDIS = web.AppKey[Redis | None]("redis")  # None in embedded mode
QUEUE = web.AppKey[InboundQueue]("queue")
RECENT = web.AppKey[RecentCache]("recent")
NOTIFIER = web.AppKey("notifier", Notifier)
PRESENCE = web.AppKey[Presence]("presence")
MEMBERSHIP = web.AppKey[MembershipSync]("membership")
ANNOUNCER = web.AppKey("announcer", Announcer)
