"""The systems under test — chatty (2 gateways + 1 worker) and the two relay peers (2 nodes each) —
and the scratch database they share: created for the run, migrated by `chatty migrate`, seeded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.loadgen import ClientSpec
from tests.support.procs import (
    ROOT,
    Proc,
    chatty,
    clean_env,
    free_port,
    migrate,
    spawn,
    wait_for_log,
    wait_healthy,
)
from tests.support.services import create_database, drop_database

JWT_SECRET = "bench-secret-" + "b" * 40
NODE_RELAY_DIR = ROOT / "bench" / "peer" / "node"


def ensure_node_modules(directory: Path) -> None:
    """`npm ci` where node_modules is missing or older than the lock file."""
    stamp = directory / "node_modules" / ".package-lock.json"
    lock = directory / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=directory, check=True
    )


# ---- the scratch database -------------------------------------------------------------------


@dataclass
class Database:
    admin_url: str
    url: str

    @classmethod
    async def create(cls, admin_url: str) -> Database:
        return cls(admin_url, await create_database(admin_url, prefix="chatty_bench"))

    def migrate(self, log_dir: Path) -> None:
        migrate(self.url, log_dir / "migrate.log")

    async def drop(self) -> None:
        await drop_database(self.url, self.admin_url)


# ---- the population: users, rooms, memberships ----------------------------------------------


@dataclass
class Population:
    """Users and rooms, by index. `rooms_of[u]` lists the room ids user index u is a member of."""

    user_ids: list[int]
    tokens: list[str]
    throughput_rooms: list[tuple[int, list[int]]]  # (room id, member user indexes)
    fanout_room: tuple[int, list[int]]
    persist_rooms: list[tuple[int, list[int]]]
    rooms_of: list[list[int]] = field(default_factory=list)


async def seed(
    db_url: str, *, users: int, rooms: int, members: int, fanout: int, notify: str = ""
) -> Population:
    """Users, rooms and memberships through chatty's own models (so they follow the schema).

    Passwords are never used (the benchmark mints access tokens with the run's JWT secret), so
    users get a placeholder hash instead of an argon2 one: registering 10,000 users through the
    API would cost ~1,000 CPU-seconds of argon2 and measure nothing we care about here.
    """
    from dataclasses import replace

    from tortoise import connections
    from tortoise.transactions import in_transaction

    from backend.accounts.models import User
    from backend.accounts.tokens import issue_access
    from backend.infra.db import open_database
    from backend.rooms.models import Membership, Room
    from backend.settings.config import Settings

    settings = replace(Settings(jwt_secret=JWT_SECRET), database_url=db_url)
    tag = uuid.uuid4().hex[:6]
    async with open_database(settings):
        async with in_transaction():
            await User.bulk_create(
                [
                    User(
                        username=f"b{tag}{i}",
                        display_name=f"Bench user {i}",
                        password_hash="!bench",
                        recovery_hash="!bench",
                    )
                    for i in range(users)
                ],
                batch_size=2000,
            )
        ids: list[int] = (
            await User.filter(username__startswith=f"b{tag}")
            .order_by(  # type: ignore[assignment]
                "id"
            )
            .values_list("id", flat=True)
        )
        ids = sorted(ids)

        async def make_rooms(
            name: str, groups: list[list[int]], *, accepted: bool = False
        ) -> list[tuple[int, list[int]]]:
            made = []
            for group in groups:
                room = await Room.create(name=name, kind="private")
                made.append((int(room.id), group))
            await Membership.bulk_create(
                [
                    Membership(
                        room_id=rid, user_id=ids[u], notify=notify or None, accepted=accepted
                    )
                    for rid, g in made
                    for u in g
                ],
                batch_size=2000,
            )
            return made

        tp = await make_rooms(
            "throughput", [list(range(r * members, (r + 1) * members)) for r in range(rooms)]
        )
        (fan,) = await make_rooms("fan-out", [list(range(fanout))])
        persist = await make_rooms(
            "persistence", [list(range(r * members, (r + 1) * members)) for r in range(rooms)]
        )
        # Every user is in a small room of ten they chose, as connected users usually are
        # somewhere: a connect reads nine presence peers and tells those online.
        await make_rooms(
            "idle",
            [list(range(i, min(i + 10, users))) for i in range(0, users, 10)],
            accepted=True,
        )
        # Statistics, as autovacuum keeps them in a live database: without them the planner
        # scans whole tables for queries an index answers.
        await connections.get("default").execute_script("ANALYZE")
    rooms_of: list[list[int]] = [[] for _ in range(users)]
    for rid, group in [*tp, fan, *persist]:
        for u in group:
            rooms_of[u].append(rid)
    tokens = [issue_access(JWT_SECRET, user_id=uid, session_version=0, ttl=6 * 3600) for uid in ids]
    return Population(ids, tokens, tp, fan, persist, rooms_of)


# ---- the systems ----------------------------------------------------------------------------


@dataclass
class System:
    """Two nodes that hold connections (+ whatever else runs: chatty's worker)."""

    name: str
    nodes: list[Proc]
    others: list[Proc]
    population: Population
    persists: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def procs(self) -> list[Proc]:
        return [*self.nodes, *self.others]

    def client(self, user: int, node: int) -> ClientSpec:
        """User index `user` connecting to node `node`."""
        url = self.nodes[node % len(self.nodes)].url
        if self.persists:
            return ClientSpec(url, {"token": self.population.tokens[user]})
        return ClientSpec(
            url,
            {
                "user_id": self.population.user_ids[user],
                "rooms": self.population.rooms_of[user],
            },
        )

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop()

    def check_alive(self) -> None:
        for proc in self.procs:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} died:\n{proc.log()[-3000:]}")


def chatty_env(db_url: str, redis_url: str, tag: str) -> dict[str, str]:
    env = clean_env(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "JWT_SECRET": JWT_SECRET,
            "CHATTY_INBOUND_STREAM": f"chat.inbound.bench.{tag}",
            "CHATTY_SOCKETIO_CHANNEL": f"chatty.bench.{tag}",
            # The benchmark's senders are far above a person's 20/s: lift the per-user limit.
            "CHATTY_MESSAGE_RATE": "1000000",
            "CHATTY_MESSAGE_BURST": "1000000",
            "CHATTY_INBOUND_MAX_LEN": "1000000",
            # Thousands of sockets from 127.0.0.1 within seconds, several per user.
            "CHATTY_HANDSHAKES_PER_MINUTE": "10000000",
            "CHATTY_SESSIONS_PER_ADDRESS": "10000000",
            "CHATTY_SOCKETS_PER_USER": "100000",
            "CHATTY_READ_RATE": "1000000",
            "CHATTY_READ_BURST": "1000000",
            "CHATTY_ROOM_CHANGES_PER_MINUTE": "10000000",
            "CHATTY_LOG_FORMAT": "json",
        }
    )
    # An A/B of one setting (bench/README "2026-12-03"): BENCH_CHATTY_X=v sets CHATTY_X=v.
    for name, value in os.environ.items():
        if name.startswith("BENCH_CHATTY_"):
            env[name.removeprefix("BENCH_")] = value
    return env


def start_chatty(
    population: Population, *, db_url: str, redis_url: str, log_dir: Path, workers: int = 1
) -> System:
    env = chatty_env(db_url, redis_url, uuid.uuid4().hex[:8])
    nodes = _nodes(
        "chatty-gateway", lambda port: chatty("gateway", "--port", str(port)), env, log_dir
    )
    others = [
        spawn(f"chatty-worker{i}", chatty("worker"), env=env, log_dir=log_dir)
        for i in range(workers)
    ]
    system = System("chatty", nodes, others, population, persists=True, extra={"env": env})
    return _started(system)


def start_python_relay(population: Population, *, redis_url: str, log_dir: Path) -> System:
    channel = f"bench.python.{uuid.uuid4().hex[:8]}"

    def argv(port: int) -> list[str]:
        return [
            *(sys.executable, "-m", "bench.peer.python_relay"),
            *("--port", str(port), "--redis", redis_url, "--channel", channel),
        ]

    nodes = _nodes("python-relay", argv, clean_env({}), log_dir)
    return _started(System("python-relay", nodes, [], population, persists=False))


def start_node_relay(population: Population, *, redis_url: str, log_dir: Path) -> System:
    channel = f"bench.node.{uuid.uuid4().hex[:8]}"
    env = clean_env({"REDIS_URL": redis_url, "CHANNEL": channel, "NODE_ENV": "production"})
    nodes = _nodes(
        "node-relay",
        lambda port: ["node", str(NODE_RELAY_DIR / "server.mjs")],
        env,
        log_dir,
        port_env="PORT",
    )
    return _started(System("node-relay", nodes, [], population, persists=False))


def _nodes(
    name: str,
    argv: Callable[[int], list[str]],
    env: dict[str, str],
    log_dir: Path,
    *,
    port_env: str | None = None,
) -> list[Proc]:
    """Two nodes on free ports: the port in their argv, or in `port_env`."""
    nodes = []
    for i in range(2):
        port = free_port()
        own = {**env, port_env: str(port)} if port_env else env
        nodes.append(spawn(f"{name}{i}", argv(port), env=own, log_dir=log_dir, port=port))
    return nodes


def _started(system: System) -> System:
    """Once every node answers /healthz and every worker has started; stopped if one fails."""
    try:
        for node in system.nodes:
            wait_healthy(node)
        for worker in system.others:
            wait_for_log(worker, "worker_started")
    except Exception:
        system.stop()
        raise
    return system


async def forget_redis_keys(redis_url: str, env: dict[str, str]) -> None:
    """Delete what a chatty system left in Redis: its streams, dead letters, leases, turns."""
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        stream = env["CHATTY_INBOUND_STREAM"]
        channel = env["CHATTY_SOCKETIO_CHANNEL"]
        keys = [stream]  # partition 0; the others, the dead letters and the leases are below it
        keys += [k async for k in redis.scan_iter(match=f"{stream}.*", count=1000)]
        keys += [k async for k in redis.scan_iter(match=f"{channel}*", count=1000)]
        await redis.delete(*keys)
    finally:
        await redis.aclose()


async def persisted_rows(conn: asyncpg.Connection, room_ids: list[int]) -> int:
    """Messages stored in these rooms (each room's `last_seq`, which the worker advances)."""
    value = await conn.fetchval(
        "SELECT coalesce(sum(last_seq), 0) FROM rooms WHERE id = ANY($1::bigint[])", room_ids
    )
    return int(value)
