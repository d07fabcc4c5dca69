"""Typed application keys."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from backend.config import Settings
from backend.runtime import Runtime

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
OPENAPI = web.AppKey("openapi", dict[str, Any])
