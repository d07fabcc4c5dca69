"""Typed application keys."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from backend.gateway.runtime import Runtime
from backend.settings.config import Settings

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
OPENAPI = web.AppKey("openapi", dict[str, Any])
