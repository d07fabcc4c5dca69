"""Auth and user routes (contract §3, §6 account settings): thin adapters over the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from backend.accounts import schemas
from backend.accounts import service as accounts
from backend.accounts.guard import guarded, registration_allowed
from backend.actions import workspace
from backend.api.keys import ANNOUNCER, MEMBERSHIP
from backend.shapes.serialize import user_dict
from backend.shapes.validation import load
from backend.web.http import client_address, current_session, current_user, json_response, read_json
from backend.web.keys import LIMITER, SESSIONS, SETTINGS

routes = web.RouteTableDef()
_REGISTER, _LOGIN, _REFRESH = schemas.RegisterIn(), schemas.LoginIn(), schemas.RefreshIn()
_LOGOUT, _RECOVER, _SEARCH = schemas.LogoutIn(), schemas.RecoverIn(), schemas.UserSearchIn()
_PASSWORD, _PHRASE = schemas.PasswordChangeIn(), schemas.RecoveryPhraseIn()
T = TypeVar("T")


def _secret_response(data: Any, status: int = 200) -> web.Response:
    """Tokens and phrases: never kept by a browser or proxy cache."""
    response = json_response(data, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


async def _guarded(
    request: web.Request, action: str, attempt: Callable[[], Awaitable[T]], username: str
) -> T:
    """A credential check under the brute-force limits of its username and client address."""
    return await guarded(
        action,
        attempt,
        limiter=request.app[LIMITER],
        sessions=request.app[SESSIONS],
        settings=request.app[SETTINGS],
        username=username,
        address=client_address(request),
    )


@routes.post("/api/v1/auth/register")
async def register(request: web.Request) -> web.Response:
    args = load(_REGISTER, await read_json(request))
    settings, address = request.app[SETTINGS], client_address(request)
    await registration_allowed(request.app[LIMITER], settings, address)
    result = await workspace.register(request.app[ANNOUNCER], settings, **args)
    await request.app[SESSIONS].remember_address(args["username"], address)  # the owner's address
    return _secret_response(result, status=201)


@routes.post("/api/v1/auth/login")
async def login(request: web.Request) -> web.Response:
    args = load(_LOGIN, await read_json(request))
    settings = request.app[SETTINGS]
    return _secret_response(
        await _guarded(request, "login", lambda: accounts.login(settings, **args), args["username"])
    )


@routes.post("/api/v1/auth/refresh")
async def refresh(request: web.Request) -> web.Response:
    args = load(_REFRESH, await read_json(request))
    sessions = request.app[SESSIONS]
    result = await accounts.refresh(request.app[SETTINGS], sessions, **args)
    # A live refresh token is the owner's: their address is not to be locked out.
    await sessions.remember_address(result["user"]["username"], client_address(request))
    return _secret_response(result)


@routes.post("/api/v1/auth/logout")
async def logout(request: web.Request) -> web.Response:
    user, claims = await current_session(request)
    body = await read_json(request)
    args = load(_LOGOUT, {} if body is None else body)
    await accounts.logout(
        request.app[SESSIONS],
        user=user,
        session_id=claims.session_id,
        refresh_token=args["refresh_token"],
    )
    return web.Response(status=204)


@routes.post("/api/v1/auth/recover")
async def recover(request: web.Request) -> web.Response:
    args = load(_RECOVER, await read_json(request))
    settings, sessions = request.app[SETTINGS], request.app[SESSIONS]
    result = await _guarded(
        request,
        "recover",
        lambda: accounts.recover(settings, sessions, **args),
        args["username"],
    )
    await request.app[MEMBERSHIP].revoked(
        user_id=result["user"]["id"], session_version=result.pop("session_version")
    )
    return _secret_response(result)


@routes.post("/api/v1/auth/password")
async def change_password(request: web.Request) -> web.Response:
    user, claims = await current_session(request)
    args = load(_PASSWORD, await read_json(request))
    sessions = request.app[SESSIONS]
    await _guarded(
        request,
        "password",
        lambda: accounts.change_password(sessions, user=user, session_id=claims.session_id, **args),
        user.username,
    )
    return web.Response(status=204)


@routes.post("/api/v1/auth/recovery-phrase")
async def new_recovery_phrase(request: web.Request) -> web.Response:
    user = await current_user(request)
    args = load(_PHRASE, await read_json(request))
    result = await _guarded(
        request,
        "password",
        lambda: accounts.new_recovery_phrase(user=user, **args),
        user.username,
    )
    return _secret_response(result)


@routes.get("/api/v1/users/me")
async def me(request: web.Request) -> web.Response:
    return json_response(user_dict(await current_user(request)))


@routes.get("/api/v1/users")
async def search(request: web.Request) -> web.Response:
    await current_user(request)
    args = load(_SEARCH, dict(request.query))
    users = await accounts.search(prefix=args["q"])
    return json_response({"users": [user_dict(u) for u in users]})
