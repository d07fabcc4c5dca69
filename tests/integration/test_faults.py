"""Faults: Redis, PostgreSQL, a worker or a gateway goes away — nothing acknowledged is lost.

Every scenario runs real `chatty` processes under steady traffic and ends with the same checks:

- **stored exactly once**: every message acknowledged `ok` is in the room's history once, at a
  seq in 1..n without gap or repeat;
- **received exactly once** by every member that stays connected (or reconnects): its timeline
  — `message:new` events and the `sync` replies it asked for after each reconnection, merged by
  (room, seq) as the SPA does — is that history, message for message, and no two different
  messages ever arrived for one seq. A member never syncs while connected, so a message that
  was lost on the live path and not replayed after a reconnection fails the test. (Copies of a
  message — a redelivery after a worker crash, live and again in a `sync` — are allowed; they
  are the same message.)

Redis and PostgreSQL restarts use private servers (tests/support/faults.py), never the
machine's shared ones.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from tests.support.clients import Api, User
from tests.support.faults import (
    Member,
    PrivatePostgres,
    PrivateRedis,
    SendLog,
    StalledClient,
    assert_received_exactly_once,
    assert_stored_exactly_once,
    private_postgres,
    private_redis,
    send_steadily,
)
from tests.support.procs import Cluster, Proc, wait_for_log

pytestmark = pytest.mark.integration
ApiAt = Callable[[str], Api]


@pytest.fixture(scope="module")
def own_redis() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
def clusters(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(*, database_url: str, redis_url: str, **extra: str) -> Cluster:
        c = Cluster.distributed(tmp_path, database_url=database_url, redis_url=redis_url, **extra)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()
        print(c.logs())


async def room_of(api: Api, *users: User) -> int:
    """A public room the first user made and the others joined: all chose it, so they see each
    other's presence (being added by someone would not show it)."""
    owner, *others = users
    room = await owner.api.create_room("public")
    for user in others:
        await user.api.call("POST", f"/api/v1/rooms/{room['id']}/join", expect=200)
    return int(room["id"])


async def stored(api: Api, room: int, count: int, timeout: float = 30) -> list[dict[str, object]]:
    """The room's history once the workers have stored `count` messages (acks mean queued)."""
    deadline = time.monotonic() + timeout
    while True:
        history = await api.all_history(room)
        if len(history) >= count or time.monotonic() > deadline:
            return history
        await asyncio.sleep(0.2)


def count_log(proc: Proc, event: str) -> int:
    return sum(1 for line in proc.log().splitlines() if f'"event": "{event}"' in line)


async def test_redis_restart_mid_load_loses_nothing_and_needs_no_restart(
    clusters: Callable[..., Cluster],
    own_redis: PrivateRedis,
    pg_url: str,
    http: aiohttp.ClientSession,
) -> None:
    c = clusters(database_url=pg_url, redis_url=own_redis.url)
    node_a, node_b = c.gateway(), c.gateway()
    worker = c.worker()
    alice = await Api(node_a.url, http).register()
    bob = await Api(node_b.url, http).register()
    room = await room_of(alice.api, alice, bob)
    ma = await Member([node_a.url, node_b.url], alice.token, [room], "alice").start()
    mb = await Member([node_b.url, node_a.url], bob.token, [room], "bob").start()
    sent_a, sent_b = SendLog(), SendLog()
    try:
        sending = asyncio.gather(
            send_steadily(ma, room, 150, sent_a, in_flight=2, pause=0.04),
            send_steadily(mb, room, 150, sent_b, in_flight=2, pause=0.04),
        )
        await mb.wait_until(lambda: mb.seen(room) >= 40)
        await asyncio.to_thread(own_redis.restart, 1.5)  # away for ~1.7 s, AOF replayed
        await sending

        refusals = sent_a.refusals + sent_b.refusals
        unavailable = [took for code, took in refusals if code == "unavailable"]
        assert unavailable, "the restart must land while messages are being sent"
        assert max(unavailable) < 2.5, f"`unavailable` took up to {max(unavailable):.1f}s"
        history = await stored(alice.api, room, 300)
        assert len(history) == 300
        assert_stored_exactly_once(history, sent_a.acked + sent_b.acked)
        for member in (ma, mb):
            await member.wait_until(lambda m=member: m.seen(room) >= 300, 20)
            assert_received_exactly_once(member, room, history)
        # Nobody was restarted; everyone reconnected by itself, with backoff, not a busy loop.
        assert all(p.alive() for p in (node_a, node_b, worker))
        assert count_log(worker, "worker_read_failed") < 30
        for node in (node_a, node_b):
            assert count_log(node, "socketio_pubsub_lost") < 30
            assert count_log(node, "sockets_resync") >= 1, "sockets must be sent to sync"
    finally:
        await ma.close()
        await mb.close()


async def test_postgres_restart_mid_load_worker_holds_its_batch_then_drains(
    clusters: Callable[..., Cluster],
    own_pg: PrivatePostgres,
    own_redis: PrivateRedis,
    http: aiohttp.ClientSession,
) -> None:
    c = clusters(database_url=own_pg.url, redis_url=own_redis.url, CHATTY_WORKER_BATCH="40")
    node_a, node_b = c.gateway(), c.gateway()
    worker = c.worker()
    alice = await Api(node_a.url, http).register()
    bob = await Api(node_b.url, http).register()
    room = await room_of(alice.api, alice, bob)
    ma = await Member([node_a.url, node_b.url], alice.token, [room], "alice").start()
    mb = await Member([node_b.url, node_a.url], bob.token, [room], "bob").start()
    before, after = SendLog(), SendLog()
    try:
        # A backlog the worker is holding when the database goes: it is frozen while 120
        # messages are acknowledged, and wakes up with the database gone.
        worker.popen.send_signal(signal.SIGSTOP)
        await send_steadily(ma, room, 120, before, in_flight=10)
        await asyncio.to_thread(own_pg.stop)
        worker.popen.send_signal(signal.SIGCONT)

        for method, path, payload in (
            ("GET", "/api/v1/rooms", None),
            ("POST", "/api/v1/auth/login", {"username": "nobody", "password": "password123"}),
        ):
            status, body = await Api(node_a.url, http).call(
                method, path, payload, headers={"Authorization": f"Bearer {alice.token}"}
            )
            assert (status, body["error"]["code"]) == (503, "unavailable"), (path, body)
        # A send needs no database when the gateway already knows the sender is a member;
        # otherwise it is refused. Either way: quickly, and never `ok` unless it was queued.
        during = SendLog()
        for i in range(5):
            started, cmid = time.monotonic(), str(uuid.uuid4())
            ack = await ma.send(room, f"while the database is away {i}", cmid)
            assert time.monotonic() - started < 2.5
            if ack["ok"]:
                during.acked.append(cmid)
            else:
                assert ack["error"]["code"] == "unavailable", ack
        await asyncio.to_thread(wait_for_log, worker, "persist_retry", 15)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(own_pg.start)

        await send_steadily(mb, room, 60, after, in_flight=5)
        total = 180 + len(during.acked)
        history = await stored(alice.api, room, total)
        assert len(history) == total
        assert_stored_exactly_once(history, before.acked + during.acked + after.acked)
        for member in (ma, mb):
            await member.wait_until(lambda m=member: m.seen(room) >= total, 20)
            assert_received_exactly_once(member, room, history)
        assert worker.alive()
        assert count_log(worker, "persist_retry") < 30, "the worker must back off"
    finally:
        if worker.alive():
            worker.popen.send_signal(signal.SIGCONT)
        await ma.close()
        await mb.close()


async def test_worker_sigkill_mid_load_members_on_both_nodes_get_everything_once(
    clusters: Callable[..., Cluster], own_redis: PrivateRedis, pg_url: str, api_at: ApiAt
) -> None:
    c = clusters(database_url=pg_url, redis_url=own_redis.url, CHATTY_WORKER_BATCH="20")
    node_a, node_b = c.gateway(), c.gateway()
    first = c.worker()
    alice = await api_at(node_a.url).register()
    bob = await api_at(node_b.url).register()
    room = await room_of(alice.api, alice, bob)
    ma = await Member([node_a.url, node_b.url], alice.token, [room], "alice").start()
    mb = await Member([node_b.url, node_a.url], bob.token, [room], "bob").start()
    sent = SendLog()
    try:
        sending = asyncio.create_task(send_steadily(ma, room, 300, sent, in_flight=10))
        await mb.wait_until(lambda: mb.seen(room) >= 50)
        first.kill()
        assert not sending.done(), "the kill must land while messages are being sent"
        c.worker()
        await sending
        history = await stored(alice.api, room, 300)
        assert len(history) == 300
        assert_stored_exactly_once(history, sent.acked)
        for member in (ma, mb):
            await member.wait_until(lambda m=member: m.seen(room) >= 300, 20)
            assert_received_exactly_once(member, room, history)
    finally:
        await ma.close()
        await mb.close()


PRESENCE_TTL = 2.0


async def test_gateway_sigkill_clients_move_to_the_other_node_and_sync_every_gap(
    clusters: Callable[..., Cluster], own_redis: PrivateRedis, pg_url: str, api_at: ApiAt
) -> None:
    c = clusters(
        database_url=pg_url, redis_url=own_redis.url, CHATTY_PRESENCE_TTL=str(PRESENCE_TTL)
    )
    node_a, node_b = c.gateway(), c.gateway()
    c.worker()
    alice = await api_at(node_a.url).register()
    bob = await api_at(node_b.url).register()
    carol = await api_at(node_a.url).register()
    room = await room_of(alice.api, alice, bob, carol)
    ma = await Member([node_a.url, node_b.url], alice.token, [room], "alice").start()
    mb = await Member([node_b.url, node_a.url], bob.token, [room], "bob").start()
    # Carol knows only node A: when it dies she is gone, and must be shown offline.
    mc = await Member([node_a.url], carol.token, [room], "carol").start()
    sent_a, sent_b = SendLog(), SendLog()
    try:
        await mb.wait_until(lambda: (carol.id, True) in [(u, o) for _, u, o in mb.presence], 10)
        sending = asyncio.gather(
            send_steadily(ma, room, 150, sent_a, in_flight=3, pause=0.02),
            send_steadily(mb, room, 150, sent_b, in_flight=3, pause=0.02),
        )
        await mb.wait_until(lambda: mb.seen(room) >= 60)
        node_a.kill()
        killed = time.monotonic()
        await sending
        assert ma.connects[-1] == node_b.url, "alice must have moved to node B"

        history = await stored(bob.api, room, 300)
        assert len(history) == 300
        assert_stored_exactly_once(history, sent_a.acked + sent_b.acked)
        for member in (ma, mb):
            await member.wait_until(lambda m=member: m.seen(room) >= 300, 20)
            assert_received_exactly_once(member, room, history)

        bound = 2 * PRESENCE_TTL + 2  # expiry + one sweep round, and slack for a busy machine
        await mb.wait_until(lambda: any(u == carol.id and not o for _, u, o in mb.presence), bound)
        offline_at = next(t for t, u, o in mb.presence if u == carol.id and not o)
        assert offline_at - killed < bound
        assert not [e for e in mb.presence if e[1] == alice.id and not e[2] and e[0] > killed], (
            "alice moved to node B: she never went offline"
        )
    finally:
        for member in (ma, mb, mc):
            await member.close()


async def test_inbound_backlog_is_bounded_while_workers_are_down(
    clusters: Callable[..., Cluster], own_redis: PrivateRedis, pg_url: str, api_at: ApiAt
) -> None:
    c = clusters(database_url=pg_url, redis_url=own_redis.url, CHATTY_INBOUND_MAX_LEN="30")
    node = c.gateway()  # and no worker: the backlog only grows
    alice = await api_at(node.url).register()
    room = await room_of(alice.api, alice)
    member = await Member([node.url], alice.token, [room], "alice").start()
    redis = aioredis.Redis.from_url(own_redis.url)
    try:
        ids = [str(uuid.uuid4()) for _ in range(40)]
        acks = [await member.send(room, f"m{i}", cmid) for i, cmid in enumerate(ids)]
        assert all(a["ok"] for a in acks[:30]), acks[:30]
        assert [a["error"]["code"] for a in acks[30:]] == ["unavailable"] * 10
        assert await redis.xlen(c.env["CHATTY_INBOUND_STREAM"]) == 30

        c.worker()
        await member.wait_until(lambda: member.seen(room) >= 30)
        for i, cmid in enumerate(ids[30:], start=30):  # the refused ones, retried
            assert (await member.send(room, f"m{i}", cmid))["ok"]
        history = await stored(alice.api, room, 40)
        assert_stored_exactly_once(history, ids)
        await member.wait_until(lambda: member.seen(room) >= 40)
        assert_received_exactly_once(member, room, history)
    finally:
        await member.close()
        await redis.aclose()


async def test_a_client_that_stops_reading_is_cut_off_and_others_are_unaffected(
    clusters: Callable[..., Cluster], own_redis: PrivateRedis, pg_url: str, api_at: ApiAt
) -> None:
    c = clusters(database_url=pg_url, redis_url=own_redis.url, CHATTY_SOCKET_QUEUE_MAX="50")
    node = c.gateway()
    c.worker()
    alice = await api_at(node.url).register()
    bob = await api_at(node.url).register()
    room = await room_of(alice.api, alice, bob)
    member = await Member([node.url], alice.token, [room], "alice").start()
    assert node.port is not None
    stalled = await asyncio.to_thread(StalledClient, node.port, bob.token)
    sent = SendLog()
    try:
        # Until the kernel's buffers (a few MB on loopback) and then 50 packets are full.
        while "slow_client_cut_off" not in node.log() and len(sent.acked) < 3000:
            await send_steadily(member, room, 200, sent, in_flight=20, body_size=3900)
            await asyncio.sleep(0.3)
        total = len(sent.acked)
        await member.wait_until(lambda: member.seen(room) >= total, 30)
        await asyncio.to_thread(wait_for_log, node, "slow_client_cut_off", 5)
        cut = [
            json.loads(line) for line in node.log().splitlines() if "slow_client_cut_off" in line
        ]
        assert [e["queued"] for e in cut] == [50], cut  # one socket, cut at the bound
        assert await asyncio.to_thread(stalled.closed_by_server), "its connection must be closed"
        history = await stored(alice.api, room, total)
        assert_stored_exactly_once(history, sent.acked)
        assert_received_exactly_once(member, room, history)
    finally:
        stalled.close()
        await member.close()
