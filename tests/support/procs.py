"""Processes on free ports, started like an operator would and stopped or killed: the one
helper of the tests (`tests.support.procs`) and of the benchmarks (`python -m bench`, from the
repository root). Logs go to a file per process; a process that dies early says so with its log.
"""

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
    "CHATTY_SESSIONS_PER_ADDRESS": "1000000",
    "CHATTY_SOCKETS_PER_USER": "100000",
    "CHATTY_DELIVERY_BUDGET_MS": "120000",  # a worker restarted under load: minutes, not 5 s
    "CHATTY_ROOM_LIST_PER_MINUTE": "1000000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, *, up: bool, timeout: float = 20) -> None:
    """Until something listens on 127.0.0.1:`port` (`up`), or nothing does any more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} not {'up' if up else 'down'} after {timeout}s")


def chatty(*args: str) -> list[str]:
    """The argv of a `chatty` command run by this interpreter (no installed script needed)."""
    return [sys.executable, "-m", "chatty.cli", *args]


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without chatty's settings (a developer's own must not leak
    into a child), plus `extra`."""
    settings = ("CHATTY_", "DATABASE_URL", "REDIS_URL", "JWT_SECRET")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(settings)}, **extra}


@dataclass
class Proc:
    """One child process; `port` is set for the ones that accept connections."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye — a crash."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM and its exit status; past `timeout` it is killed and TimeoutExpired raised."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
                raise
        return int(self.popen.returncode)

    def stop(self, timeout: float = 10) -> None:
        """`terminate`, killing it if it does not exit in time."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.terminate(timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self) -> str:
        return self.log()[-4000:]


def spawn(
    name: str, argv: list[str], *, env: dict[str, str], log_dir: Path, port: int | None = None
) -> Proc:
    """Start `argv` in the repository with exactly `env`; output appended to `<name>.log`."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log_file:  # the child keeps its own descriptor
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return Proc(name, popen, log_path, port, list(argv), dict(env))


def respawn(proc: Proc) -> Proc:
    """The same command again: same name, argv, environment, port and log file."""
    return spawn(proc.name, proc.argv, env=proc.env, log_dir=proc.log_path.parent, port=proc.port)


def wait_healthy(proc: Proc, timeout: float = 60) -> None:
    """Until `proc` answers 200 on /healthz."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(f"{proc.url}/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{proc.name} not healthy in {timeout}s:\n{proc.tail()}")


def wait_for_log(proc: Proc, needle: str, timeout: float = 60, *, after: int = 0) -> float:
    """Until `needle` is in the log past its first `after` characters; returns when it was seen
    (time.monotonic())."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in proc.log()[after:]:
            return time.monotonic()
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.tail()}")
        time.sleep(0.05)
    raise TimeoutError(f"{proc.name}: no {needle!r} in {timeout}s:\n{proc.tail()}")


def migrate(database_url: str, log_path: Path | None = None) -> None:
    """`chatty migrate` on that database; its output to `log_path`, or shown if it fails."""
    env = clean_env({"DATABASE_URL": database_url, "CHATTY_LOG_FORMAT": "json"})
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log_path.open("ab")) if log_path else subprocess.PIPE
        done = subprocess.run(
            chatty("migrate"), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if done.returncode != 0:
        output = (done.stdout or b"").decode(errors="replace")
        raise RuntimeError(f"chatty migrate failed ({done.returncode}):\n{output}")


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

    def _spawn(
        self, name: str, args: list[str], port: int | None, extra: dict[str, str] | None = None
    ) -> Proc:
        env = clean_env({**(extra or {}), **self.env, "CHATTY_LOG_FORMAT": "json"})
        proc = spawn(name, chatty(*args), env=env, log_dir=self.tmp, port=port)
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
        # A metrics port of its own unless the test sets one: never the machine's 9100 (a
        # node_exporter's default, or another run's worker).
        own = {"CHATTY_WORKER_METRICS_PORT": str(free_port())}
        proc = self._spawn(f"worker{n}", ["worker"], None, own)
        wait_for_log(proc, "worker_started")
        return proc

    def restart(self, *procs: Proc) -> list[Proc]:
        """Kill those of `procs` still running, then start them again, all at once: same names,
        commands, ports and logs. Returns the new processes (they replace the old ones in
        `procs`) once they serve: a gateway answers /healthz, a worker has logged its start.
        """
        for proc in procs:
            proc.kill()
        fresh: list[tuple[Proc, int]] = []
        for proc in procs:
            seen = len(proc.log())
            self.procs[self.procs.index(proc)] = new = respawn(proc)
            fresh.append((new, seen))
        for new, seen in fresh:
            if new.port is not None:
                wait_healthy(new)
            else:
                wait_for_log(new, "worker_started", after=seen)
        return [new for new, _ in fresh]

    def stop(self) -> None:
        """SIGTERM to all at once, then wait for each (killed past 10 s): a worker finishes its
        blocking read first (up to a second), and the others need not queue behind it."""
        for proc in self.procs:
            if proc.alive():
                proc.popen.send_signal(signal.SIGTERM)
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(10)
            proc.kill()  # only if still running

    def logs(self) -> str:
        return "\n".join(f"===== {p.name}\n{p.tail()}" for p in self.procs)
