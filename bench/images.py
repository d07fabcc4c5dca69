"""Image uploads against the password hashing they share a gateway with (issue 31 item 2):
16 parallel worst-case uploads by 4 users — RGBA PNGs of 24 M pixels that compress to ~100 KB
(one turned by its EXIF orientation), a 24 MP JPEG, a 24 MP GIF, a decompression bomb — while
another user logs in again and again. Prints the gateway's RSS growth (sampled from /proc every
10 ms) and the logins' times.

    .venv/bin/python -m bench.images           # a `chatty run` (embedded) gateway on a free port
    .venv/bin/python -m bench.images CHATTY_IMAGE_WORKERS=1    # settings of the gateway

For the code before a change, run it from an export of that commit (the gateway is started
from the checkout the script is in): see bench/README.md.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from PIL import Image

from bench.files import register, rss
from tests.support.files import png_bomb
from tests.support.procs import Cluster

PIXELS = (4000, 6000)  # 24 M: under the old limit (40 M) and the new one (24 M)
PASSWORD = "password123"


def worst_cases() -> list[tuple[str, bytes]]:
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: the whole image is transposed once
    flat = Image.new("RGBA", PIXELS)
    cases = []
    for name, options in (("flat.png", {}), ("turned.png", {"exif": exif.tobytes()})):
        out = io.BytesIO()
        flat.save(out, format="PNG", compress_level=9, **options)
        cases.append((name, out.getvalue()))
    out = io.BytesIO()
    flat.convert("RGB").save(out, format="JPEG", quality=10, exif=exif.tobytes())
    cases.append(("photo.jpg", out.getvalue()))
    out = io.BytesIO()
    flat.convert("P").save(out, format="GIF")
    cases.append(("anim.gif", out.getvalue()))
    cases.append(("bomb.png", png_bomb()))
    return cases


async def post(
    http: aiohttp.ClientSession, base: str, token: str, room: int, case: tuple[str, bytes]
) -> int:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(case[1]), filename=case[0])
    async with http.post(
        f"{base}/api/v1/rooms/{room}/attachments",
        data=form,
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        await resp.read()
        return resp.status


async def login(http: aiohttp.ClientSession, base: str, username: str) -> float:
    start = time.perf_counter()
    async with http.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    ) as resp:
        await resp.read()
        assert resp.status == 200, resp.status
    return time.perf_counter() - start


async def measure(base: str, pid: int) -> None:
    cases = worst_cases()
    print("payloads: " + ", ".join(f"{n} {len(d) / 1e3:.0f} KB" for n, d in cases))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
        users = [await register(http, base) for _ in range(4)]
        name = f"benchlogin{time.time_ns() % 10**9}"
        async with http.post(
            f"{base}/api/v1/auth/register", json={"username": name, "password": PASSWORD}
        ) as resp:
            assert resp.status == 201
        idle = [await login(http, base, name) for _ in range(5)]
        await post(http, base, *users[0], ("warm.png", cases[-1][1]))
        before, peak = rss(pid), 0
        done = asyncio.Event()

        async def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss(pid))
                await asyncio.sleep(0.01)

        async def logins() -> list[float]:
            times = []
            while not done.is_set():
                times.append(await login(http, base, name))
            return times

        sampler, logging_in = asyncio.create_task(sample()), asyncio.create_task(logins())
        start = time.perf_counter()
        statuses = await asyncio.gather(
            *(post(http, base, *users[i % 4], cases[i % len(cases)]) for i in range(16))
        )
        elapsed = time.perf_counter() - start
        done.set()
        await sampler
        during = await logging_in
    print(f"16 parallel uploads: statuses {sorted(statuses)}, {elapsed:.1f} s")
    print(
        f"gateway RSS +{(peak - before) / 1e6:.0f} MB (before {before / 1e6:.0f} MB, "
        f"peak {peak / 1e6:.0f} MB)"
    )
    print(
        f"login idle median {statistics.median(idle) * 1000:.0f} ms; during uploads "
        f"median {statistics.median(during) * 1000:.0f} ms, max {max(during) * 1000:.0f} ms "
        f"({len(during)} logins)"
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster.embedded(
            Path(tmp),
            CHATTY_UPLOADS_PER_MINUTE="100000",
            CHATTY_UPLOAD_QUOTA_BYTES="0",
            CHATTY_MAX_OPEN_UPLOADS="100",
            CHATTY_AUTH_FAILURES_PER_MINUTE="100000",
            **dict(arg.split("=", 1) for arg in sys.argv[1:]),  # e.g. CHATTY_IMAGE_WORKERS=1
        )
        try:
            node = cluster.gateway(command="run")
            asyncio.run(measure(node.url, node.pid))
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
