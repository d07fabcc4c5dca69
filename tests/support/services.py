"""PostgreSQL and Redis for the tests and the benchmarks.

The machine's own services (5432, 6379; `make services` starts them) must answer; the tests and
the benchmarks each get a scratch database there. A test that stops, kills or restarts a server
gets a private one instead: run from a temporary directory on a free port, with the production
durability settings (Redis: AOF, fsync every second — as `docker-compose.yml`), removed after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from tests.support.procs import free_port, migrate, wait_port

T = TypeVar("T")

PG_ADMIN = os.environ.get("CHATTY_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("CHATTY_TEST_REDIS", "redis://127.0.0.1:6379")


def xdist_worker() -> int:
    """This process's pytest-xdist worker number (`gw3` → 3); 0 without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def redis_test_db() -> int:
    """The Redis database of this test process: CHATTY_TEST_REDIS_DB (default 15) for a plain
    run, counted down by the xdist worker number, so parallel workers never flush each other's
    data; database 0 (the one an application uses by default) is never one of them."""
    db = int(os.environ.get("CHATTY_TEST_REDIS_DB", "15")) - xdist_worker()
    if db < 1:
        raise RuntimeError(
            f"CHATTY_TEST_REDIS_DB leaves worker {xdist_worker()} no database above 0:"
            " raise it or run fewer xdist workers"
        )
    return db


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(name: str, host: str, port: int) -> None:
    """A missing service fails the run (under CI and locally alike): never a silent skip."""
    import pytest  # only the tests call this; the benchmarks run without pytest loaded

    if not reachable(host, port):
        pytest.fail(
            f"{name} is not answering on {host}:{port}; `make services` starts it",
            pytrace=False,
        )


async def create_database(
    admin_url: str = PG_ADMIN, prefix: str = "chatty_test", *, template: str | None = None
) -> str:
    """A new database on the server of `admin_url`, empty or a copy of `template` (the URL of
    a database nobody is connected to); returns its URL. Each test process (each xdist worker)
    makes its own, named after the worker to be told apart when one leaks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{prefix}_{worker + '_' if worker else ''}{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(url: str, admin_url: str = PG_ADMIN) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# The run's shared database is no empty installation: its first account is this admin, who
# never signs in (no usable password), so no test's user becomes a workspace admin by being
# the first to register there, and none can close registration for the tests after it.
SEED_ADMIN = (
    "INSERT INTO users (username, display_name, password_hash, recovery_hash, session_version,"
    " created_at, is_admin) VALUES ('workspace-admin', 'Workspace admin', '!', '!', 0, now(),"
    " true)"
)


def register_first_account(base_url: str) -> None:
    """SEED_ADMIN for an installation of its own (`chatty run`): its first account, registered
    through the API (so the workspace admin), with a password no test knows."""
    body = json.dumps({"username": "workspace-admin", "password": secrets.token_hex(16)})
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/register",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        assert json.load(resp)["user"]["is_admin"], "the first account is the workspace admin"


async def execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# ---- private servers, for the tests that stop, kill and restart them -----------------------

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = Path(os.environ.get("CHATTY_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass
class PrivateRedis:
    """`redis-server` with AOF in a directory of its own; `restart` keeps the data."""

    dir: Path
    port: int = field(default_factory=free_port)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.dir / "redis.log").open("ab")
        # The production durability settings (docker-compose.yml): AOF, fsync every second.
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "dir": str(self.dir),
            "appendonly": "yes",
            "appendfsync": "everysec",
            "save": "",
            "daemonize": "no",
        }
        self.popen = subprocess.Popen(
            [
                REDIS_SERVER,
                *(arg for name, value in options.items() for arg in (f"--{name}", value)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_port(self.port, up=True)
        self._wait_loaded()

    def _wait_loaded(self, timeout: float = 20) -> None:
        """A restarted Redis answers LOADING while it replays the AOF."""
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.exceptions.BusyLoadingError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown (the AOF is flushed); SIGKILL: a crash."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.popen = None
        wait_port(self.port, up=False)

    def restart(self, down_for: float = 0.0, sig: signal.Signals = signal.SIGTERM) -> None:
        self.stop(sig)
        time.sleep(down_for)
        self.start()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb into a temporary directory, trust auth).

    PostgreSQL refuses to run as root, so under root the cluster belongs to `postgres`.
    """

    dir: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/chatty"

    def _run(self, tool: str, *args: str) -> None:
        """A PostgreSQL program, as `postgres` when we are root (the server refuses root)."""
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        # Durability off (fsync): a restart is a clean stop, and the tests want speed.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.dir / "pg.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: sessions are cut (clients see AdminShutdown); `immediate`: a crash."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        wait_port(self.port, up=False)

    def restart(self, down_for: float = 0.0, mode: str = "fast") -> None:
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def create_and_migrate(self) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "chatty")
        migrate(self.url, self.dir / "migrate.log")


def _tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(_tempdir("chatty-redis-"))
    try:
        server.start()
        yield server
    finally:
        server.stop(signal.SIGKILL)
        shutil.rmtree(server.dir, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Initialised, started and migrated by `chatty migrate` (about 2 s)."""
    server = PrivatePostgres(_tempdir("chatty-pg-"))
    try:
        server.init()
        server.start()
        server.create_and_migrate()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop("immediate")
        shutil.rmtree(server.dir, ignore_errors=True)
