"""What an upload is, from its bytes only (never its name or the client's type), and what is
made of an image: dimensions, a copy without metadata (EXIF, GPS), a thumbnail.

Everything here is blocking work for a thread (`asyncio.to_thread`), never the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.errors import ValidationFailed

OCTET_STREAM = "application/octet-stream"
# The allow-list of types served inline; the Pillow format must agree with the magic bytes.
INLINE = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_TYPE = "image/webp"


@dataclass(frozen=True, slots=True)
class Processed:
    content_type: str
    width: int | None = None
    height: int | None = None
    thumbnail: Path | None = None


def sniff(head: bytes) -> str | None:
    """The Pillow format named by the first bytes, if it is one of the allow-list."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def process(path: Path, *, max_pixels: int) -> Processed:
    """Classify the staged upload at `path`; an image is rewritten in place without its
    metadata and gets a thumbnail next to it. Raises ValidationFailed for a decompression bomb
    (more than `max_pixels`), checked from the header before anything is decoded."""
    with path.open("rb") as fh:
        fmt = sniff(fh.read(16))
    if fmt is None:
        return Processed(OCTET_STREAM)
    try:
        with Image.open(path, formats=[fmt]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _bomb(f"{width}×{height} pixels is over {max_pixels}")
            image.load()
            thumbnail = _thumbnail(image, path.with_suffix(".thumb"))
            if fmt != "GIF":  # GIF has no EXIF; re-encoding would lose its animation
                width, height = _strip(image, path, fmt)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return Processed(OCTET_STREAM)  # claims to be an image but is not one: a download
    return Processed(INLINE[fmt], width, height, thumbnail)


def _bomb(reason: str) -> ValidationFailed:
    return ValidationFailed("image too large to decode", details={"file": [reason]})


def _strip(image: Image.Image, path: Path, fmt: str) -> tuple[int, int]:
    """Re-encode without metadata, turned upright first (the orientation lived in the EXIF)."""
    upright = ImageOps.exif_transpose(image)
    options: dict[str, object] = {"quality": 92} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    upright.save(path, format=fmt, **options)
    return upright.size


def _thumbnail(image: Image.Image, target: Path) -> Path:
    thumb = ImageOps.exif_transpose(image)
    thumb = thumb.convert("RGBA" if _has_alpha(thumb) else "RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb.save(target, format="WEBP", quality=80)
    return target


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
