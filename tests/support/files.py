"""Helpers of the files tests: uploads through the real route, and small test images."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from PIL import Image

from tests.support.clients import User


async def upload(
    user: User, room_id: int, data: bytes, name: str, content_type: str = "application/x-test"
) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename=name, content_type=content_type)
    async with user.api.session.post(
        f"{user.api.base}/api/v1/rooms/{room_id}/attachments",
        data=form,
        headers={"Authorization": f"Bearer {user.token}"},
    ) as resp:
        return resp.status, await resp.json(content_type=None)


async def fetch(
    session: aiohttp.ClientSession, base: str, url: str, token: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.get(base + url, headers=headers) as resp:
        return resp.status, dict(resp.headers), await resp.read()


def jpeg_with_exif(size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo carrying a camera make and GPS-like data in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "where-i-live"  # Software: any text that must not leak
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(out, format="PNG")
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels: decoding it would exhaust memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def gif_with_comment(frames: int = 3) -> bytes:
    """An animation carrying a comment block, and bytes after its trailer."""
    images = [Image.new("RGB", (40, 30), (i * 80, 0, 255 - i * 80)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], loop=0, comment=b"SecretNote"
    )
    return out.getvalue() + b"HIDDEN-TRAILER"


async def open_upload(
    base: str, token: str, room_id: int, *, declared: int = 1 << 20, sent: bytes = b"x"
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw upload that declares `declared` bytes of file and sends only `sent` of them."""
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    boundary = "b0undary"
    part = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow"\r\n\r\n'
    length = len(part) + declared + len(f"\r\n--{boundary}--\r\n")
    head = (
        f"POST /api/v1/rooms/{room_id}/attachments HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n{part}"
    )
    writer.write(head.encode() + sent)
    await writer.drain()
    return reader, writer


async def hang_up(writer: asyncio.StreamWriter) -> None:
    """Close a raw upload at once, unsent bytes and all, and wait until it is closed: a
    transport left closing is found by a later test's garbage collection (ResourceWarning)."""
    writer.transport.abort()
    await writer.wait_closed()
