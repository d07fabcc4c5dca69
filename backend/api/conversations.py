"""Contract §6 routes: the caller's notification level in a room, and search."""

from __future__ import annotations

from aiohttp import web
from marshmallow import fields, validate

from backend.files.service import attach_all
from backend.messages.search import search
from backend.rooms import members, rooms
from backend.rooms.models import Membership
from backend.rooms.notify import LEVELS
from backend.shapes.validation import INT64_MAX, StrictSchema, load
from backend.web.http import current_user, int_param, json_response, read_json
from backend.web.keys import LIMITS, SETTINGS

routes = web.RouteTableDef()


class NotifyIn(StrictSchema):
    notify = fields.String(required=True, validate=validate.OneOf(LEVELS))


class SearchQuery(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    room_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=INT64_MAX))
    before_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=INT64_MAX))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


_NOTIFY, _SEARCH = NotifyIn(), SearchQuery()


@routes.patch("/api/v1/rooms/{id}/members/me")
async def set_notify(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_NOTIFY, await read_json(request))
    room = await members.require_member(user.id, room_id)
    await request.app[LIMITS].room_change(user.id)
    await Membership.filter(room_id=room_id, user_id=user.id).update(notify=args["notify"])
    return json_response(await rooms.room_dict(user, room))


@routes.get("/api/v1/search")
async def search_messages(request: web.Request) -> web.Response:
    user = await current_user(request)
    args = load(_SEARCH, dict(request.query))
    if args["room_id"] is not None:
        await members.require_member(user.id, args["room_id"])
    settings = request.app[SETTINGS]
    await request.app[LIMITS].read(user.id)
    found = await search(user.id, **args, settings=settings)
    await attach_all(settings, [result["message"] for result in found["results"]])
    return json_response(found)
