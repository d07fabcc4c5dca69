"""Fixtures: real PostgreSQL and Redis (required, never mocked), processes, clients."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis

from backend.settings.config import Settings
from chatty.compose import gateway_app
from tests.support import services
from tests.support.clients import (
    SCHEMA_VIOLATIONS,
    Alone,
    Api,
    Connect,
    ConnectedPair,
    Live,
    Pair,
    pair_in_room,
)
from tests.support.installs import Installation, setting_env
from tests.support.procs import JWT_SECRET, TEST_LIMITS, Cluster, Proc, migrate

# A Redis database of the tests' own: flushed at the start of a run, never the default one.
# CHATTY_TEST_REDIS_DB lets two runs on one machine keep out of each other's way; each xdist
# worker counts down from it (gw0: that database, gw1: the one below, …).
REDIS_TEST_URL = f"{services.REDIS_BASE}/{services.redis_test_db()}"


@pytest.fixture(autouse=True)
def _events_match_their_schemas() -> Iterator[None]:
    """Every event a test's Socket.IO clients received matches its schema (fanout/schemas.py):
    the whole integration suite checks the documented event shapes, not only their own tests."""
    SCHEMA_VIOLATIONS.clear()
    yield
    seen = list(SCHEMA_VIOLATIONS)
    SCHEMA_VIOLATIONS.clear()
    assert not seen, f"events unlike their schema (event, errors, payload): {seen[:3]}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, the others in their usual order after them.

    `make test` runs with `--dist loadfile --no-loadscope-reorder`: xdist hands out whole files
    in this order, each to the next free test process. A long file handed out last would keep
    one process busy after the others have finished; started first, it runs alongside the
    short ones. A file's length is its `pytest.mark.seconds(n)`: roughly its wall time on one
    test process of `make test` on a 2-core machine (`--durations`); unmarked files count 0.
    """

    def seconds(item: pytest.Item) -> float:
        mark = item.get_closest_marker("seconds")
        return float(mark.args[0]) if mark else 0.0

    rank: dict[Path, tuple[float, int]] = {}
    for i, item in enumerate(items):
        cost, first = rank.get(item.path, (0.0, i))
        rank[item.path] = (max(cost, seconds(item)), first)
    items.sort(key=lambda item: (-rank[item.path][0], rank[item.path][1]))


@pytest.fixture(scope="session")
def redis_url() -> str:
    services.require("Redis", "127.0.0.1", 6379)
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    return REDIS_TEST_URL


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated by `chatty migrate` itself, with a
    workspace admin already (`services.SEED_ADMIN`)."""
    services.require("PostgreSQL", "127.0.0.1", 5432)
    url = services.run(services.create_database())
    migrate(url)
    services.run(services.execute(url, services.SEED_ADMIN))
    yield url
    services.run(services.drop_database(url))


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated database nobody connects to: `fresh_install` copies it (CREATE DATABASE …
    TEMPLATE takes a fraction of a migration's time)."""
    services.require("PostgreSQL", "127.0.0.1", 5432)
    url = services.run(services.create_database(prefix="chatty_template"))
    migrate(url)
    yield url
    services.run(services.drop_database(url))


@pytest.fixture(params=["postgres", "sqlite"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, both dialects, for a schema of an earlier release
    (`tests.support.old_schema`); SQLite's file is where `Cluster.embedded(tmp_path)` keeps it."""
    if request.param == "sqlite":
        (tmp_path / "data").mkdir(exist_ok=True)
        yield f"sqlite://{tmp_path / 'data' / 'chatty.sqlite3'}"
        return
    services.require("PostgreSQL", "127.0.0.1", 5432)
    url = services.run(services.create_database())
    try:
        yield url
    finally:
        services.run(services.drop_database(url))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str, redis_url: str) -> Iterator[Callable[..., Cluster]]:
    """Factory of distributed clusters (gateways + workers), on the run's database and Redis
    unless given others (a test's private servers); everything is stopped after."""
    made: list[Cluster] = []

    def make(*, database_url: str = pg_url, redis_url: str = redis_url, **extra: str) -> Cluster:
        c = Cluster.distributed(tmp_path, database_url=database_url, redis_url=redis_url, **extra)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()
        print(c.logs())


@pytest.fixture(scope="session")
def shared_cluster(
    tmp_path_factory: pytest.TempPathFactory, pg_url: str, redis_url: str
) -> Iterator[Cluster]:
    """Two gateways and a worker on the run's database and Redis with the default test
    settings, started once per test process for every test that asks for `two_gateways`.

    Those tests only need the system up, with users and rooms of their own: three processes
    cost ~4.5 s of CPU to start, so they are not started again for each. A test that kills,
    restarts or configures processes makes a cluster of its own (`cluster`).
    """
    c = Cluster.distributed(
        tmp_path_factory.mktemp("shared"), database_url=pg_url, redis_url=redis_url
    )
    try:
        c.gateway(), c.gateway(), c.worker()
        yield c
    finally:
        c.stop()


@pytest.fixture
def two_gateways(shared_cluster: Cluster) -> Iterator[tuple[str, str]]:
    """The shared cluster's two gateways (and its worker): their URLs. Never kill or restart
    them (`cluster` makes processes of a test's own); what they log during the test is shown
    with its failure."""
    c = shared_cluster
    assert all(p.alive() for p in c.procs), f"a shared process died (an earlier test?)\n{c.logs()}"
    seen = {p.name: len(p.log()) for p in c.procs}
    a, b = (p for p in c.procs if p.port is not None)
    yield a.url, b.url
    for p in c.procs:
        print(f"===== {p.name} during this test\n{p.log()[seen[p.name] :][-4000:]}")


@pytest.fixture
def embedded_cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster.embedded(tmp_path)
    yield c
    c.stop()
    print(c.logs())


@pytest.fixture
def pg_settings(pg_url: str, redis_url: str) -> Settings:
    return Settings.from_env(
        TEST_LIMITS,
        database_url=pg_url,
        redis_url=redis_url,
        jwt_secret=JWT_SECRET,
        socketio_channel=f"chatty.test.{uuid.uuid4().hex[:8]}",
        registrations_per_hour=100_000,
        message_rate=1000.0,
        message_burst=1000,
    )


async def _serve(aiohttp_server: Callable[..., Any], settings: Settings) -> str:
    server = await aiohttp_server(gateway_app(settings, with_worker=True))
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def pg_app_url(pg_settings: Settings, aiohttp_server: Callable[..., Any]) -> str:
    """The distributed system in this process (PostgreSQL + Redis), secret known to tests."""
    stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
    return await _serve(aiohttp_server, replace(pg_settings, inbound_stream=stream))


@pytest.fixture(params=["distributed", "embedded"])
async def fresh_install(
    request: pytest.FixtureRequest, tmp_path: Path, aiohttp_server: Callable[..., Any]
) -> AsyncIterator[Callable[..., Awaitable[Installation]]]:
    """Factory of a new, empty installation of this test's own (no account, the workspace as
    migrated), both ways, with these settings changed: the workspace's tests change what every
    later test on a shared database would see. `distributed`: in this process, on a copy of the
    migrated template (`pg_template`) and the run's Redis; `embedded`: `chatty run`."""
    servers: list[Any] = []
    databases: list[str] = []
    clusters: list[Cluster] = []

    async def make(**changes: Any) -> Installation:
        changes = {"moderation_per_minute": 100_000, **changes}  # user ids repeat in Redis
        if request.param == "distributed":
            template = str(request.getfixturevalue("pg_template"))
            databases.append(await services.create_database(template=template))
            settings = replace(request.getfixturevalue("pg_settings"), database_url=databases[-1])
            stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
            app = gateway_app(replace(settings, inbound_stream=stream, **changes), with_worker=True)
            servers.append(await aiohttp_server(app))
            return Installation(f"http://127.0.0.1:{servers[-1].port}", databases[-1])
        clusters.append(Cluster.embedded(tmp_path, **setting_env(changes)))
        node = clusters[-1].gateway(command="run")
        return Installation(node.url, f"sqlite://{tmp_path / 'data' / 'chatty.sqlite3'}")

    yield make
    for server in servers:
        await server.close()  # before its database goes
    for url in databases:
        await services.drop_database(url)
    for cluster in clusters:
        cluster.stop()
        print(cluster.logs())


@pytest.fixture(scope="module")
def embedded_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    """`chatty run` (SQLite + in-process queue) as a process, shared by the tests of one file.

    Starting one costs one to two seconds of CPU (imports, the SQLite migrations) and stopping
    it another second: once per file, not once per test. The tests make their own users and
    rooms (fresh names), so they never see each other's. Like the run's shared database
    (`services.SEED_ADMIN`), it is no empty installation: its first account is registered here,
    so no test's user becomes the workspace admin by being the first to register.
    """
    cluster = Cluster.embedded(tmp_path_factory.mktemp("embedded"))
    try:
        node = cluster.gateway(command="run")
        services.register_first_account(node.url)
        yield node
    finally:
        cluster.stop()


@pytest.fixture(params=["distributed", "embedded"])
def app_url(request: pytest.FixtureRequest) -> str:
    """The whole system with its worker, both ways.

    `distributed`: in this process, PostgreSQL + Redis stream + Redis manager. `embedded`:
    `chatty run` as a process (SQLite + in-process queue; one per file, `embedded_node`):
    Tortoise keeps per-dialect state in the models, so one test process never switches dialects.
    """
    if request.param == "distributed":
        return str(request.getfixturevalue("pg_app_url"))
    node: Proc = request.getfixturevalue("embedded_node")
    assert node.alive(), f"the file's embedded chatty died (an earlier test?):\n{node.tail()}"
    return node.url


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    made: list[Live] = []

    async def make(url: str, token: str) -> Live:
        made.append(await Live.connect(url, token))
        return made[-1]

    yield make
    for live in made:
        await live.close()


@pytest.fixture
def connected_pair(api_at: Callable[[str], Api], connect: Connect) -> ConnectedPair:
    """Alice (on the gateway at `url_a`) and Bob (at `url_b`) in a room, each connected there."""

    async def make(url_a: str, url_b: str) -> Pair:
        alice, bob, room = await pair_in_room(api_at(url_a), api_at(url_b))
        return Pair(
            alice, bob, room, await connect(url_a, alice.token), await connect(url_b, bob.token)
        )

    return make


@pytest.fixture
def alone(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], connect: Connect
) -> Callable[..., Awaitable[Alone]]:
    """A cluster with these settings, one gateway and one worker; alice connected, in a room."""

    async def make(**extra: str) -> Alone:
        c = cluster(**extra)
        node, worker = c.gateway(), c.worker()
        alice = await api_at(node.url).register()
        room = await alice.api.create_room()
        return Alone(c, node, worker, alice, room, await connect(node.url, alice.token))

    return make


@pytest.fixture
def api_at(http: aiohttp.ClientSession) -> Callable[[str], Api]:
    return lambda base: Api(base, http)


Serve = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve(pg_settings: Settings, aiohttp_server: Callable[..., Any]) -> Serve:
    """The system (gateway + its worker) in this process with these settings changed, on an
    inbound stream of its own; returns its URL."""

    async def start(**changes: Any) -> str:
        stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
        settings = replace(pg_settings, inbound_stream=stream, **changes)
        server = await aiohttp_server(gateway_app(settings, with_worker=True))
        return f"http://127.0.0.1:{server.port}"

    return start


@pytest.fixture
async def lives() -> AsyncIterator[list[Live]]:
    """Socket.IO clients a test opens; all closed after it."""
    made: list[Live] = []
    yield made
    for live in made:
        await live.close()
