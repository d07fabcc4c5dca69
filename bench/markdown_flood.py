"""Heavy Markdown from one socket (issue 31 item 1): does it stall a gateway for everyone else?

Two gateways and a worker on a scratch PostgreSQL database and Redis, with the production
message rate (20/s, burst 40). Ten pairs of victims exchange plain messages across the two
gateways (a sender on one, its reader on the other, both ways) at 5 messages/s each, while
one attacker socket on gateway A sends `--count` heavy bodies as fast as it can, in two
phases: bodies the gateway refuses once rendered (`"[*" * 2000`: too long once escaped) and
bodies it accepts (`"![*" * 1333`). `/healthz` of each gateway is polled every 20 ms.

    .venv/bin/python -m bench.markdown_flood [--count 300] [--quiet-s 5]

Prints, per phase (quiet, refused, accepted): the victims' delivery p50/p99/max (send →
`message:new` at the reader), their failed sends, `/healthz` p50/p99/max, and the attacker's
acks by result, and gateway A's delivery lag (`chatty_delivery_lag_seconds`: its event-loop
lag or the queue's wait, whichever is larger) at its worst. Targets: victims' p99 ≤ 100 ms,
`/healthz` p99 ≤ 50 ms during a flood.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from tests.support.clients import Api, Live
from tests.support.procs import Cluster, migrate
from tests.support.services import REDIS_BASE, create_database, drop_database

PAIRS, VICTIM_RATE = 10, 5.0
SHAPES = {"refused": "[*" * 2000, "accepted": "![*" * 1333}
# The defaults of backend/settings/config_limits.py (the tests' harness lifts them).
PRODUCTION = {
    "CHATTY_MESSAGE_RATE": "20",
    "CHATTY_MESSAGE_BURST": "40",
    "CHATTY_DELIVERY_BUDGET_MS": "500",
}
METRICS_TOKEN = "bench-" + uuid.uuid4().hex
_LAG = "chatty_delivery_lag_seconds "


@dataclass
class Phase:
    delivery_ms: list[float] = field(default_factory=list)
    healthz_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)  # gateway A's own, from /metrics
    victim_errors: Counter[str] = field(default_factory=Counter)
    attacker: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


class Bench:
    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.phase = Phase()
        self.running = True

    def on_message(self, data: dict[str, Any]) -> None:
        body = str(data.get("body", ""))
        if body.startswith("ping "):
            self.phase.delivery_ms.append((time.time() - float(body.split()[1])) * 1000)

    async def victim(self, live: Live, room: int) -> None:
        while self.running:
            try:
                ack = await live.send(room, f"ping {time.time():.6f}")
            except socketio.exceptions.TimeoutError:
                ack = {"ok": False, "error": {"code": "no ack in 10 s"}}
            except socketio.exceptions.SocketIOError:  # cut off: what the flood did to it
                ack = {"ok": False, "error": {"code": "disconnected"}}
            if not ack["ok"]:
                self.phase.victim_errors[ack["error"]["code"]] += 1
            await asyncio.sleep(1 / VICTIM_RATE)

    async def healthz(self, http: aiohttp.ClientSession) -> None:
        while self.running:
            for url in self.urls:
                start = time.perf_counter()
                async with http.get(f"{url}/healthz") as resp:
                    await resp.read()
                self.phase.healthz_ms.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.02)

    async def lag(self, http: aiohttp.ClientSession) -> None:
        """Gateway A's delivery lag (its event-loop lag or the queue's wait), every 0.5 s
        (rendering /metrics costs the gateway: every 100 ms it was 8 % of its samples)."""
        while self.running:
            auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
            async with http.get(f"{self.urls[0]}/metrics", headers=auth) as resp:
                for line in (await resp.text()).splitlines():
                    if line.startswith(_LAG):
                        self.phase.lag_ms.append(float(line.split()[1]) * 1000)
            await asyncio.sleep(0.5)


async def attack(live: Live, room: int, body: str, count: int, phase: Phase) -> None:
    async def one() -> None:
        data = {"room_id": room, "body": body, "client_msg_id": str(uuid.uuid4())}
        try:
            ack = await live.call("message:send", data, timeout=120)
            phase.attacker["ok" if ack["ok"] else ack["error"]["code"]] += 1
        except socketio.exceptions.TimeoutError:
            phase.attacker["no ack in 120 s"] += 1
        except socketio.exceptions.SocketIOError:
            phase.attacker["disconnected"] += 1

    await asyncio.gather(*(one() for _ in range(count)))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, phase: Phase) -> str:
    d, h = phase.delivery_ms, phase.healthz_ms
    return (
        f"{name:9} {phase.seconds:5.1f} s | victims: {len(d):4} delivered, p50 "
        f"{statistics.median(d) if d else float('nan'):6.1f} p99 {pct(d, 0.99):7.1f} max "
        f"{max(d, default=float('nan')):7.1f} ms, failed {dict(phase.victim_errors)} | healthz: "
        f"p50 {statistics.median(h) if h else float('nan'):5.1f} p99 {pct(h, 0.99):7.1f} max "
        f"{max(h, default=float('nan')):7.1f} ms | A's lag max "
        f"{max(phase.lag_ms, default=float('nan')):6.0f} ms | attacker: {dict(phase.attacker)}"
    )


async def run(urls: list[str], count: int, quiet_s: float) -> list[str]:
    lines = []
    async with aiohttp.ClientSession() as http:
        bench = Bench(urls)
        lives, tasks = [], []
        for i in range(PAIRS):
            a, b = urls[i % 2], urls[(i + 1) % 2]
            sender, reader = await Api(a, http).register(), await Api(b, http).register()
            room = await sender.api.create_room()
            await sender.api.add_member(room["id"], reader.id)
            s_live, r_live = (
                await Live.connect(a, sender.token),
                await Live.connect(b, reader.token),
            )
            r_live.sio.on("message:new", bench.on_message)
            lives += [s_live, r_live]
            tasks.append(asyncio.create_task(bench.victim(s_live, room["id"])))
        attacker = await Api(urls[0], http).register()
        own = (await attacker.api.create_room())["id"]
        tasks += [asyncio.create_task(bench.healthz(http)), asyncio.create_task(bench.lag(http))]
        await asyncio.sleep(2)  # warm up: connections, first queries
        bench.phase = Phase()
        await asyncio.sleep(quiet_s)
        bench.phase.seconds = quiet_s
        lines.append(report("quiet", bench.phase))
        for name, body in SHAPES.items():
            a_live = await Live.connect(urls[0], attacker.token)  # a new socket each phase
            bench.phase = phase = Phase()
            start = time.perf_counter()
            await attack(a_live, own, body, count, phase)
            phase.seconds = time.perf_counter() - start
            await asyncio.sleep(1)  # what the flood delayed arrives within this phase
            lines.append(report(name, phase))
            await a_live.close()
            bench.phase = Phase()
            await asyncio.sleep(3)  # the attacker's rate refills between phases
        bench.running = False
        await asyncio.gather(*tasks, return_exceptions=True)
        for live in lives:
            await live.close()
    return lines


async def main(count: int, quiet_s: float) -> None:
    db = await create_database(prefix="chatty_mdflood")
    migrate(db)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster.distributed(
            Path(tmp),
            database_url=db,
            redis_url=f"{REDIS_BASE}/13",
            CHATTY_METRICS_TOKEN=METRICS_TOKEN,
            **PRODUCTION,
        )
        try:
            urls = [cluster.gateway().url, cluster.gateway().url]
            cluster.worker()
            lines = await run(urls, count, quiet_s)
        finally:
            cluster.stop()
            await drop_database(db)
    print(f"markdown flood: {count} heavy bodies per phase from one socket on gateway A")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--quiet-s", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(main(args.count, args.quiet_s))
