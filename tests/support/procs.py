"""Start `chatty` processes on free ports, like an operator would, and stop or kill them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "test-secret-" + "x" * 40
# Every client of a test run comes from 127.0.0.1 and shares the limiter's Redis database, so
# the per-user and per-address limits are lifted; the tests of the limits set their own. The
# delivery budget is wide: admission control has its own test, the others test delivery.
TEST_LIMITS = {
    "CHATTY_MESSAGE_RATE": "100000",
    "CHATTY_MESSAGE_BURST": "100000",
    "CHATTY_REGISTRATIONS_PER_HOUR": "100000",
    "CHATTY_READ_RATE": "100000",
    "CHATTY_READ_BURST": "100000",
    "CHATTY_LIVE_EVENTS_PER_SECOND": "100000",
    "CHATTY_ROOM_CHANGES_PER_MINUTE": "1000000",
    "CHATTY_HANDSHAKES_PER_MINUTE": "1000000",
    "CHATTY_SOCKETS_PER_USER": "100000",
    "CHATTY_DELIVERY_BUDGET_MS": "10000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None
    args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye — a crash."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def terminate(self, timeout: float = 15) -> int:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
                raise
        return int(self.popen.returncode)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Cluster:
    """Gateways and workers sharing one database and one Redis stream of their own."""

    tmp: Path
    env: dict[str, str]
    procs: list[Proc] = field(default_factory=list)

    @classmethod
    def distributed(cls, tmp: Path, *, database_url: str, redis_url: str, **extra: str) -> Cluster:
        tag = uuid.uuid4().hex[:8]
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "JWT_SECRET": JWT_SECRET,
            # Each cluster gets its own stream and channel: tests never see each other.
            "CHATTY_INBOUND_STREAM": f"chat.inbound.test.{tag}",
            "CHATTY_SOCKETIO_CHANNEL": f"chatty.test.{tag}",
            "CHATTY_CLAIM_IDLE_MS": "1500",
            **TEST_LIMITS,
            **extra,
        }
        return cls(tmp, env)

    @classmethod
    def embedded(cls, tmp: Path, **extra: str) -> Cluster:
        env = {
            "CHATTY_DATA_DIR": str(tmp / "data"),
            **TEST_LIMITS,
            **extra,
        }
        return cls(tmp, env)

    def _spawn(self, name: str, args: list[str], port: int | None) -> Proc:
        log_path = self.tmp / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATTY_", "DATABASE_URL"))}
        env.pop("REDIS_URL", None)
        env.update(self.env)
        env.update({"CHATTY_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"})
        with log_path.open("ab") as log_file:  # the child keeps its own descriptor
            popen = subprocess.Popen(
                [sys.executable, "-m", "chatty.cli", *args],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        proc = Proc(name, popen, log_path, port, list(args))
        self.procs.append(proc)
        return proc

    def gateway(self, *, command: str = "gateway") -> Proc:
        port = free_port()
        n = sum(p.name.startswith(command) for p in self.procs)
        proc = self._spawn(f"{command}{n}", [command, "--port", str(port)], port)
        wait_healthy(proc)
        return proc

    def worker(self) -> Proc:
        n = sum(p.name.startswith("worker") for p in self.procs)
        proc = self._spawn(f"worker{n}", ["worker"], None)
        wait_for_log(proc, "worker_started")
        return proc

    def restart(self, *procs: Proc) -> list[Proc]:
        """Kill those of `procs` still running, then start them again, all at once: same names,
        arguments, ports and logs. Returns the new processes (they replace the old ones in
        `procs`) once they serve: a gateway answers /healthz, a worker has logged its start.
        """
        for proc in procs:
            proc.kill()
        fresh: list[tuple[Proc, int]] = []
        for proc in procs:
            seen = len(proc.log())
            self.procs.remove(proc)
            fresh.append((self._spawn(proc.name, proc.args, proc.port), seen))
        for new, seen in fresh:
            if new.port is not None:
                wait_healthy(new)
            else:
                wait_for_log(new, "worker_started", after=seen)
        return [new for new, _ in fresh]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.alive():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.terminate(10)

    def logs(self) -> str:
        return "\n".join(f"===== {p.name}\n{p.log()[-4000:]}" for p in self.procs)


def wait_healthy(proc: Proc, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log()}")
        try:
            with urllib.request.urlopen(f"{proc.url}/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{proc.name} not healthy in {timeout}s:\n{proc.log()}")


def wait_for_log(proc: Proc, needle: str, timeout: float = 30, *, after: int = 0) -> None:
    """Wait for `needle` in the log, looking only past its first `after` characters."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in proc.log()[after:]:
            return
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log()}")
        time.sleep(0.1)
    raise TimeoutError(f"{proc.name}: no {needle!r} in {timeout}s:\n{proc.log()}")
