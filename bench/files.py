"""Uploads (issue 16's targets): one 25 MiB upload — the gateway's RSS growth and throughput to
the filesystem store — then 100 concurrent 1 MiB uploads, which must all succeed.

    .venv/bin/python -m bench.files          # a `chatty run` (embedded) gateway on a free port

The gateway's RSS is sampled from /proc every 10 ms while the upload runs.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.support.procs import Cluster

MIB = 1 << 20


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def register(http: aiohttp.ClientSession, base: str) -> tuple[str, int]:
    name = f"bench{os.getpid()}{time.time_ns() % 10**6}"
    async with http.post(
        f"{base}/api/v1/auth/register", json={"username": name, "password": "password123"}
    ) as resp:
        token = (await resp.json())["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    async with http.post(
        f"{base}/api/v1/rooms", json={"name": "bench", "kind": "private"}, headers=auth
    ) as resp:
        return token, (await resp.json())["id"]


async def upload(http: aiohttp.ClientSession, base: str, token: str, room: int, size: int) -> int:
    async def chunks() -> object:
        block = os.urandom(MIB)
        for _ in range(size // MIB):
            yield block

    form = aiohttp.FormData()
    form.add_field("file", chunks(), filename="blob.bin")
    async with http.post(
        f"{base}/api/v1/rooms/{room}/attachments",
        data=form,
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        await resp.read()
        return resp.status


async def measure(base: str, pid: int) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
        token, room = await register(http, base)
        await upload(http, base, token, room, MIB)  # warm up (imports, first file)
        before, peak = rss(pid), 0
        done = asyncio.Event()

        async def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss(pid))
                await asyncio.sleep(0.01)

        sampler = asyncio.create_task(sample())
        start = time.perf_counter()
        status = await upload(http, base, token, room, 25 * MIB)
        elapsed = time.perf_counter() - start
        done.set()
        await sampler
        print(
            f"25 MiB upload: status {status}, {elapsed * 1000:.0f} ms, "
            f"{25 * MIB / elapsed / 1e6:.0f} MB/s, gateway RSS +{(peak - before) / 1e6:.1f} MB "
            f"(before {before / 1e6:.0f} MB, peak {peak / 1e6:.0f} MB)"
        )
        start = time.perf_counter()
        statuses = await asyncio.gather(*(upload(http, base, token, room, MIB) for _ in range(100)))
        elapsed = time.perf_counter() - start
        errors = sum(s != 201 for s in statuses)
        print(
            f"100 concurrent 1 MiB uploads: {errors} errors, {elapsed * 1000:.0f} ms, "
            f"{100 * MIB / elapsed / 1e6:.0f} MB/s"
        )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster.embedded(
            Path(tmp),
            CHATTY_UPLOADS_PER_MINUTE="100000",
            CHATTY_UPLOAD_QUOTA_BYTES="0",
        )
        try:
            node = cluster.gateway(command="run")
            asyncio.run(measure(node.url, node.pid))
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
