"""The SPA in a real browser: one suite of `frontend/e2e/` (node --test, playwright-core, Debian
chromium) against the distributed system as real processes — two gateways, a worker,
PostgreSQL, Redis. Each suite is a test file of its own (`tests/e2e/test_browser_*.py`) with a
cluster of its own, so xdist runs the suites side by side instead of one after the other.

Alice's browser talks to gateway A, Bob's to gateway B. A suite may stop and start the system
through a small control endpoint served here (`CHATTY_CONTROL_URL`): `POST /stop` kills every
gateway and the worker, `POST /start` starts them again on the same ports; `POST /worker/stop`
and `POST /worker/start` do it to the worker alone.

Needs `frontend/dist` and `frontend/node_modules` (`make test` builds them) and chromium (`make
test` installs it when root). Missing, they skip the test on a developer's machine and fail it
under CI. Screenshots go to a temporary directory, or to $SCREENSHOT_DIR (`make screenshots`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.procs import ROOT, Cluster, Proc

FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
# One suite takes 10-25 s on an idle 2-core machine; room for a busy one.
NODE_TIMEOUT = 300
# Browser suites of one run at the same time, whichever test processes they are on. Chromium is
# the hungriest process of the suite: four at once on 2 cores (and the other tests) starve it
# until its steps miss their 15 s timeouts (now 30 s: harness.mjs); two at once keep within them.
SLOTS = 2


def _require(ok: bool, why: str) -> None:
    """A missing prerequisite fails under CI (it must run there) and skips elsewhere."""
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


def require_prerequisites() -> None:
    assert shutil.which("node"), "node is required for the browser tests"
    _require(
        (FRONTEND / "dist" / "index.html").is_file(),
        "frontend/dist is not built: `make frontend` (make test does it)",
    )
    _require(
        (FRONTEND / "node_modules" / "playwright-core").is_dir(),
        "frontend/node_modules is missing: `cd frontend && npm ci` (make test does it)",
    )
    _require(
        os.access(CHROMIUM, os.X_OK),
        f"no chromium at {CHROMIUM}: `apt-get install -y --no-install-recommends chromium`"
        " (make test does it as root) or set CHROMIUM_PATH",
    )


class Control:
    """Stops and starts the cluster's processes on request of the browser suite."""

    def __init__(self, cluster: Cluster, procs: list[Proc]) -> None:
        self.cluster = cluster
        self.procs = procs
        self.lock = threading.Lock()
        self.history: list[str] = []
        self.worker_history: list[str] = []

    def stop(self) -> None:
        with self.lock:
            for proc in self.procs:
                proc.kill()  # SIGKILL: a crash, nothing closes its connections politely
            self.history.append("stop")

    def start(self) -> None:
        with self.lock:
            self.procs[:] = self.cluster.restart(*self.procs)
            self.history.append("start")

    def _worker(self) -> int:
        return next(i for i, p in enumerate(self.procs) if p.port is None)

    def stop_worker(self) -> None:
        with self.lock:
            self.procs[self._worker()].kill()
            self.worker_history.append("stop")

    def start_worker(self) -> None:
        with self.lock:
            i = self._worker()
            self.procs[i] = self.cluster.restart(self.procs[i])[0]
            self.worker_history.append("start")


@contextmanager
def control_server(control: Control) -> Iterator[str]:
    actions: dict[str, Callable[[], None]] = {
        "/stop": control.stop,
        "/start": control.start,
        "/worker/stop": control.stop_worker,
        "/worker/start": control.start_worker,
    }

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            action = actions.get(self.path)
            status, body = 404, {"ok": False, "error": f"unknown action {self.path}"}
            if action is not None:
                started = time.monotonic()
                try:
                    action()
                    status, body = 200, {"ok": True, "seconds": time.monotonic() - started}
                except Exception as exc:  # reported to the suite, which fails with it
                    status, body = 500, {"ok": False, "error": repr(exc)}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def summary(tap: str) -> dict[str, int]:
    """node --test's closing counters (`# pass 14`, `# fail 0` …)."""
    found = re.findall(r"^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$", tap, re.M)
    return {name: int(n) for name, n in found}


@contextmanager
def browser_slot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Until one of the run's SLOTS is free, then hold it. The slots are lock files in the run's
    temporary directory (shared by its xdist processes); without xdist there is one suite at a
    time anyway."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    shared = tmp_path_factory.getbasetemp().parent  # popen-gwN's parent: the run's directory
    while True:
        for slot in range(SLOTS):
            with (shared / f"browser-slot-{slot}.lock").open("a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
                return
        time.sleep(0.2)  # both slots busy: look again (a suite lasts tens of seconds)


def run_suite(
    suite: str,
    make_cluster: Callable[..., Cluster],
    tmp_path_factory: pytest.TempPathFactory,
    *,
    busy: bool = False,
    restarts: list[str] | None = None,
    worker_restarts: list[str] | None = None,
) -> None:
    """`frontend/e2e/<suite>.e2e.test.mjs` against two gateways and a worker of a cluster of its
    own (`make_cluster`: the `cluster` fixture); every step must pass. `busy`: a third gateway
    that refuses sends once anything has waited 400 ms (CHATTY_URL_BUSY, PROTOCOL §6
    "Overload"). `restarts` / `worker_restarts`: the control calls the suite must make. At most
    SLOTS suites run at once (`browser_slot`); the cluster starts once a slot is ours."""
    require_prerequisites()
    with browser_slot(tmp_path_factory):
        _run_suite(
            suite, make_cluster, tmp_path_factory.mktemp(suite), busy, restarts, worker_restarts
        )


def _run_suite(
    suite: str,
    make_cluster: Callable[..., Cluster],
    tmp_path: Path,
    busy: bool,
    restarts: list[str] | None,
    worker_restarts: list[str] | None,
) -> None:
    # One file store for every gateway (as compose's shared volume): an upload through gateway A
    # is served by gateway B (the files suite).
    cluster = make_cluster(
        CHATTY_WORKER_METRICS_PORT="0", CHATTY_STORAGE_URL=f"file://{tmp_path}/files"
    )
    gateway_a, gateway_b = cluster.gateway(), cluster.gateway()
    worker = cluster.worker()
    extra: dict[str, str] = {}
    others: list[Proc] = []
    if busy:
        shared_env = dict(cluster.env)
        cluster.env["CHATTY_DELIVERY_BUDGET_MS"] = "400"
        others.append(cluster.gateway())
        cluster.env = shared_env
        extra["CHATTY_URL_BUSY"] = others[0].url
    control = Control(cluster, [gateway_a, gateway_b, worker])
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots").resolve()
    with control_server(control) as control_url:
        env = {
            **os.environ,
            "CHATTY_URL": gateway_a.url,
            "CHATTY_URL_B": gateway_b.url,
            "CHATTY_CONTROL_URL": control_url,
            "SCREENSHOT_DIR": str(shots),
            "CHROMIUM_PATH": CHROMIUM,
            **extra,
        }
        env.pop("E2E_HEADED", None)
        started = time.monotonic()
        done = subprocess.run(
            ["node", "--test", f"frontend/e2e/{suite}.e2e.test.mjs"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
        took = time.monotonic() - started
    report = f"{done.stdout[-12000:]}\n{done.stderr[-4000:]}\nscreenshots: {shots}"
    counts = summary(done.stdout)
    print(f"browser suite {suite}: {counts} in {took:.1f}s; screenshots in {shots}")
    assert done.returncode == 0, report
    assert counts.get("pass", 0) > 0, f"the browser suite ran no test\n{report}"
    assert counts.get("fail", -1) == 0, report
    assert counts.get("cancelled", 0) == 0, report
    assert counts.get("skipped", 0) == 0, f"every step must run\n{report}"
    assert control.history == (restarts or []), "the system restarts the suite asked for"
    assert control.worker_history == (worker_restarts or []), "the worker restarts it asked for"
    assert all(p.alive() for p in [*control.procs, *others]), cluster.logs()
