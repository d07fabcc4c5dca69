"""The storage port and its filesystem adapter; `open_storage` picks one from the settings.

Uploads are first streamed to a staging file (counted, never held in memory), processed, then
handed to the store whole with `put_file`: a rename on the same filesystem, an upload to S3.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from backend.settings.config import Settings

CHUNK = 256 * 1024


class Storage(Protocol):
    """Where files live, by key (`<room or user>/<random>`); keys are never user input."""

    staging: Path  # a local directory for uploads in progress

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Store the local file `path` under `key` (the file may be moved away)."""

    def local_path(self, key: str) -> Path | None:
        """A path the gateway can serve directly (sendfile, ranges), when the store is local."""

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The file's bytes in chunks; FileNotFoundError when it is gone."""

    async def delete(self, key: str) -> None:
        """Remove the file; a missing one is fine (deletes are retried by the sweep)."""

    async def close(self) -> None: ...


class FileSystemStorage:
    """Files under one directory: one host, or a volume every gateway mounts."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.staging = self.root / ".staging"  # same filesystem: put_file is a rename
        self.staging.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"bad storage key {key!r}")
        return path

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        target = self._path(key)
        await asyncio.to_thread(_move, path, target)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        with self._path(key).open("rb") as fh:
            while chunk := await asyncio.to_thread(fh.read, CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    async def close(self) -> None:
        return None


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:  # another filesystem
        shutil.move(source, target)


def storage_url(settings: Settings) -> str:
    return settings.storage_url or f"file://{(settings.data_dir / 'files').resolve()}"


def open_storage(settings: Settings) -> Storage:
    """`file:///path` or `s3://bucket/prefix`; anything else is a start-up error."""
    url = storage_url(settings)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileSystemStorage(Path(unquote(parts.netloc + parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        from backend.files.s3 import S3Storage  # only deployments that use it load botocore

        return S3Storage(
            bucket=parts.netloc,
            prefix=parts.path.strip("/"),
            endpoint=settings.s3_endpoint or None,
            staging=settings.data_dir / "staging",
        )
    raise ValueError(f"CHATTY_STORAGE_URL: unsupported scheme {parts.scheme!r}")
