"""The files feature's lifetime in a gateway: the store and the image pool opened and closed,
and the sweep that removes unsent uploads (after `CHATTY_UNSENT_UPLOAD_TTL`), the claims of
uploads a dead gateway left (`backend.files.reserve`) and the files of deleted messages and
rooms. Rows are deleted only after their files, so a sweep cut short is finished by the next;
every gateway may sweep (removing twice is harmless)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import structlog
from aiohttp import web
from tortoise.expressions import Q

from backend.files.keys import FILES, Files
from backend.files.models import MESSAGE, PENDING, Attachment
from backend.files.reserve import stale_after
from backend.files.signing import Signer
from backend.files.storage import Storage, open_storage
from backend.files.workers import ImagePool
from backend.settings.config import Settings

log = structlog.get_logger("chatty.files")
SWEEP_BATCH = 500


async def files_ctx(app: web.Application) -> AsyncIterator[None]:
    """`app.cleanup_ctx`, after the database is open."""
    from backend.web.keys import SETTINGS

    settings = app[SETTINGS]
    storage = open_storage(settings)
    signer = Signer.from_secret(settings.jwt_secret, settings.file_url_ttl)
    images = ImagePool(settings.image_workers)
    app[FILES] = Files(storage, signer, images)
    task = asyncio.create_task(_sweep_loop(storage, settings))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(images.close)
        await storage.close()


async def _sweep_loop(storage: Storage, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.file_sweep_interval)
        try:
            removed = await sweep(
                storage, unsent_ttl=settings.unsent_upload_ttl, pending_ttl=stale_after(settings)
            )
            if removed:
                log.info("files_swept", removed=removed)
        except Exception as exc:  # database or store away: next round
            log.warning("files_sweep_failed", error=str(exc))


async def sweep(storage: Storage, *, unsent_ttl: float, pending_ttl: float) -> int:
    """Remove what nobody can reach any more; returns how many uploads went."""
    now = datetime.now(UTC)
    stale = now - timedelta(seconds=unsent_ttl)
    gone = Q(purpose=MESSAGE) & (
        Q(room_id=None)  # its room was deleted
        | Q(message__deleted=True)  # its message was deleted
        | (Q(message_id=None) & Q(created_at__lt=stale))  # never sent
    )
    gone |= Q(purpose=PENDING) & Q(created_at__lt=now - timedelta(seconds=pending_ttl))
    rows = await Attachment.filter(gone).limit(SWEEP_BATCH)
    for row in rows:
        await storage.delete(row.key)
        if row.thumb_key:
            await storage.delete(row.thumb_key)
    if rows:
        await Attachment.filter(id__in=[r.id for r in rows]).delete()
    return len(rows)
