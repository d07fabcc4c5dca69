"""`POST /api/v1/rooms/{id}/attachments` and the signed downloads (contract §6)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from backend.files.images import INLINE
from backend.files.intake import UNREAD_BODY, receive, refused
from backend.files.keys import FILES
from backend.files.models import MESSAGE, Attachment
from backend.files.service import attachment_dict
from backend.files.signing import FILE, THUMBNAIL
from backend.rooms.members import require_member
from backend.rooms.models import Membership, Message
from backend.shapes.errors import AppError, Forbidden, NotFound
from backend.web.http import current_user, int_param

routes = web.RouteTableDef()
INLINE_TYPES = frozenset(INLINE.values()) | {"image/webp"}
# What a served file may do if a browser ever renders it: nothing (no script, no plugins, no
# same-origin access), and it may not be framed.
FILE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
)


@routes.post("/api/v1/rooms/{id}/attachments")
async def upload(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    room_id = int_param(request, "id")
    await require_member(user.id, room_id)
    try:
        row = await receive(request, owner_id=user.id, room_id=room_id)
    except AppError as exc:
        if exc.status not in UNREAD_BODY:
            raise
        return refused(exc)
    return web.json_response(attachment_dict(row, request.app[FILES].signer), status=201)


@routes.get("/api/v1/attachments/{id}")
async def download(request: web.Request) -> web.StreamResponse:
    return await _serve(request, FILE)


@routes.get("/api/v1/attachments/{id}/thumbnail")
async def thumbnail(request: web.Request) -> web.StreamResponse:
    return await _serve(request, THUMBNAIL)


async def _serve(request: web.Request, variant: str) -> web.StreamResponse:
    row = await _readable(request, int_param(request, "id"), variant)
    key = row.thumb_key if variant == THUMBNAIL else row.key
    if key is None:
        raise NotFound()
    content_type = "image/webp" if variant == THUMBNAIL else row.content_type
    return await send_file(request, key, content_type, row.name)


async def send_file(
    request: web.Request, key: str, content_type: str, name: str, *, max_age: int = 3600
) -> web.StreamResponse:
    """The stored file, inline only for an allow-listed image type, always `nosniff` and
    sandboxed; from the disk with sendfile when the store is local, else streamed."""
    inline = content_type in INLINE_TYPES
    headers = {
        "Content-Type": content_type if inline else "application/octet-stream",
        "Content-Disposition": (
            f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
        ),
        "Content-Security-Policy": FILE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": f"private, max-age={max_age}",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    storage = request.app[FILES].storage
    path = storage.local_path(key)
    if path is not None:
        if not path.is_file():
            raise NotFound()
        return web.FileResponse(path, headers=headers)
    response = web.StreamResponse(headers=headers)
    try:
        chunks = storage.read(key)
        first = await anext(chunks)
    except (FileNotFoundError, StopAsyncIteration) as exc:
        raise NotFound() from exc
    await response.prepare(request)
    await response.write(first)
    async for chunk in chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


async def _readable(request: web.Request, attachment_id: int, variant: str) -> Attachment:
    """A valid signature, or a Bearer token of the uploader, or of a member once it is sent.
    Unknown ids, files of deleted messages and rooms are not found; a bad or expired
    signature without a member's token is forbidden."""
    row = await Attachment.get_or_none(id=attachment_id, purpose=MESSAGE)
    if row is None or row.room_id is None:  # type: ignore[attr-defined]
        raise NotFound()
    if row.message_id is not None and await Message.exists(  # type: ignore[attr-defined]
        id=row.message_id,  # type: ignore[attr-defined]
        deleted=True,
    ):
        raise NotFound()
    expires, signature = request.query.get("exp"), request.query.get("sig")
    signer = request.app[FILES].signer
    if expires and signature and signer.valid(attachment_id, variant, expires, signature):
        return row
    if "Authorization" not in request.headers and signature:
        raise Forbidden("this link has expired or is not valid")
    user = await current_user(request)
    if user.id == row.owner_id:  # type: ignore[attr-defined]
        return row
    sent = row.message_id is not None  # type: ignore[attr-defined]
    if sent and await Membership.exists(room_id=row.room_id, user_id=user.id):  # type: ignore[attr-defined]
        return row
    raise NotFound()  # an unsent upload is the uploader's alone: ids are sequential
