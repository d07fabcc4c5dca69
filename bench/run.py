"""`python -m bench`: start the systems, run the scenarios, print and save the results.

python -m bench                      # everything, full sizes (make bench)
python -m bench --smoke              # every scenario at a tiny size (the test suite)
python -m bench --systems chatty --scenarios throughput --profile
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import report, scenarios
from bench.loadgen import LOADGEN_DIR, LoadGen
from bench.procs import raise_fd_limit, total_ram
from bench.profiling import Profiler, summarise
from bench.profiling import markdown as profile_markdown
from bench.scenarios import Sizes
from bench.systems import (
    NODE_RELAY_DIR,
    Database,
    System,
    ensure_node_modules,
    forget_redis_keys,
    seed,
    start_chatty,
    start_node_relay,
    start_python_relay,
)
from tests.support.procs import ROOT

SYSTEMS = ("chatty", "python-relay", "node-relay")
SCENARIOS = ("throughput", "fanout", "connections", "persistence")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: seconds, not minutes")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL admin URL; a scratch database is created next to it and dropped",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"),
        help="Redis URL (a database of its own: the tests use /15)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the gateway and worker")
    parser.add_argument("--rates", help="comma-separated offered msg/s steps")
    for f in fields(Sizes):
        if f.name == "rates":
            continue
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=None)
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    sizes = Sizes.smoke() if args.smoke else Sizes()
    for f in fields(Sizes):
        value = getattr(args, f.name, None) if f.name != "rates" else None
        if value is not None:
            setattr(sizes, f.name, value)
    if args.rates:
        sizes.rates = [int(r) for r in args.rates.split(",")]
    return sizes


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(total_ram() / 2**30, 1),
        "python": platform.python_version(),
        "node": subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "commit": commit,
        "uncommitted_files": len(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.splitlines()
        ),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def start_system(
    name: str, population: Any, db: Database, redis_url: str, log_dir: Path, workers: int
) -> System:
    if name == "chatty":
        return start_chatty(
            population, db_url=db.url, redis_url=redis_url, log_dir=log_dir, workers=workers
        )
    if name == "python-relay":
        return start_python_relay(population, redis_url=redis_url, log_dir=log_dir)
    if name == "node-relay":
        return start_node_relay(population, redis_url=redis_url, log_dir=log_dir)
    raise ValueError(f"unknown system {name!r}")


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = sizes_from(args)
    systems = [s for s in args.systems.split(",") if s]
    wanted = [s for s in args.scenarios.split(",") if s]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    log_dir = out / f"logs-{stamp}"
    log_dir.mkdir(parents=True, exist_ok=True)
    nofile = raise_fd_limit()
    notes: list[str] = []
    if nofile < sizes.connections + 1000:
        notes.append(
            f"open-file limit {nofile} is below {sizes.connections} connections + headroom; "
            "connections may fail"
        )
    ensure_node_modules(LOADGEN_DIR)
    if "node-relay" in systems:
        ensure_node_modules(NODE_RELAY_DIR)
    profiler = Profiler(out) if args.profile else None
    results: dict[str, Any] = {
        "meta": {
            **machine(),
            "started": stamp,
            "sizes": asdict(sizes),
            "sizes_text": (
                f"throughput {sizes.senders} senders in {sizes.rooms} rooms of {sizes.members}, "
                f"steps {sizes.step_s:g}s; fan-out {sizes.fanout}; "
                f"connections {sizes.connections}; backlog {sizes.backlog}"
            ),
            "loadgens": sizes.loadgens,
            "open_files_limit": nofile,
            "smoke": args.smoke,
        },
        "systems": {},
        "notes": notes,
    }
    say(f"scratch database, migrate, seed {sizes.users} users")
    db = await Database.create(args.pg)
    gen: LoadGen | None = None
    try:
        db.migrate(log_dir)
        population = await seed(
            db.url,
            users=sizes.users,
            rooms=sizes.rooms,
            members=sizes.members,
            fanout=sizes.fanout,
            notify=sizes.notify,
        )
        gen = await LoadGen.start(sizes.loadgens)
        for name in systems:
            if not set(wanted) & {"throughput", "fanout", "connections"}:
                break
            say(f"{name}: starting")
            system = start_system(name, population, db, args.redis, log_dir, sizes.workers)
            probe = await asyncpg.connect(db.url) if system.persists else None
            result: dict[str, Any] = {}
            results["systems"][name] = result
            try:
                if "throughput" in wanted:
                    say(f"{name}: throughput")
                    spies = []
                    if profiler and name == "chatty":
                        spies = [
                            profiler.start("gateway", system.nodes[0].pid),
                            profiler.start("worker", system.others[0].pid),
                        ]
                    result["throughput"] = await scenarios.throughput(system, gen, sizes, probe)
                    for spy in spies:
                        spy.stop()
                    say(f"{name}: {_brief_throughput(result['throughput'])}")
                if "fanout" in wanted:
                    say(f"{name}: fan-out to {sizes.fanout}")
                    result["fanout"] = await scenarios.fanout(system, gen, sizes)
                    say(f"{name}: fan-out member p99 {result['fanout']['member_latency_ms']}")
                if "connections" in wanted:
                    say(f"{name}: {sizes.connections} connections")
                    spy = None
                    if profiler and name == "chatty":
                        spy = profiler.start("gateway-connections", system.nodes[0].pid)
                    result["connections"] = await scenarios.connections(system, gen, sizes)
                    if spy:
                        spy.stop()
                    c = result["connections"]
                    say(
                        f"{name}: {c['connections']} held, {c['rss_per_connection_kb']} KB each, "
                        f"idle CPU {c['idle_cpu_nodes']}"
                    )
            except Exception as exc:
                result["error"] = repr(exc)
                say(f"{name}: FAILED {exc!r}")
                with contextlib.suppress(Exception):
                    await gen.disconnect()
            finally:
                if probe is not None:
                    await probe.close()
                system.stop()
                if "env" in system.extra:
                    await forget_redis_keys(args.redis, system.extra["env"])
        if "persistence" in wanted and "chatty" in systems:
            say(f"chatty: worker draining a backlog of {sizes.backlog}")
            results["persistence"] = await scenarios.persistence(
                population,
                db_url=db.url,
                redis_url=args.redis,
                sizes=sizes,
                log_dir=log_dir,
                profile=profiler,
            )
            say(f"persistence: {results['persistence']}")
            if sizes.workers == 1:  # and the same backlog with two: do workers add up?
                say(f"chatty: two workers draining a backlog of {sizes.backlog}")
                results["persistence_2_workers"] = await scenarios.persistence(
                    population,
                    db_url=db.url,
                    redis_url=args.redis,
                    sizes=replace(sizes, workers=2),
                    log_dir=log_dir,
                )
                say(f"persistence, 2 workers: {results['persistence_2_workers']}")
    finally:
        if gen is not None:
            await gen.close()
        if profiler:
            profiler.stop_all()
        await db.drop()
    _loadgen_notes(results)
    results["targets"] = report.targets(results)
    if profiler:
        results["profile"] = {
            spy.name: summarise(spy.raw) for spy in profiler.spies if spy.raw.exists()
        }
    _save(results, out, stamp)
    return results


def _brief_throughput(tp: dict[str, Any]) -> str:
    sat = tp["saturation"]
    return (
        f"max offered within p99 {tp['max_rate_within_p99']}/s; saturation "
        f"{sat['delivered_per_s']} delivered/s, p99 {sat['latency_ms']['p99']} ms, "
        f"loadgen {sat['loadgen']}"
    )


def _loadgen_notes(results: dict[str, Any]) -> None:
    for name, result in results["systems"].items():
        tp = result.get("throughput") or {}
        phases = [*tp.get("steps", []), tp.get("saturation") or {}]
        hot = [p for p in phases if (p.get("loadgen") or {}).get("saturated")]
        if hot:
            results["notes"].append(
                f"{name}: the load generator saturated (≥ 90% of a core in a process) in "
                f"{len(hot)} throughput phase(s): those numbers are a lower bound for {name}"
            )


def _save(results: dict[str, Any], out: Path, stamp: str) -> None:
    text = report.markdown(results)
    if results.get("profile"):
        text += "\n## Profiles (py-spy, share of samples)\n\n" + "\n".join(
            profile_markdown(k, v) for k, v in results["profile"].items()
        )
    for name in (f"bench-{stamp}", "latest"):
        (out / f"{name}.json").write_text(json.dumps(results, indent=1, default=str))
        (out / f"{name}.md").write_text(text)
    try:
        report.plot(results, out / f"bench-{stamp}.png")
        (out / "latest.png").write_bytes((out / f"bench-{stamp}.png").read_bytes())
    except ImportError:
        results["notes"].append("matplotlib missing: no plot (pip install -e '.[bench]')")
    print(text)
    print(f"\nresults: {out}/bench-{stamp}.{{json,md,png}} (and latest.*)")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        import uvloop

        results = uvloop.run(run(args))
    except ImportError:  # pragma: no cover
        results = asyncio.run(run(args))
    failed = [n for n, r in results["systems"].items() if "error" in r]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
