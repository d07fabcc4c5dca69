"""What an upload is, from its bytes only (never its name or the client's type), and what is
made of an image: dimensions, a copy without metadata (EXIF, GPS), a thumbnail.

Everything here is blocking work for the image pool (`backend.files.workers`), never the event
loop. Memory is what an image costs here: decoded, it takes up to 4 bytes per pixel (RGBA, I,
F, CMYK), and a rotated one twice that for a moment. So the pixel limit is checked from the
header before a byte is decoded, the image is decoded once and never copied whole (the
orientation is turned in place, the thumbnail is reduced from it in place after the cleaned copy
was written), and an avatar's JPEG is decoded at a reduced scale (`draft`): its original is not
kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from backend.files.gif import strip_gif
from backend.shapes.errors import ValidationFailed

OCTET_STREAM = "application/octet-stream"
# The allow-list of types served inline; the Pillow format must agree with the magic bytes.
INLINE = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_TYPE = "image/webp"
_DIRECT = ("RGB", "RGBA", "L", "LA")  # modes resized as they are; others are reduced first


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


def process(path: Path, *, max_pixels: int, keep_original: bool = True) -> Processed:
    """Classify the staged upload at `path`; an image is rewritten in place without its
    metadata (unless `keep_original` is false: an avatar keeps only its thumbnail) and gets a
    thumbnail next to it. Raises ValidationFailed for a decompression bomb (more than
    `max_pixels`), checked from the header before anything is decoded."""
    with path.open("rb") as fh:
        fmt = sniff(fh.read(16))
    if fmt is None:
        return Processed(OCTET_STREAM)
    try:
        with Image.open(path, formats=[fmt]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _bomb(f"{width}×{height} pixels is over {max_pixels}")
            if not keep_original and fmt == "JPEG":
                image.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
            image.load()
            if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
                ImageOps.exif_transpose(image, in_place=True)  # the orientation lived in EXIF
            if keep_original:
                width, height = image.size
                if fmt == "GIF":  # re-encoding would lose its animation: its blocks are cut
                    strip_gif(path)
                else:
                    _strip(image, path, fmt)
            thumbnail = _thumbnail(image, path.with_suffix(".thumb"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return Processed(OCTET_STREAM)  # claims to be an image but is not one: a download
    return Processed(INLINE[fmt], width, height, thumbnail)


def _bomb(reason: str) -> ValidationFailed:
    return ValidationFailed("image too large to decode", details={"file": [reason]})


def _strip(image: Image.Image, path: Path, fmt: str) -> None:
    """Re-encode without metadata: Pillow writes EXIF, XMP and text only when asked to."""
    options: dict[str, object] = {"quality": 92} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    image.save(path, format=fmt, **options)


def _thumbnail(image: Image.Image, target: Path) -> Path:
    """Reduced in place (the full-size pixels are not needed any more): a palette or 16-bit
    image is first cut down by nearest pixels to 4× the thumbnail, so its conversion to RGB(A)
    costs a few MB, not the full image again."""
    alpha = _has_alpha(image)
    if image.mode not in _DIRECT:
        image.thumbnail((THUMBNAIL_SIZE[0] * 4, THUMBNAIL_SIZE[1] * 4), Image.Resampling.NEAREST)
        image = image.convert("RGBA" if alpha else "RGB")
    image.thumbnail(THUMBNAIL_SIZE, reducing_gap=2.0)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if alpha else "RGB")
    image.save(target, format="WEBP", quality=80)
    return target


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
