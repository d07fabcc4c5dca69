"""Avatars (issue 16): `POST /api/v1/users/me/avatar` (an image) → User `avatar_url`.

The avatar is the upload's thumbnail (WebP, at most 320×320, no metadata); the original is not
kept. `avatar_url` names the avatar's id, so each new avatar is a new URL and may be cached for
good; it is served without a token (an `<img src>` of anyone who sees the user).
"""

from __future__ import annotations

from aiohttp import web

from backend.accounts.models import User
from backend.actions.people import announce_user
from backend.api.files import send_file
from backend.api.keys import ANNOUNCER
from backend.files.intake import UNREAD_BODY, receive, refused
from backend.files.keys import FILES
from backend.files.models import AVATAR, Attachment
from backend.files.storage import Storage
from backend.shapes.errors import AppError, NotFound, ValidationFailed
from backend.shapes.serialize import user_dict
from backend.web.http import current_user, int_param, json_response

routes = web.RouteTableDef()
YEAR = 365 * 24 * 3600


@routes.post("/api/v1/users/me/avatar")
async def set_avatar(request: web.Request) -> web.Response:
    user = await current_user(request)
    storage = request.app[FILES].storage
    try:
        row = await receive(request, owner_id=user.id, room_id=None, purpose=AVATAR)
    except AppError as exc:
        if exc.status not in UNREAD_BODY:
            raise
        return refused(exc)
    await storage.delete(row.key)  # only the thumbnail is kept
    if row.thumb_key is None:
        await row.delete()
        raise ValidationFailed(details={"file": ["an avatar is a PNG, JPEG, GIF or WebP image"]})
    previous = user.avatar_id
    await User.filter(id=user.id).update(avatar_id=row.id)
    user.avatar_id = row.id
    if previous is not None:
        await _remove(storage, previous)
    await announce_user(request.app[ANNOUNCER], user)
    return json_response(user_dict(user))


@routes.get("/api/v1/users/{id}/avatar/{avatar_id}")
async def get_avatar(request: web.Request) -> web.StreamResponse:
    row = await Attachment.get_or_none(
        id=int_param(request, "avatar_id"), owner_id=int_param(request, "id"), purpose=AVATAR
    )
    if row is None or row.thumb_key is None:
        raise NotFound()
    return await send_file(request, row.thumb_key, "image/webp", "avatar.webp", max_age=YEAR)


async def _remove(storage: Storage, attachment_id: int) -> None:
    row = await Attachment.get_or_none(id=attachment_id, purpose=AVATAR)
    if row is not None:
        if row.thumb_key:
            await storage.delete(row.thumb_key)
        await row.delete()
