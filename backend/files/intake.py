"""One upload from request to attachment row, for both routes that take files (attachments,
avatars): the rate limit, the claim on quota and open slots, the streamed body with its
timeouts, the image work, and the claim given back on any failure."""

from __future__ import annotations

import asyncio

from aiohttp import web

from backend.files.keys import FILES
from backend.files.models import MESSAGE, Attachment
from backend.files.reserve import release, reserve
from backend.files.service import store_upload
from backend.files.upload import stage
from backend.infra.ratelimit import Limit, enforce
from backend.shapes.errors import AppError
from backend.web.http import error_response
from backend.web.keys import LIMITER, SETTINGS

UNREAD_BODY = frozenset({408, 413})  # answered before the body was read whole


async def receive(
    request: web.Request, *, owner_id: int, room_id: int | None, purpose: str = MESSAGE
) -> Attachment:
    settings, files = request.app[SETTINGS], request.app[FILES]
    limit = Limit.per_minute(settings.uploads_per_minute)
    await enforce(request.app[LIMITER], f"upload:{owner_id}", limit)
    claim = await reserve(
        settings,
        owner_id=owner_id,
        room_id=room_id,
        content_length=request.content_length,
        quota=purpose == MESSAGE,
    )
    try:
        staged = await stage(
            request,
            files.storage.staging,
            claim,
            idle=settings.upload_idle_timeout,
            min_rate=settings.upload_min_rate,
        )
        return await store_upload(
            staged,
            claim,
            storage=files.storage,
            images=files.images,
            max_pixels=settings.max_image_pixels,
            purpose=purpose,
        )
    except BaseException:
        await asyncio.shield(release(claim))
        raise


def refused(exc: AppError) -> web.Response:
    """The error of an upload whose body was not read whole: the connection is closed, as
    the rest of the body is never read."""
    response = error_response(exc)
    response.force_close()
    return response
