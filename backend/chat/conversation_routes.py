"""The caller's notification level in a room (contract §6): `PATCH /rooms/{id}/members/me`."""

from __future__ import annotations

from aiohttp import web
from marshmallow import fields, validate

from backend.chat import members, rooms
from backend.chat.mentions import LEVELS
from backend.chat.models import Membership
from backend.http import current_user, int_param, json_response, read_json
from backend.keys import RUNTIME
from backend.validation import StrictSchema, load

routes = web.RouteTableDef()


class NotifyIn(StrictSchema):
    notify = fields.String(required=True, validate=validate.OneOf(LEVELS))


_NOTIFY = NotifyIn()


@routes.patch("/api/v1/rooms/{id}/members/me")
async def set_notify(request: web.Request) -> web.Response:
    user = await current_user(request)
    room_id = int_param(request, "id")
    args = load(_NOTIFY, await read_json(request))
    room = await members.require_member(user.id, room_id)
    await request.app[RUNTIME].limits.room_change(user.id)
    await Membership.filter(room_id=room_id, user_id=user.id).update(notify=args["notify"])
    return json_response(await rooms.room_dict(user, room))
