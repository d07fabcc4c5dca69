"""The SPA in a real browser: `frontend/e2e/` (node --test, playwright-core, Debian chromium)
against the distributed system as real processes — two gateways, a worker, PostgreSQL, Redis.

Alice's browser talks to gateway A, Bob's to gateway B. The suite restarts the whole system in
the middle through a small control endpoint served here (`CHATTY_CONTROL_URL`): `POST /stop`
kills every gateway and the worker, `POST /start` starts them again on the same ports.

Needs `frontend/dist` and `frontend/node_modules` (`make test` builds them) and chromium (`make
test` installs it when root). Missing, they skip the test on a developer's machine and fail it
under CI. Screenshots go to a temporary directory, or to $SCREENSHOT_DIR (`make screenshots`).
"""

from __future__ import annotations

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

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(720)]

FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
# Five suites (chat, conversations, daily, files, moderation); room for a busy machine.
NODE_TIMEOUT = 660


def _require(ok: bool, why: str) -> None:
    """A missing prerequisite fails under CI (it must run there) and skips elsewhere."""
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def prerequisites() -> None:
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


def test_spa_in_a_browser_across_two_gateways_and_a_restart(
    prerequisites: None, cluster: Callable[..., Cluster], tmp_path: Path
) -> None:
    # One file store for every gateway (as compose's shared volume): an upload through gateway A
    # is served by gateway B (the files suite).
    c = cluster(CHATTY_WORKER_METRICS_PORT="0", CHATTY_STORAGE_URL=f"file://{tmp_path}/files")
    gateway_a, gateway_b = c.gateway(), c.gateway()
    worker = c.worker()
    # A gateway that refuses sends once anything has waited 200 ms (PROTOCOL §6 "Overload"): the
    # moderation suite stops the worker through it and sees the SPA retry by itself.
    shared_env = dict(c.env)
    c.env["CHATTY_DELIVERY_BUDGET_MS"] = "400"
    gateway_busy = c.gateway()
    c.env = shared_env
    control = Control(c, [gateway_a, gateway_b, worker])
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots").resolve()
    with control_server(control) as control_url:
        env = {
            **os.environ,
            "CHATTY_URL": gateway_a.url,
            "CHATTY_URL_B": gateway_b.url,
            "CHATTY_URL_BUSY": gateway_busy.url,
            "CHATTY_CONTROL_URL": control_url,
            "SCREENSHOT_DIR": str(shots),
            "CHROMIUM_PATH": CHROMIUM,
        }
        env.pop("E2E_HEADED", None)
        started = time.monotonic()
        done = subprocess.run(
            ["node", "--test", "--test-concurrency=1", "frontend/e2e/"],
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
    print(f"browser suite: {counts} in {took:.1f}s; screenshots in {shots}")
    assert done.returncode == 0, report
    assert counts.get("pass", 0) > 0, f"the browser suite ran no test\n{report}"
    assert counts.get("fail", -1) == 0, report
    assert counts.get("cancelled", 0) == 0, report
    assert counts.get("skipped", 0) == 0, f"every step must run\n{report}"
    assert control.history == ["stop", "start"], "the suite restarted the system once"
    assert control.worker_history == ["stop", "start"], "the overload step stopped the worker once"
    assert all(p.alive() for p in [*control.procs, gateway_busy]), c.logs()
