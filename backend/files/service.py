"""Attachments as the contract shows them, and the rules of who may use which."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from backend.files.images import THUMBNAIL_TYPE, process
from backend.files.models import AVATAR, MESSAGE, Attachment
from backend.files.reserve import Reservation
from backend.files.signing import FILE, THUMBNAIL, Signer, signer_for
from backend.files.storage import Storage
from backend.files.upload import Staged
from backend.files.workers import ImagePool
from backend.settings.config import Settings
from backend.shapes.errors import ValidationFailed

MAX_PER_MESSAGE = 10


def attachment_dict(row: Attachment, signer: Signer) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "width": row.width,
        "height": row.height,
        "url": signer.url(row.id, FILE),
        "thumbnail_url": signer.url(row.id, THUMBNAIL) if row.thumb_key else None,
    }


async def store_upload(
    staged: Staged,
    claim: Reservation,
    *,
    storage: Storage,
    images: ImagePool,
    max_pixels: int,
    purpose: str = MESSAGE,
) -> Attachment:
    """Classify and clean the staged file on the image pool, store it, then turn the claim's
    row into the attachment (its real size: an image without its metadata is smaller)."""
    row = claim.row
    try:
        meta = await images.run(
            process, staged.path, max_pixels=max_pixels, keep_original=purpose != AVATAR
        )
        size = staged.path.stat().st_size
        await storage.put_file(row.key, staged.path, meta.content_type)
        thumb_key = None
        if meta.thumbnail is not None:
            thumb_key = row.key + ".thumb"
            await storage.put_file(thumb_key, meta.thumbnail, THUMBNAIL_TYPE)
    finally:
        for leftover in (staged.path, staged.path.with_suffix(".thumb")):
            with contextlib.suppress(OSError):
                leftover.unlink()
    fields = {
        "purpose": purpose,
        "name": staged.name,
        "content_type": meta.content_type,
        "size": size,
        "width": meta.width,
        "height": meta.height,
        "thumb_key": thumb_key,
    }
    await Attachment.filter(id=row.id).update(**fields)
    row.update_from_dict(fields)
    return row


async def check_unsent(user_id: int, room_id: int, ids: Sequence[int]) -> None:
    """`attachment_ids` of a send: the sender's own uploads to that room, not sent yet."""
    if len(set(ids)) != len(ids) or len(ids) > MAX_PER_MESSAGE:
        raise ValidationFailed(
            details={"attachment_ids": [f"at most {MAX_PER_MESSAGE} distinct ids"]}
        )
    found = await Attachment.filter(
        id__in=list(ids), owner_id=user_id, room_id=room_id, purpose=MESSAGE, message_id=None
    ).count()
    if found != len(ids):
        raise ValidationFailed(
            details={"attachment_ids": ["unknown, already sent, or uploaded to another room"]}
        )


async def link(message_id: int, *, sender_id: int, room_id: int, ids: Iterable[int]) -> None:
    """In the worker's transaction, as the message is inserted: only still-unsent uploads of
    that sender and room, so a retried or raced send can never take someone else's file."""
    wanted = list(ids)
    if wanted:
        await Attachment.filter(
            id__in=wanted, owner_id=sender_id, room_id=room_id, purpose=MESSAGE, message_id=None
        ).update(message_id=message_id)


async def attach(messages: Sequence[dict[str, Any]], signer: Signer) -> None:
    """Give each Message dict its `attachments` (freshly signed URLs; none once deleted)."""
    ids = [m["id"] for m in messages if not m.get("deleted")]
    by_message: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for row in await Attachment.filter(message_id__in=ids).order_by("id"):
            by_message[row.message_id].append(attachment_dict(row, signer))  # type: ignore[attr-defined]
    for message in messages:
        message["attachments"] = by_message.get(message["id"], [])


async def attach_all(settings: Settings, *pages: Sequence[dict[str, Any]]) -> None:
    """`attach` for the gateway's replies (history, sync): cached pages get fresh URLs too."""
    await attach([m for page in pages for m in page], signer_for(settings))
