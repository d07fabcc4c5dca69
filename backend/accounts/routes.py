"""Auth and user routes (contract §3): thin adapters over `accounts.service`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from backend.accounts import schemas
from backend.accounts import service as accounts
from backend.accounts.guard import guarded, registration_allowed
from backend.http import current_user, json_response, read_json
from backend.keys import RUNTIME, SETTINGS
from backend.serialize import user_dict
from backend.validation import load

routes = web.RouteTableDef()
_REGISTER, _LOGIN, _REFRESH = schemas.RegisterIn(), schemas.LoginIn(), schemas.RefreshIn()
_LOGOUT, _RECOVER, _SEARCH = schemas.LogoutIn(), schemas.RecoverIn(), schemas.UserSearchIn()


def _address(request: web.Request) -> str:
    return request.remote or "unknown"


async def _guarded(
    request: web.Request,
    action: str,
    attempt: Callable[[], Awaitable[dict[str, Any]]],
    args: dict[str, Any],
) -> dict[str, Any]:
    """A credential check under the brute-force limits of its username and client address."""
    return await guarded(
        action,
        attempt,
        limiter=request.app[RUNTIME].limiter,
        settings=request.app[SETTINGS],
        username=args["username"],
        address=_address(request),
    )


@routes.post("/api/v1/auth/register")
async def register(request: web.Request) -> web.Response:
    args = load(_REGISTER, await read_json(request))
    settings = request.app[SETTINGS]
    await registration_allowed(request.app[RUNTIME].limiter, settings, _address(request))
    return json_response(await accounts.register(settings, **args), status=201)


@routes.post("/api/v1/auth/login")
async def login(request: web.Request) -> web.Response:
    args = load(_LOGIN, await read_json(request))
    settings = request.app[SETTINGS]
    return json_response(
        await _guarded(request, "login", lambda: accounts.login(settings, **args), args)
    )


@routes.post("/api/v1/auth/refresh")
async def refresh(request: web.Request) -> web.Response:
    args = load(_REFRESH, await read_json(request))
    return json_response(await accounts.refresh(request.app[SETTINGS], **args))


@routes.post("/api/v1/auth/logout")
async def logout(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request)
    args = load(_LOGOUT, {} if body is None else body)
    await accounts.logout(user=user, refresh_token=args["refresh_token"])
    return web.Response(status=204)


@routes.post("/api/v1/auth/recover")
async def recover(request: web.Request) -> web.Response:
    args = load(_RECOVER, await read_json(request))
    settings = request.app[SETTINGS]
    result = await _guarded(request, "recover", lambda: accounts.recover(settings, **args), args)
    await request.app[RUNTIME].membership.revoked(
        user_id=result["user"]["id"], session_version=result.pop("session_version")
    )
    return json_response(result)


@routes.get("/api/v1/users/me")
async def me(request: web.Request) -> web.Response:
    return json_response(user_dict(await current_user(request)))


@routes.get("/api/v1/users")
async def search(request: web.Request) -> web.Response:
    await current_user(request)
    args = load(_SEARCH, dict(request.query))
    users = await accounts.search(prefix=args["q"])
    return json_response({"users": [user_dict(u) for u in users]})
