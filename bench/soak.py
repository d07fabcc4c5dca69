"""Soak: steady traffic for a long while, a fault every minute, memory and losses reported.

`make soak` (or `python -m bench.soak --minutes 10`): a private PostgreSQL and a private Redis
(AOF), two gateways and two workers, members on both gateways sending at a steady rate. Every
`--fault-every` seconds one fault, in turn: Redis restart, PostgreSQL restart, a worker SIGKILL
(started again), a gateway SIGKILL (started again on its port). Every 10 s the RSS of each
process is sampled. At the end, with the traffic stopped and the backlog drained, it reports:

- lost: messages acknowledged `ok` that are not stored;
- duplicated: client_msg_ids stored more than once; seq gaps or repeats in the history;
- per member, messages of the history missing from its timeline (live + `sync` after a
  reconnection) and conflicting copies;
- RSS per process over time, and the growth between the first and the last minute of the
  longest-lived run of each process (a leak shows as steady growth, not as a restart's drop).

Exit status 0 when nothing was lost, doubled or missed; 1 otherwise. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.procs import rss
from tests.support.clients import Api
from tests.support.faults import Member, stored
from tests.support.procs import Cluster, Proc
from tests.support.services import private_postgres, private_redis

FAULTS = ("redis restart", "postgres restart", "worker sigkill", "gateway sigkill")


@dataclass
class Traffic:
    acked: dict[int, list[str]] = field(default_factory=dict)  # room → client_msg_ids
    refused: dict[str, int] = field(default_factory=dict)  # code → count
    slowest_refusal: float = 0.0


@dataclass
class Samples:
    """RSS per process name; a restarted process starts a new run under the same name."""

    runs: dict[str, list[list[tuple[float, int]]]] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    def take(self, elapsed: float, procs: dict[str, int]) -> None:
        for name, pid in procs.items():
            runs = self.runs.setdefault(name, [])
            if self.pids.get(name) != pid:
                runs.append([])
                self.pids[name] = pid
            runs[-1].append((elapsed, rss(pid)))


async def sender(
    member: Member, room: int, rate: float, stop: asyncio.Event, traffic: Traffic, tag: str
) -> None:
    """One message every 1/rate s, each retried with its client_msg_id until acknowledged."""
    period, n = 1.0 / rate, 0
    while not stop.is_set():
        started = time.monotonic()
        cmid, n = str(uuid.uuid4()), n + 1
        while True:
            t0 = time.monotonic()
            ack = await member.send(room, f"{tag} {n}", cmid)
            if ack.get("ok"):
                traffic.acked.setdefault(room, []).append(cmid)
                break
            code = ack.get("error", {}).get("code", "?")
            traffic.refused[code] = traffic.refused.get(code, 0) + 1
            if code == "unavailable":
                traffic.slowest_refusal = max(traffic.slowest_refusal, time.monotonic() - t0)
            await asyncio.sleep(0.2)
        await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))


def chatty_pids(cluster: Cluster) -> dict[str, int]:
    return {p.name: p.popen.pid for p in cluster.procs if p.alive()}


async def inject(fault: str, cluster: Cluster, redis: Any, pg: Any, turn: int, down: float) -> str:
    """One fault; returns what was done."""
    if fault == "redis restart":
        await asyncio.to_thread(redis.restart, down)
        return f"redis restarted (down {down:.0f}s)"
    if fault == "postgres restart":
        await asyncio.to_thread(pg.restart, down)
        return f"postgres restarted (down {down:.0f}s)"
    kind = "worker" if fault == "worker sigkill" else "gateway"
    procs = sorted((p for p in cluster.procs if p.name.startswith(kind)), key=lambda p: p.name)
    victim: Proc = procs[turn % len(procs)]
    victim.kill()
    await asyncio.sleep(down)
    await asyncio.to_thread(cluster.restart, victim)
    return f"{victim.name} SIGKILLed, started again after {down:.0f}s"


async def soak(minutes: float, fault_every: float, users: int, rate: float, down: float) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="chatty-soak-"))
    with private_postgres() as pg, private_redis() as redis:
        cluster = Cluster.distributed(
            tmp,
            database_url=pg.url,
            redis_url=redis.url,
            CHATTY_PRESENCE_TTL="5",
        )
        members: list[Member] = []
        try:
            gateways = [cluster.gateway(), cluster.gateway()]
            cluster.worker()
            cluster.worker()
            urls = [g.url for g in gateways]
            async with aiohttp.ClientSession() as http:
                api = Api(urls[0], http)
                people = [await api.register() for _ in range(users)]
                rooms = []
                for owner in people[:2]:  # two rooms, everyone in both
                    room = await owner.api.create_room()
                    for other in people:
                        if other is not owner:
                            await owner.api.add_member(room["id"], other.id)
                    rooms.append(int(room["id"]))
                for i, person in enumerate(people):
                    order = urls[i % 2 :] + urls[: i % 2]  # half start on each gateway
                    member = Member(order, person.token, rooms, f"user{i}")
                    members.append(await member.start())
                traffic, samples, stop = Traffic(), Samples(), asyncio.Event()
                senders = [
                    asyncio.create_task(sender(m, rooms[i % 2], rate, stop, traffic, m.name))
                    for i, m in enumerate(members)
                ]
                started = time.monotonic()
                log: list[tuple[float, str]] = []
                next_sample, next_fault, turn = 0.0, fault_every, 0
                while (elapsed := time.monotonic() - started) < minutes * 60:
                    if elapsed >= next_sample:
                        samples.take(elapsed, {**chatty_pids(cluster), **_servers(redis, pg)})
                        next_sample += 10
                    if elapsed >= next_fault:
                        fault = FAULTS[turn % len(FAULTS)]
                        done = await inject(fault, cluster, redis, pg, turn // len(FAULTS), down)
                        log.append((elapsed, done))
                        print(f"[{elapsed:6.0f}s] {done}", flush=True)
                        next_fault += fault_every
                        turn += 1
                    await asyncio.sleep(0.5)
                stop.set()
                await asyncio.gather(*senders)
                samples.take(time.monotonic() - started, chatty_pids(cluster))
                report = await _verify(api, members, rooms, traffic)
                report.update(
                    minutes=minutes,
                    faults=log,
                    refused=traffic.refused,
                    slowest_unavailable_s=round(traffic.slowest_refusal, 2),
                    rss=_rss_report(samples),
                )
        finally:
            for member in members:
                await member.close()
            cluster.stop()
    _print(report)
    out = Path("bench/results") / f"soak-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"written to {out}")
    ok = report["lost"] == 0 and report["duplicated"] == 0 and report["seq_errors"] == 0
    if ok and not report["members_missing"]:
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    print(f"the processes' logs are kept in {tmp}")
    return 1


def _servers(redis: Any, pg: Any) -> dict[str, int]:
    pids = {}
    if redis.popen is not None:
        pids["redis"] = redis.popen.pid
    pid_file = pg.data / "postmaster.pid"
    if pid_file.exists():
        pids["postgres"] = int(pid_file.read_text().split()[0])
    return pids


async def _verify(
    api: Api, members: list[Member], rooms: list[int], traffic: Traffic
) -> dict[str, Any]:
    """After the traffic: wait for the backlog to drain, then compare everything."""
    reader = api.as_user(members[0].token)
    histories = {
        room: await stored(reader, room, len(traffic.acked.get(room, [])), timeout=120)
        for room in rooms
    }
    lost = duplicated = seq_errors = 0
    for room, history in histories.items():
        ids = [m["client_msg_id"] for m in history]
        lost += len(set(traffic.acked.get(room, [])) - set(ids))
        duplicated += len(ids) - len(set(ids))
        seq_errors += sum(1 for i, m in enumerate(history, 1) if m["seq"] != i)

    async def settled(member: Member) -> None:  # its last live events, or what it will never get
        def whole() -> bool:
            return all(member.holds(room, len(h)) for room, h in histories.items())

        with contextlib.suppress(TimeoutError):
            await member.wait_until(whole, 30)

    await asyncio.gather(*(settled(m) for m in members))
    missing: dict[str, int] = {}
    for member in members:
        gaps = sum(
            1 for room, h in histories.items() for m in h if m["seq"] not in member.rooms[room]
        )
        if gaps or member.conflicts:
            missing[member.name] = gaps + len(member.conflicts)
    return {
        "acked": sum(len(v) for v in traffic.acked.values()),
        "stored": sum(len(h) for h in histories.values()),
        "lost": lost,
        "duplicated": duplicated,
        "seq_errors": seq_errors,
        "members_missing": missing,
        "member_reconnects": sum(len(m.connects) - 1 for m in members),
        "member_duplicate_copies": sum(m.duplicates for m in members),
    }


def _rss_report(samples: Samples) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, runs in sorted(samples.runs.items()):
        longest = max(runs, key=len)
        first = [r for t, r in longest if t - longest[0][0] < 60]
        last = [r for t, r in longest if longest[-1][0] - t < 60]
        report[name] = {
            "runs": len(runs),
            "runs_mb": [[[round(t), round(r / 2**20, 1)] for t, r in run] for run in runs],
            "longest_run_s": round(longest[-1][0] - longest[0][0]),
            "first_minute_mb": round(sum(first) / len(first) / 2**20, 1),
            "last_minute_mb": round(sum(last) / len(last) / 2**20, 1),
        }
    return report


def _print(report: dict[str, Any]) -> None:
    print("\n== soak: RSS (MB) per process, every 10 s; | marks a restart ==")
    for name, r in report["rss"].items():
        series = " | ".join(" ".join(f"{mb:.0f}" for _, mb in run) for run in r["runs_mb"])
        print(
            f"{name:10} runs={r['runs']} longest={r['longest_run_s']}s "
            f"first-minute={r['first_minute_mb']} last-minute={r['last_minute_mb']}\n"
            f"           {series}"
        )
    print("\n== soak: messages ==")
    for key in ("acked", "stored", "lost", "duplicated", "seq_errors", "members_missing"):
        print(f"{key:24} {report[key]}")
    for key in ("member_reconnects", "member_duplicate_copies", "refused"):
        print(f"{key:24} {report[key]}")
    print(f"{'slowest unavailable ack':24} {report['slowest_unavailable_s']}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--fault-every", type=float, default=60, help="seconds between faults")
    parser.add_argument("--users", type=int, default=6, help="members, each sending")
    parser.add_argument("--rate", type=float, default=5, help="messages per second per member")
    parser.add_argument("--down", type=float, default=3, help="seconds a fault keeps it down")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    return asyncio.run(soak(args.minutes, args.fault_every, args.users, args.rate, args.down))


if __name__ == "__main__":
    sys.exit(main())
