"""Workspace administration routes (contract §7.1): thin adapters over `backend.workspace`
and its actions (`backend.actions.workspace`).

`GET /api/v1/workspace` needs no token (the sign-in screen reads it). Every `/api/v1/admin/`
route first checks that the caller is an admin, before reading a body or an id: anyone else is
answered 403 whatever they ask for — a path that does not exist too (`fallback_routes`), so a
non-admin learns nothing of what exists. Writes share the moderation rate limit.
"""

from __future__ import annotations

from aiohttp import web

from backend.accounts.models import User
from backend.actions import workspace as act
from backend.api.keys import ANNOUNCER
from backend.infra.ratelimit import Limit, enforce
from backend.shapes.errors import NotFound
from backend.shapes.serialize import user_dict
from backend.shapes.validation import load
from backend.web.http import current_user, int_param, json_response, read_json
from backend.web.keys import LIMITER, SETTINGS
from backend.workspace import admins, invites, workspace
from backend.workspace.schemas import AdminUserPatchIn, InviteCreateIn, WorkspacePatchIn

routes = web.RouteTableDef()
fallback_routes = web.RouteTableDef()  # added after every other API route (`gateway.app`)
_WORKSPACE, _USER, _INVITE = WorkspacePatchIn(), AdminUserPatchIn(), InviteCreateIn()


async def _admin(request: web.Request, *, write: bool = True) -> User:
    """The caller, if a workspace admin (else 403); writes within the moderation rate limit."""
    user = await current_user(request)
    admins.require_admin(user)
    if write:
        limit = Limit.per_minute(request.app[SETTINGS].moderation_per_minute)
        await enforce(request.app[LIMITER], f"admin:{user.id}", limit)
    return user


@routes.get("/api/v1/workspace")
async def get_workspace(request: web.Request) -> web.Response:
    row = await workspace.current()
    return json_response(workspace.workspace_dict(row, request.app[SETTINGS]))


@routes.patch("/api/v1/admin/workspace")
async def update_workspace(request: web.Request) -> web.Response:
    await _admin(request)
    args = load(_WORKSPACE, await read_json(request))
    return json_response(await workspace.update(request.app[SETTINGS], args))


@routes.patch("/api/v1/admin/users/{id}")
async def update_user(request: web.Request) -> web.Response:
    await _admin(request)
    user_id = int_param(request, "id")
    args = load(_USER, await read_json(request))
    user = await act.set_admin(request.app[ANNOUNCER], user_id, is_admin=args["is_admin"])
    return json_response(user_dict(user))


@routes.post("/api/v1/admin/invites")
async def create_invite(request: web.Request) -> web.Response:
    user = await _admin(request)
    body = await read_json(request)
    args = load(_INVITE, {} if body is None else body)
    return json_response(await invites.create(user, **args), status=201)


@routes.get("/api/v1/admin/invites")
async def list_invites(request: web.Request) -> web.Response:
    await _admin(request, write=False)
    return json_response({"invites": await invites.listing()})


@routes.delete("/api/v1/admin/invites/{id}")
async def delete_invite(request: web.Request) -> web.Response:
    await _admin(request)
    await invites.delete(int_param(request, "id"))
    return web.Response(status=204)


@fallback_routes.route("*", "/api/v1/admin/{tail:.*}")
async def unknown_admin_route(request: web.Request) -> web.Response:
    """Any other admin path or method: 403 for a non-admin (as for a real one), else 404."""
    await _admin(request, write=False)
    raise NotFound()
