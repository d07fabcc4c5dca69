"""An upload's claim on its owner's quota and open-upload slots, taken before a byte of the
body is read: a `pending` attachments row whose `size` is the most the body may store.

Claims are made one at a time per user, in a transaction that first locks the user's row
(PostgreSQL `SELECT … FOR UPDATE`; on SQLite, embedded mode, transactions are serialised by the
one connection's lock), so parallel uploads on any gateways can never pass the quota together.
The row becomes the attachment when the upload is stored (its real size), and is deleted when
the upload fails; a gateway that died mid-upload leaves one the sweep removes after
`stale_after` (`backend.files.lifecycle`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.files.models import PENDING, Attachment
from backend.settings.config import Settings
from backend.shapes.errors import AppError, PayloadTooLarge, RateLimited

MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around the file
SWEEP_MARGIN = 600.0  # processing and storing after the body is in


class QuotaExceeded(AppError):
    status, code, default_message = 413, "quota_exceeded", "upload quota exceeded"


@dataclass(frozen=True, slots=True)
class Reservation:
    row: Attachment  # purpose `pending` until it is stored
    limit: int  # bytes the file part may carry
    max_bytes: int
    quota_left: int | None  # what was left before this claim; None without a quota

    def too_large(self) -> AppError:
        return too_large(self.max_bytes, quota_left=self.quota_left)


def too_large(max_bytes: int, *, quota_left: int | None) -> AppError:
    """The quota's error when the quota was the tighter bound, else the size limit's."""
    if quota_left is not None and quota_left < max_bytes:
        return QuotaExceeded(details={"quota_left_bytes": max(0, quota_left)})
    return PayloadTooLarge(f"file over {max_bytes} bytes", details={"max_bytes": max_bytes})


def stale_after(settings: Settings) -> float:
    """Seconds after which a pending row outlived any upload the timeouts let run."""
    longest = settings.upload_idle_timeout + settings.max_upload_bytes / settings.upload_min_rate
    return longest + SWEEP_MARGIN


async def reserve(
    settings: Settings,
    *,
    owner_id: int,
    room_id: int | None,
    content_length: int | None,
    quota: bool = True,
) -> Reservation:
    """Claim what this upload may store: all that is left (up to the size limit), or only its
    Content-Length when it sent one. Refused (413, 429) before the body is read."""
    max_bytes = settings.max_upload_bytes
    async with in_transaction():
        await User.filter(id=owner_id).select_for_update().only("id").first()
        (row,) = (
            await Attachment.filter(owner_id=owner_id)
            .annotate(used=Sum("size"), pending=Count("id", _filter=Q(purpose=PENDING)))
            .values("used", "pending")
        ) or ({},)
        if int(row.get("pending") or 0) >= settings.max_open_uploads:
            raise RateLimited(f"at most {settings.max_open_uploads} uploads at once", retry_after=1)
        left = None
        if quota and settings.upload_quota_bytes > 0:
            left = settings.upload_quota_bytes - int(row.get("used") or 0)
        cap = max_bytes if left is None else max(0, min(max_bytes, left))
        if content_length is not None and content_length > cap + MULTIPART_OVERHEAD:
            raise too_large(max_bytes, quota_left=left)
        limit = cap if content_length is None else min(cap, content_length)
        if limit <= 0:
            raise too_large(max_bytes, quota_left=left)
        key = f"{room_id or 'u' + str(owner_id)}/{uuid.uuid4().hex}"
        claim = await Attachment.create(
            owner_id=owner_id,
            room_id=room_id,
            purpose=PENDING,
            name="",
            content_type="",
            size=limit,
            key=key,
        )
    return Reservation(claim, limit, max_bytes, left)


async def release(reservation: Reservation) -> None:
    """The upload failed: its claim is given back at once."""
    await Attachment.filter(id=reservation.row.id, purpose=PENDING).delete()
