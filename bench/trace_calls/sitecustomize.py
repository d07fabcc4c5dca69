"""Time every PostgreSQL and Redis call of each Python process started with this folder on
`PYTHONPATH` and `BENCH_TRACE_DIR` set (bench/README.md, "Timing every call").

Python imports `sitecustomize` at start-up, so the bench's chatty processes are traced without
a change to their code. Each process writes `calls-<pid>-<role>.json` to `BENCH_TRACE_DIR`
every two seconds: per statement (its first 90 characters) or Redis command, the number of
calls and the seconds spent awaiting them, as the caller saw them (round trip included).
The garbage collector's passes are counted the same way (`gc gen0` … `gc gen2`: passes and
seconds, every other thread of the process stopped meanwhile).
`python -m bench.trace_report DIR` prints the tables.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

_OUT = os.environ.get("BENCH_TRACE_DIR")
_calls: defaultdict[str, list[float]] = defaultdict(lambda: [0, 0.0])


def _timed(cls: type, name: str, key: Callable[[Any, tuple[Any, ...]], str]) -> None:
    original = getattr(cls, name)

    async def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            seen = _calls[key(self, args)]
            seen[0] += 1
            seen[1] += time.perf_counter() - started

    setattr(cls, name, timed)


def _time_collections() -> None:
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        seen = _calls[f"gc gen{info['generation']}"]
        seen[0] += 1
        seen[1] += time.perf_counter() - started[0]

    gc.callbacks.append(timed)


def _sql(text: Any) -> str:
    return " ".join(str(text).split())[:90]


def _dump(path: Path) -> None:
    while True:
        time.sleep(2)
        path.write_text(json.dumps(dict(_calls)))


def _install(out: str) -> None:
    import asyncpg.connection
    import asyncpg.prepared_stmt
    import redis.asyncio.client

    _timed(asyncpg.connection.Connection, "_execute", lambda s, a: "pg " + _sql(a[0]))
    _timed(asyncpg.prepared_stmt.PreparedStatement, "fetch", lambda s, a: "pg " + _sql(s._query))
    _timed(redis.asyncio.client.Redis, "execute_command", lambda s, a: f"redis {a[0]}")
    _timed(
        redis.asyncio.client.Pipeline,
        "execute",
        lambda s, a: "redis pipeline " + ",".join(sorted({str(c[0][0]) for c in s.command_stack})),
    )
    _time_collections()
    role = "-".join(a for a in sys.argv[1:2] if not a.startswith("-")) or "bench"
    path = Path(out) / f"calls-{os.getpid()}-{role}.json"
    threading.Thread(target=_dump, args=(path,), daemon=True).start()


if _OUT:
    _install(_OUT)
