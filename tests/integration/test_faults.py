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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import aiohttp
import pytest
import redis.asyncio as aioredis

from backend.queue.partitions import partition_streams
from tests.support.clients import Api, User, eventually
from tests.support.faults import (
    Member,
    SendLog,
    StalledClient,
    assert_everything_once,
    assert_received_exactly_once,
    assert_stored_exactly_once,
    send_steadily,
    stored,
)
from tests.support.procs import Cluster, Proc, wait_for_log
from tests.support.services import PrivatePostgres, PrivateRedis, private_postgres, private_redis

pytestmark = [pytest.mark.integration, pytest.mark.seconds(100)]
ApiAt = Callable[[str], Api]
StartMember = Callable[..., Awaitable[Member]]


@pytest.fixture(scope="module")
def own_redis() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
async def start_member() -> AsyncIterator[StartMember]:
    """Starts `Member`s (the arguments of `Member`); every one is closed after the test."""
    made: list[Member] = []

    async def start(urls: list[str], token: str, rooms: list[int], name: str) -> Member:
        made.append(Member(urls, token, rooms, name))
        return await made[-1].start()

    yield start
    for one in made:
        await one.close()


@dataclass
class Kit:
    """What a fault test starts from. `cluster` makes clusters on this module's private Redis
    (which a test may restart) and the run's database unless told otherwise; `start_member`
    starts members that are closed after the test."""

    own_redis: PrivateRedis
    make_cluster: Callable[..., Cluster]
    api_at: ApiAt
    start_member: StartMember

    def cluster(self, **extra: str) -> Cluster:
        return self.make_cluster(**{"redis_url": self.own_redis.url, **extra})


@pytest.fixture
def kit(
    own_redis: PrivateRedis,
    cluster: Callable[..., Cluster],
    api_at: ApiAt,
    start_member: StartMember,
) -> Kit:
    return Kit(own_redis, cluster, api_at, start_member)


class TwoNodes(NamedTuple):
    node_a: Proc
    node_b: Proc
    worker: Proc
    alice: User
    bob: User
    room: int
    ma: Member
    mb: Member


async def two_nodes(c: Cluster, kit: Kit) -> TwoNodes:
    """Gateways A and B and a worker; alice (on A first) and bob (on B first) share a room,
    each a `Member` that knows both gateways."""
    node_a, node_b = c.gateway(), c.gateway()
    worker = c.worker()
    alice = await kit.api_at(node_a.url).register()
    bob = await kit.api_at(node_b.url).register()
    room = await room_of(alice.api, alice, bob)
    ma = await kit.start_member([node_a.url, node_b.url], alice.token, [room], "alice")
    mb = await kit.start_member([node_b.url, node_a.url], bob.token, [room], "bob")
    return TwoNodes(node_a, node_b, worker, alice, bob, room, ma, mb)


async def room_of(api: Api, *users: User) -> int:
    """A public room the first user made and the others joined: all chose it, so they see each
    other's presence (being added by someone would not show it)."""
    owner, *others = users
    room = await owner.api.create_room("public")
    for user in others:
        await user.api.call("POST", f"/api/v1/rooms/{room['id']}/join", expect=200)
    return int(room["id"])


def count_log(proc: Proc, event: str) -> int:
    return sum(1 for line in proc.log().splitlines() if f'"event": "{event}"' in line)


async def test_redis_restart_mid_load_loses_nothing_and_needs_no_restart(
    kit: Kit,
) -> None:
    c = kit.cluster()
    node_a, node_b, worker, alice, _, room, ma, mb = await two_nodes(c, kit)
    sent_a, sent_b = SendLog(), SendLog()
    sending = asyncio.gather(
        send_steadily(ma, room, 150, sent_a, in_flight=2, pause=0.04),
        send_steadily(mb, room, 150, sent_b, in_flight=2, pause=0.04),
    )
    await mb.wait_until(lambda: mb.seen(room) >= 40)
    await asyncio.to_thread(kit.own_redis.restart, 1.5)  # away for ~1.7 s, AOF replayed
    await sending

    refusals = sent_a.refusals + sent_b.refusals
    unavailable = [took for code, took in refusals if code == "unavailable"]
    assert unavailable, "the restart must land while messages are being sent"
    assert max(unavailable) < 2.5, f"`unavailable` took up to {max(unavailable):.1f}s"
    await assert_everything_once(alice.api, room, 300, sent_a.acked + sent_b.acked, (ma, mb))
    # Nobody was restarted; everyone reconnected by itself, with backoff, not a busy loop.
    assert all(p.alive() for p in (node_a, node_b, worker))
    assert count_log(worker, "worker_read_failed") < 30
    for node in (node_a, node_b):
        assert count_log(node, "socketio_pubsub_lost") < 30
        assert count_log(node, "sockets_resync") >= 1, "sockets must be sent to sync"


async def test_postgres_restart_mid_load_worker_holds_its_batch_then_drains(
    kit: Kit, own_pg: PrivatePostgres, http: aiohttp.ClientSession
) -> None:
    c = kit.cluster(database_url=own_pg.url, CHATTY_WORKER_BATCH="40")
    node_a, _, worker, alice, _, room, ma, mb = await two_nodes(c, kit)
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
        await assert_everything_once(
            alice.api, room, total, before.acked + during.acked + after.acked, (ma, mb)
        )
        assert worker.alive()
        assert count_log(worker, "persist_retry") < 30, "the worker must back off"
    finally:
        if worker.alive():
            worker.popen.send_signal(signal.SIGCONT)


async def test_worker_sigkill_mid_load_members_on_both_nodes_get_everything_once(
    kit: Kit,
) -> None:
    c = kit.cluster(CHATTY_WORKER_BATCH="20")
    _, _, first, alice, _, room, ma, mb = await two_nodes(c, kit)
    sent = SendLog()
    before = asyncio.create_task(send_steadily(ma, room, 150, sent, in_flight=10))
    await mb.wait_until(lambda: mb.seen(room) >= 50)
    first.kill()
    # Sends go on across the kill and while no worker runs, whatever the first half's pace.
    after = asyncio.create_task(send_steadily(ma, room, 150, sent, in_flight=10))
    c.worker()
    await asyncio.gather(before, after)
    await assert_everything_once(alice.api, room, 300, sent.acked, (ma, mb))


PRESENCE_TTL = 2.0


async def test_gateway_sigkill_clients_move_to_the_other_node_and_sync_every_gap(
    kit: Kit,
) -> None:
    c = kit.cluster(CHATTY_PRESENCE_TTL=str(PRESENCE_TTL))
    node_a, node_b, _, alice, bob, room, ma, mb = await two_nodes(c, kit)
    carol = await kit.api_at(node_a.url).register()
    await carol.api.call("POST", f"/api/v1/rooms/{room}/join", expect=200)  # chose it: presence
    # Carol knows only node A: when it dies she is gone, and must be shown offline.
    await kit.start_member([node_a.url], carol.token, [room], "carol")
    sent_a, sent_b = SendLog(), SendLog()
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

    await assert_everything_once(bob.api, room, 300, sent_a.acked + sent_b.acked, (ma, mb))

    bound = 2 * PRESENCE_TTL + 2  # expiry + one sweep round, and slack for a busy machine
    await mb.wait_until(lambda: any(u == carol.id and not o for _, u, o in mb.presence), bound)
    offline_at = next(t for t, u, o in mb.presence if u == carol.id and not o)
    assert offline_at - killed < bound
    assert not [e for e in mb.presence if e[1] == alice.id and not e[2] and e[0] > killed], (
        "alice moved to node B: she never went offline"
    )


async def test_inbound_backlog_is_bounded_while_workers_are_down(
    kit: Kit,
) -> None:
    c = kit.cluster(CHATTY_INBOUND_MAX_LEN="30", CHATTY_DELIVERY_BUDGET_MS="0")  # the bound alone
    node = c.gateway()  # and no worker: the backlog only grows
    alice = await kit.api_at(node.url).register()
    room = await room_of(alice.api, alice)
    member = await kit.start_member([node.url], alice.token, [room], "alice")
    redis = aioredis.Redis.from_url(kit.own_redis.url)
    try:
        ids = [str(uuid.uuid4()) for _ in range(40)]
        acks = [await member.send(room, f"m{i}", cmid) for i, cmid in enumerate(ids)]
        assert all(a["ok"] for a in acks[:30]), acks[:30]
        assert [a["error"]["code"] for a in acks[30:]] == ["unavailable"] * 10
        partitions = partition_streams(c.env["CHATTY_INBOUND_STREAM"])

        async def backlog() -> int:
            return sum([await redis.xlen(p) for p in partitions])

        async def drained() -> bool:
            return await backlog() == 0

        assert await backlog() == 30

        c.worker()
        await member.wait_until(lambda: member.seen(room) >= 30)
        # The worker emits a batch before it acknowledges (and deletes) it: the 30 are seen
        # while they may still fill the bound. The retries wait for the backlog to drain.
        await eventually(drained)
        for i, cmid in enumerate(ids[30:], start=30):  # the refused ones, retried
            assert (await member.send(room, f"m{i}", cmid))["ok"]
        history = await stored(alice.api, room, 40)
        assert_stored_exactly_once(history, ids)
        await member.wait_until(lambda: member.seen(room) >= 40)
        assert_received_exactly_once(member, room, history)
    finally:
        await redis.aclose()


async def test_a_client_that_stops_reading_is_cut_off_and_others_are_unaffected(
    kit: Kit,
) -> None:
    c = kit.cluster(CHATTY_SOCKET_QUEUE_MAX="50")
    node = c.gateway()
    c.worker()
    alice = await kit.api_at(node.url).register()
    bob = await kit.api_at(node.url).register()
    room = await room_of(alice.api, alice, bob)
    member = await kit.start_member([node.url], alice.token, [room], "alice")
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
