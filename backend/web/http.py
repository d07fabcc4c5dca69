"""The REST edge: one error envelope for every failure, JSON in and out, bearer auth."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import structlog
from aiohttp import web

from backend.accounts import service as accounts
from backend.accounts.models import User
from backend.accounts.tokens import AccessClaims
from backend.infra.outages import is_outage
from backend.settings.config import IPNetwork, trusted_networks
from backend.shapes import jsonutil
from backend.shapes.errors import (
    AppError,
    BadRequest,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from backend.web.keys import SESSIONS, SETTINGS

MAX_BODY = 64 * 1024
log = structlog.get_logger("chatty.http")

_BY_STATUS: dict[int, type[AppError]] = {
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    429: RateLimited,
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


def error_response(error: AppError) -> web.Response:
    response = json_response({"error": error.to_dict()}, status=error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure leaves as the contract's envelope; a bug is a logged 500, never a trace."""
    try:
        return await handler(request)
    except AppError as exc:
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = _BY_STATUS.get(exc.status)
        if kind is None:
            return error_response(BadRequest(exc.reason))
        return error_response(kind())
    except Exception as exc:
        if is_outage(exc):  # PostgreSQL or Redis away: retry later, not a bug
            log.warning("request_unavailable", path=request.path, error=repr(exc)[:200])
            return error_response(Unavailable())
        log.exception("request_failed", method=request.method, path=request.path)
        return error_response(InternalError())


async def read_json(request: web.Request) -> Any:
    """The request body as JSON; oversized bodies are refused before they are read whole."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise PayloadTooLarge()
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise PayloadTooLarge() from exc
    if not raw:
        return None
    try:
        # Like the socket path: a lone surrogate is still JSON, refused by validation (422).
        return jsonutil.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("body is not valid JSON") from exc


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    return token.strip()


async def current_session(request: web.Request) -> tuple[User, AccessClaims]:
    """The caller and their access token's claims (which session it belongs to)."""
    return await accounts.verify_access(
        request.app[SETTINGS], bearer_token(request), sessions=request.app[SESSIONS]
    )


async def current_user(request: web.Request) -> User:
    return (await current_session(request))[0]


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or behind a trusted proxy the rightmost hop of
    `X-Forwarded-For` that is not a trusted proxy (hops to its left are the client's word)."""
    remote = request.remote or "unknown"
    trusted = trusted_networks(request.app[SETTINGS].trusted_proxies)
    if not trusted or not _within(remote, trusted):
        return remote
    hops = [
        hop.strip()
        for header in request.headers.getall("X-Forwarded-For", [])
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else remote


def _within(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def int_param(request: web.Request, name: str) -> int:
    """A numeric path parameter; anything else is simply not a route we know."""
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound()
    return int(raw)


# The SPA ships no inline script or style, so the policy can forbid both. `connect-src 'self'`
# covers the same-origin WebSocket (ws:/wss: of this host) in every current browser.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


async def security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response, errors and static files included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
