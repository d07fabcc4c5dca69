"""The message path across processes: gateways → Redis stream → workers → PostgreSQL → rooms."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.support.clients import Alone, Api, Connect, ConnectedPair, Live, pair_in_room
from tests.support.procs import Cluster, Proc, wait_for_log

pytestmark = [pytest.mark.integration, pytest.mark.seconds(100)]


async def send_many(live: Live, room_id: int, count: int, in_flight: int = 20) -> list[str]:
    """Send `count` messages, at most `in_flight` unacknowledged; returns the acked ids."""
    acked: list[str] = []
    gate = asyncio.Semaphore(in_flight)

    async def one(i: int) -> None:
        async with gate:
            cmid = str(uuid.uuid4())
            ack = await live.send(room_id, f"message {i}", cmid)
            assert ack == {"ok": True, "client_msg_id": cmid}, ack
            acked.append(cmid)

    await asyncio.gather(*(one(i) for i in range(count)))
    return acked


def assert_exactly_once_in_order(messages: list[dict[str, Any]], acked: list[str]) -> None:
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(messages) + 1)), "seq must be 1..n, no gap, no repeat"
    ids = [m["client_msg_id"] for m in messages]
    assert len(ids) == len(set(ids)), "a message was stored twice"
    assert set(acked) <= set(ids), f"{len(set(acked) - set(ids))} acknowledged messages lost"


async def test_500_messages_reach_a_member_on_another_node_in_seq_order(
    cluster: Callable[..., Cluster], connected_pair: ConnectedPair
) -> None:
    c = cluster()
    node_a, node_b = c.gateway(), c.gateway()
    c.worker()
    c.worker()
    _, bob, room, sender, receiver = await connected_pair(node_a.url, node_b.url)
    acked = await send_many(sender, room["id"], 500)
    await receiver.wait_until(lambda: len(receiver.messages(room["id"])) >= 500, 60)
    received = receiver.messages(room["id"])
    assert [m["seq"] for m in received] == list(range(1, 501))
    assert_exactly_once_in_order(received, acked)
    history = await bob.api.all_history(room["id"])
    assert [m["id"] for m in history] == [m["id"] for m in received]


async def test_worker_killed_mid_stream_loses_and_doubles_nothing(
    alone: Callable[..., Awaitable[Alone]],
) -> None:
    c, _, first, alice, room, live = await alone(CHATTY_WORKER_BATCH="20")
    before = asyncio.create_task(send_many(live, room["id"], 200, in_flight=10))
    await live.wait_until(lambda: len(live.messages(room["id"])) >= 50, 30)
    first.kill()
    # Sends go on across the kill and while no worker runs, whatever the first half's pace.
    after = asyncio.create_task(send_many(live, room["id"], 200, in_flight=10))
    c.worker()
    acked = [*await before, *await after]
    await live.wait_until(lambda: len({m["seq"] for m in live.messages(room["id"])}) >= 400, 60)
    history = await alice.api.all_history(room["id"])
    assert len(history) == 400
    assert_exactly_once_in_order(history, acked)


async def test_two_workers_keep_every_rooms_seq_contiguous(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], connect: Connect
) -> None:
    c = cluster(CHATTY_WORKER_BATCH="7")
    node_a, node_b = c.gateway(), c.gateway()
    c.worker()
    c.worker()
    alice = await api_at(node_a.url).register()
    bob = await api_at(node_b.url).register()
    rooms = [await alice.api.create_room() for _ in range(4)]
    for room in rooms:
        await alice.api.add_member(room["id"], bob.id)
    live_a = await connect(node_a.url, alice.token)
    live_b = await connect(node_b.url, bob.token)
    results = await asyncio.gather(
        *(send_many(live, room["id"], 60) for room in rooms for live in (live_a, live_b))
    )
    # An ack means queued, not stored: wait for the workers before reading history.
    await live_a.wait_until(
        lambda: all(len({m["seq"] for m in live_a.messages(r["id"])}) >= 120 for r in rooms), 60
    )
    for i, room in enumerate(rooms):
        history = await alice.api.all_history(room["id"])
        assert len(history) == 120
        assert_exactly_once_in_order(history, results[2 * i] + results[2 * i + 1])


async def four_rooms_through(
    url: str, api_at: Callable[[str], Api], connect: Connect, midway: Callable[[], object]
) -> None:
    """150 sends to each of four rooms (consecutive ids: spread over the workers' partitions);
    `midway` once 40 have arrived, the second half of the sends after it; then every room holds
    its 150 once, in order."""
    alice = await api_at(url).register()
    rooms = [await alice.api.create_room() for _ in range(4)]
    live = await connect(url, alice.token)

    def send_to_each() -> list[asyncio.Task[list[str]]]:
        return [asyncio.create_task(send_many(live, room["id"], 75)) for room in rooms]

    before = send_to_each()
    await live.wait_until(lambda: sum(len(live.messages(r["id"])) for r in rooms) >= 40, 30)
    midway()
    after = send_to_each()  # the load goes on across `midway`, whatever the first half's pace
    halves = zip(await asyncio.gather(*before), await asyncio.gather(*after), strict=True)
    results = [first + second for first, second in halves]
    await live.wait_until(
        lambda: all(len({m["seq"] for m in live.messages(r["id"])}) >= 150 for r in rooms), 60
    )
    for room, acked in zip(rooms, results, strict=True):
        history = await alice.api.all_history(room["id"])
        assert len(history) == 150
        assert_exactly_once_in_order(history, acked)


async def test_a_worker_joining_mid_load_takes_over_rooms_without_a_gap_or_a_double(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], connect: Connect
) -> None:
    """The partitions' handover: the first worker may still hold a batch of a partition that
    the newcomer already reads; the row lock, the unique key and the turns keep it right."""
    c = cluster(CHATTY_WORKER_BATCH="7")
    node = c.gateway()
    c.worker()
    joined: list[Proc] = []
    await four_rooms_through(node.url, api_at, connect, lambda: joined.append(c.worker()))
    await asyncio.to_thread(wait_for_log, joined[0], "partitions_owned")  # it took a share


async def test_a_killed_worker_s_rooms_are_taken_over_by_the_other_without_a_gap_or_a_double(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], connect: Connect
) -> None:
    """Nobody restarts it: its partitions' leases lapse and the survivor reads them too."""
    c = cluster(CHATTY_WORKER_BATCH="7")
    node = c.gateway()
    first = c.worker()
    await asyncio.to_thread(wait_for_log, first, "partitions_owned")
    survivor = c.worker()
    await asyncio.to_thread(wait_for_log, survivor, "partitions_owned")  # the halves are set
    await four_rooms_through(node.url, api_at, connect, first.kill)


async def test_retry_with_same_client_msg_id_is_stored_once_and_redelivered_to_sender(
    two_gateways: tuple[str, str], api_at: Callable[[str], Api], connect: Connect
) -> None:
    url_a, url_b = two_gateways
    alice, bob, room = await pair_in_room(api_at(url_a), api_at(url_b))
    bobs_own = await bob.api.create_room()
    sender = await connect(url_a, alice.token)
    other = await connect(url_b, bob.token)
    cmid = str(uuid.uuid4())
    assert (await sender.send(room["id"], "hello", cmid))["ok"]
    await sender.wait_until(lambda: len(sender.messages(room["id"])) == 1)
    assert (await sender.send(room["id"], "hello again", cmid)) == {
        "ok": True,
        "client_msg_id": cmid,
    }
    await sender.wait_until(lambda: len(sender.messages(room["id"])) == 2)
    first, again = sender.messages(room["id"])
    assert again == first
    assert first["body"] == "hello"
    assert len(await alice.api.all_history(room["id"])) == 1
    await other.fence(bobs_own["id"])
    assert len(other.messages(room["id"])) == 1, "a retry is re-delivered to its sender only"


async def test_embedded_mode_delivers_500_in_order(
    embedded_cluster: Cluster, connected_pair: ConnectedPair
) -> None:
    node = embedded_cluster.gateway(command="run")
    _, bob, room, sender, receiver = await connected_pair(node.url, node.url)
    acked = await send_many(sender, room["id"], 500)
    await receiver.wait_until(lambda: len(receiver.messages(room["id"])) >= 500, 60)
    received = receiver.messages(room["id"])
    assert_exactly_once_in_order(received, acked)
    history = await bob.api.all_history(room["id"])
    assert [m["id"] for m in history] == [m["id"] for m in received]
