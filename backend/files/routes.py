"""`POST /api/v1/rooms/{id}/attachments` and the signed downloads (contract §6)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from backend.chat.members import require_member
from backend.chat.models import Membership, Message
from backend.errors import AppError, Forbidden, NotFound
from backend.files.images import INLINE
from backend.files.keys import FILES
from backend.files.models import MESSAGE, Attachment
from backend.files.service import attachment_dict, quota_left, store_upload
from backend.files.signing import FILE, THUMBNAIL
from backend.files.upload import stage
from backend.http import current_user, error_response, int_param
from backend.keys import RUNTIME, SETTINGS
from backend.ratelimit import Limit, enforce

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
    settings, files = request.app[SETTINGS], request.app[FILES]
    limit = Limit.per_minute(settings.uploads_per_minute)
    await enforce(request.app[RUNTIME].limiter, f"upload:{user.id}", limit)
    left = await quota_left(user.id, settings.upload_quota_bytes)
    try:
        staged = await stage(
            request, files.storage.staging, max_bytes=settings.max_upload_bytes, quota_left=left
        )
    except AppError as exc:
        if exc.status != 413:
            raise
        response = error_response(exc)
        response.force_close()  # the rest of the body is never read
        return response
    row = await store_upload(
        staged,
        storage=files.storage,
        owner_id=user.id,
        room_id=room_id,
        max_pixels=settings.max_image_pixels,
    )
    return web.json_response(attachment_dict(row, files.signer), status=201)


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
    """A valid signature, or a Bearer token of a member (or of the uploader, before sending).
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
    if user.id == row.owner_id or await Membership.exists(  # type: ignore[attr-defined]
        room_id=row.room_id,  # type: ignore[attr-defined]
        user_id=user.id,
    ):
        return row
    raise NotFound()
