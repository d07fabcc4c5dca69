"""Drives the Node load generator processes (bench/loadgen/loadgen.mjs) and merges their numbers.

Each process holds a shard of the clients (client i lives in process i % n); commands go to every
process at once and their replies are merged. Every reply carries the process's CPU time, so
each phase can say whether the load generator itself was the bottleneck.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from tests.support.procs import ROOT

LOADGEN_DIR = ROOT / "bench" / "loadgen"
SATURATED = 0.9  # a process busy this share of one core is the likely bottleneck


@dataclass(frozen=True)
class ClientSpec:
    url: str
    auth: dict[str, Any]


@dataclass
class Usage:
    """CPU used by each load generator process over a phase, as a share of one core."""

    cores: list[float] = field(default_factory=list)

    @property
    def saturated(self) -> bool:
        return any(c >= SATURATED for c in self.cores)

    def as_dict(self) -> dict[str, Any]:
        return {"cpu_cores": [round(c, 2) for c in self.cores], "saturated": self.saturated}


class LoadGen:
    def __init__(self, procs: list[asyncio.subprocess.Process]) -> None:
        self._procs = procs
        self._mark: list[dict[str, float]] = [{} for _ in procs]
        self._steps = 0

    def new_step(self) -> int:
        """A step id never used before in this run, so receipts of phases never mix."""
        self._steps += 1
        return self._steps

    @property
    def size(self) -> int:
        return len(self._procs)

    @classmethod
    async def start(cls, n: int) -> LoadGen:
        procs = [
            await asyncio.create_subprocess_exec(
                "node",
                "--max-old-space-size=4096",
                str(LOADGEN_DIR / "loadgen.mjs"),
                str(i),
                cwd=LOADGEN_DIR,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "NODE_ENV": "production"},
                limit=64 * 1024 * 1024,
            )
            for i in range(n)
        ]
        gen = cls(procs)
        await gen.begin()
        return gen

    async def _call(self, i: int, cmd: dict[str, Any]) -> dict[str, Any]:
        proc = self._procs[i]
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write(orjson.dumps(cmd) + b"\n")
        await proc.stdin.drain()
        line = await proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load generator {i} exited (code {proc.returncode})")
        reply: dict[str, Any] = orjson.loads(line)
        if not reply.get("ok"):
            raise RuntimeError(f"load generator {i}: {reply.get('error')}")
        return reply

    async def each(self, cmds: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(self._call(i, c) for i, c in enumerate(cmds))))

    async def all(self, cmd: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.each([cmd] * self.size)

    async def begin(self) -> None:
        """Start a CPU accounting window in every process."""
        replies = await self.all({"cmd": "ping"})
        self._mark = [r["usage"] for r in replies]

    def usage(self, replies: list[dict[str, Any]], key: str = "usage") -> Usage:
        """CPU share of one core each process used since `begin`, up to the replies' `key`."""
        cores = []
        for mark, reply in zip(self._mark, replies, strict=True):
            u = reply[key]
            wall = u["wall_ms"] - mark["wall_ms"]
            cores.append((u["cpu_ms"] - mark["cpu_ms"]) / wall if wall > 0 else 0.0)
        return Usage(cores)

    async def usage_now(self) -> Usage:
        return self.usage(await self.all({"cmd": "ping"}))

    def shard(self, items: list[Any]) -> list[list[tuple[int, Any]]]:
        """(local index, item) per process, client i in process i % n."""
        out: list[list[tuple[int, Any]]] = [[] for _ in self._procs]
        for i, item in enumerate(items):
            out[i % self.size].append((len(out[i % self.size]), item))
        return out

    def locate(self, client: int) -> tuple[int, int]:
        """(process, local index) of a global client index."""
        return client % self.size, client // self.size

    async def connect(
        self, clients: list[ClientSpec], *, concurrency: int = 100, deflate: bool = True
    ) -> dict[str, Any]:
        shards = self.shard(clients)
        replies = await self.each(
            [
                {
                    "cmd": "connect",
                    "clients": [{"url": c.url, "auth": c.auth} for _, c in shard],
                    "concurrency": concurrency,
                    "deflate": deflate,
                }
                for shard in shards
            ]
        )
        errors = [e for r in replies for e in r["errors"]]
        return {
            "connected": sum(r["connected"] for r in replies),
            "failed": sum(r["failed"] for r in replies),
            "seconds": max(r["ms"] for r in replies) / 1000,
            "errors": errors[:5],
            "loadgen_rss": [r["usage"]["rss"] for r in replies],
        }

    async def disconnect(self) -> None:
        await self.all({"cmd": "disconnect"})

    async def stats(self, step: int, *, forget: bool = True) -> Received:
        replies = await self.all({"cmd": "stats", "step": step, "forget": forget})
        return Received.merge(replies)

    async def close(self) -> None:
        for proc in self._procs:
            with contextlib.suppress(Exception):
                assert proc.stdin is not None
                proc.stdin.write(b'{"cmd":"quit"}\n')
                await proc.stdin.drain()
                proc.stdin.close()
        for proc in self._procs:
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()


@dataclass
class Received:
    """Receipts of one step, merged over every load generator process."""

    count: int
    hist: Counter[float]
    first: float | None
    last: float | None
    track: dict[str, dict[str, float]]

    @classmethod
    def merge(cls, replies: list[dict[str, Any]]) -> Received:
        hist: Counter[float] = Counter()
        track: dict[str, dict[str, float]] = {}
        firsts, lasts = [], []
        for r in replies:
            for k, v in r["hist"].items():
                hist[float(k)] += v
            if r["first"] is not None:
                firsts.append(r["first"])
                lasts.append(r["last"])
            for cmid, m in (r.get("track") or {}).items():
                t = track.setdefault(cmid, {"n": 0, "max": 0.0})
                t["n"] += m["n"]
                t["max"] = max(t["max"], m["max"])
        return cls(
            count=sum(r["received"] for r in replies),
            hist=hist,
            first=min(firsts) if firsts else None,
            last=max(lasts) if lasts else None,
            track=track,
        )

    def percentile(self, p: float) -> float | None:
        return percentile(self.hist, p)

    def latency(self) -> dict[str, float | None]:
        return {f"p{int(p)}": self.percentile(p) for p in (50, 95, 99)} | {
            "max": max(self.hist) if self.hist else None
        }


def percentile(hist: Counter[float], p: float) -> float | None:
    total = sum(hist.values())
    if not total:
        return None
    rank = p / 100 * total
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)
