"""Typed application keys of what the HTTP toolkit and the files feature read.

Each dependency has its key beside the lowest layer that reads it (the REST handlers' are in
`backend.api.keys`); the gateway's composition root (`backend.gateway.wiring`) sets them all.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from backend.accounts.sessions import Sessions
from backend.infra.limits import Limits
from backend.infra.ratelimit import RateLimiter
from backend.settings.config import Settings

SETTINGS = web.AppKey("settings", Settings)
OPENAPI = web.AppKey("openapi", dict[str, Any])
SESSIONS = web.AppKey[Sessions]("sessions")
LIMITER = web.AppKey[RateLimiter]("limiter")  # for a limit of its own (`ratelimit.enforce`)
LIMITS = web.AppKey("limits", Limits)  # every write path's named limit
