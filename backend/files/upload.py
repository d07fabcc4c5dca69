"""Stream one multipart `file` part to a staging file, counting: never held whole in memory,
refused as soon as it passes its limit (the rest of the body is never read), and cut off when
it stalls or trickles: each read waits at most the idle timeout, and after that grace the body
must average the minimum rate (a body dripped at a byte per 10 s would otherwise hold its
connection, staging file and quota claim for ever)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from backend.content.sanitize import without_bidi_controls
from backend.files.reserve import Reservation
from backend.shapes.errors import AppError, ValidationFailed

CHUNK = 1024 * 1024  # 1 MiB: ~100 MB/s here; 256 KiB gave ~80 MB/s (bench/files.py)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]')


class UploadTimedOut(AppError):
    status, code, default_message = 408, "request_timeout", "the upload stalled or was too slow"


@dataclass(frozen=True, slots=True)
class Staged:
    path: Path
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class Pace:
    """How long each read of the body may wait: the idle timeout, and no longer than the
    deadline that `min_rate` sets for what has arrived so far."""

    idle: float
    min_rate: float
    start: float

    def timeout(self, received: int) -> float:
        deadline = self.start + self.idle + received / self.min_rate
        return min(self.idle, deadline - time.monotonic())


def clean_name(raw: str | None) -> str:
    """A display and download name: no directories, control characters, quotes or bidi
    controls (the rule of people's and rooms' names, `backend.content.sanitize`)."""
    # Browsers escape `"` as %22 in a part's filename, aiohttp and curl more: undo it first.
    name = unicodedata.normalize("NFC", unquote(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", without_bidi_controls(name)).strip(" .")
    return name[:200] or "file"


async def stage(
    request: web.Request, staging: Path, claim: Reservation, *, idle: float, min_rate: float
) -> Staged:
    """The request's one `file` part, in a new file under `staging`."""
    pace = Pace(idle, min_rate, time.monotonic())
    try:
        async with asyncio.timeout(pace.timeout(0)):
            reader = await request.multipart()
            part = await reader.next()
    except TimeoutError as exc:
        raise UploadTimedOut() from exc
    except (AssertionError, ValueError, KeyError, HttpProcessingError) as exc:  # not multipart
        raise ValidationFailed(details={"file": ["send multipart/form-data"]}) from exc
    if not isinstance(part, BodyPartReader) or part.name != "file":
        raise ValidationFailed(details={"file": ["expected one part named `file`"]})
    path = staging / uuid.uuid4().hex
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := await _read(part, pace.timeout(size)):
                size += len(chunk)
                if size > claim.limit:
                    raise claim.too_large()
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


async def _read(part: BodyPartReader, wait: float) -> bytes:
    if wait <= 0:
        raise UploadTimedOut()
    try:
        async with asyncio.timeout(wait):
            return await part.read_chunk(CHUNK)
    except TimeoutError as exc:
        raise UploadTimedOut() from exc
