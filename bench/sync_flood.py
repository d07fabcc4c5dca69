"""The `sync` flood of issue 13 (finding 1), measured: clients that stop reading ask for history.

20 clients connect over raw WebSockets, never read, and each sends 50 `sync` calls over ten rooms
of large messages. A gateway that built unbounded replies and queued them without limit grew by
hundreds of MB and kept it; the bounded gateway answers with bounded replies, cuts the sockets
off past their unsent-bytes bound, and its RSS falls back once they leave.

    .venv/bin/python -m bench.sync_flood [--lift-read-limit]

Prints the gateway's RSS before, at its peak during the flood, and after the clients left.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.support.clients import Api, Live
from tests.support.faults import StalledClient
from tests.support.procs import Cluster, migrate
from tests.support.services import REDIS_BASE, create_database, drop_database

ROOMS, MESSAGES, BODY = 10, 100, 3900
CLIENTS, SYNCS = 20, 50


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def fill(url: str) -> tuple[str, dict[str, int]]:
    async with aiohttp.ClientSession() as http:
        alice = await Api(url, http).register()
        rooms = [(await alice.api.create_room())["id"] for _ in range(ROOMS)]
        live = await Live.connect(url, alice.token)
        try:
            for room in rooms:
                for n in range(MESSAGES):
                    assert (await live.send(room, f"{n} " + "&" * 10 + "x" * BODY))["ok"]
            await live.wait_until(
                lambda: all(len(live.messages(r)) == MESSAGES for r in rooms), 120
            )
        finally:
            await live.close()
    return alice.token, {str(room): 0 for room in rooms}


def flood(port: int, token: str, wanted: dict[str, int]) -> StalledClient:
    client = StalledClient(port, token)
    frame = json.dumps(["sync", {"rooms": wanted}])
    for n in range(SYNCS):
        try:
            client._send(f"42{n}{frame}")
        except OSError:  # cut off by the gateway: what it should do
            break
    return client


async def main(lift_read_limit: bool) -> None:
    db = await create_database(prefix="chatty_flood")
    migrate(db)
    extra = {"CHATTY_READ_RATE": "100000", "CHATTY_READ_BURST": "100000"}
    defaults = {"CHATTY_READ_RATE": "10", "CHATTY_READ_BURST": "10"}
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster.distributed(
            Path(tmp),
            database_url=db,
            redis_url=f"{REDIS_BASE}/13",
            **(extra if lift_read_limit else defaults),
        )
        try:
            node = cluster.gateway()
            cluster.worker()
            token, wanted = await fill(node.url)
            pid = node.popen.pid
            before = rss_mb(pid)
            peak = before
            clients = []
            for _ in range(CLIENTS):
                clients.append(await asyncio.to_thread(flood, node.port or 0, token, wanted))
                peak = max(peak, rss_mb(pid))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # replies being built and cut off
                peak = max(peak, rss_mb(pid))
                await asyncio.sleep(0.1)
            cut = node.log().count("slow_client_cut_off")
            for client in clients:
                client.close()
            after = peak
            deadline = time.monotonic() + 20  # the gateway trims freed memory every few seconds
            while time.monotonic() < deadline and after > before + 20:
                await asyncio.sleep(0.5)
                after = rss_mb(pid)
            print(
                f"sync flood ({CLIENTS} clients x {SYNCS} syncs, read limit "
                f"{'lifted' if lift_read_limit else 'default'}): gateway RSS before "
                f"{before:.0f} MB, peak {peak:.0f} MB (+{peak - before:.0f}), after "
                f"{after:.0f} MB; sockets cut off: {cut}"
            )
        finally:
            cluster.stop()
            await drop_database(db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lift-read-limit", action="store_true")
    asyncio.run(main(parser.parse_args().lift_read_limit))
