"""The S3 adapter of the storage port (aiobotocore): any S3-compatible store, for several hosts.

`s3://bucket/prefix`; credentials from the standard `AWS_*` variables (botocore's chain), the
endpoint from `CHATTY_S3_ENDPOINT` (MinIO, Ceph, moto, …; empty: AWS itself).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiobotocore.session import get_session
from botocore.exceptions import ClientError

CHUNK = 256 * 1024
MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Storage:
    def __init__(self, *, bucket: str, prefix: str, endpoint: str | None, staging: Path) -> None:
        self.bucket, self.prefix, self.endpoint = bucket, prefix, endpoint
        self.staging = staging
        self.staging.mkdir(parents=True, exist_ok=True)
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        """One client for the process, made on first use (the event loop is running then)."""
        async with self._lock:
            if self._client is None:
                self._client = await self._stack.enter_async_context(
                    get_session().create_client("s3", endpoint_url=self.endpoint)
                )
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        s3 = await self._s3()
        with path.open("rb") as body:  # streamed by botocore, never read whole into memory here
            await s3.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=body, ContentType=content_type
            )

    def local_path(self, key: str) -> Path | None:
        return None

    async def read(self, key: str) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                raise FileNotFoundError(key) from exc
            raise
        async with response["Body"] as body:
            while chunk := await body.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    async def close(self) -> None:
        await self._stack.aclose()
