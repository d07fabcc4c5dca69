"""Stream one multipart `file` part to a staging file, counting: never held whole in memory,
refused as soon as it passes its limit (the rest of the body is never read)."""

from __future__ import annotations

import contextlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from backend.errors import AppError, PayloadTooLarge, ValidationFailed

CHUNK = 1024 * 1024  # 1 MiB: ~100 MB/s here; 256 KiB gave ~80 MB/s (bench/files.py)
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around the file
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]')


class QuotaExceeded(AppError):
    status, code, default_message = 413, "quota_exceeded", "upload quota exceeded"


@dataclass(frozen=True, slots=True)
class Staged:
    path: Path
    name: str
    size: int


def clean_name(raw: str | None) -> str:
    """A display and download name: no directories, control characters or quotes."""
    # Browsers escape `"` as %22 in a part's filename, aiohttp and curl more: undo it first.
    name = unicodedata.normalize("NFC", unquote(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:200] or "file"


def too_large(max_bytes: int, *, quota_left: int | None) -> AppError:
    """The quota's error when the quota was the tighter bound, else the size limit's."""
    if quota_left is not None and quota_left < max_bytes:
        return QuotaExceeded(details={"quota_left_bytes": max(0, quota_left)})
    return PayloadTooLarge(f"file over {max_bytes} bytes", details={"max_bytes": max_bytes})


async def stage(
    request: web.Request, staging: Path, *, max_bytes: int, quota_left: int | None
) -> Staged:
    """The request's one `file` part, in a new file under `staging`."""
    limit = max_bytes if quota_left is None else max(0, min(max_bytes, quota_left))
    if request.content_length is not None and request.content_length > limit + MULTIPART_OVERHEAD:
        raise too_large(max_bytes, quota_left=quota_left)
    try:
        reader = await request.multipart()
        part = await reader.next()
    except (AssertionError, ValueError, KeyError, HttpProcessingError) as exc:  # not multipart
        raise ValidationFailed(details={"file": ["send multipart/form-data"]}) from exc
    if not isinstance(part, BodyPartReader) or part.name != "file":
        raise ValidationFailed(details={"file": ["expected one part named `file`"]})
    path = staging / uuid.uuid4().hex
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := await part.read_chunk(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(max_bytes, quota_left=quota_left)
                out.write(chunk)  # page cache: microseconds, not worth a thread hop
    except BaseException as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        if isinstance(exc, HttpProcessingError):  # a malformed part (aiohttp's parser refused it)
            raise ValidationFailed(details={"file": ["malformed multipart body"]}) from exc
        raise
    if size == 0:
        path.unlink()
        raise ValidationFailed(details={"file": ["the file is empty"]})
    return Staged(path, clean_name(part.filename), size)
