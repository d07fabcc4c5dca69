"""Graceful shutdown: SIGTERM never leaves a message half-done, and processes exit 0 promptly."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
import socketio

from backend.queue.partitions import stream_of
from backend.queue.redis_streams import GROUP
from tests.integration.test_message_path import assert_exactly_once_in_order, send_many
from tests.support.clients import Alone, Api, Live
from tests.support.procs import Cluster, Proc

pytestmark = [pytest.mark.integration, pytest.mark.seconds(30)]

EXIT_WITHIN = 8.0  # seconds; under Docker's default 10 s grace before SIGKILL


def log_lines(proc: Proc) -> list[dict[str, Any]]:
    lines = []
    for line in proc.log().splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def consumer_of(worker: Proc) -> str:
    return next(e["consumer"] for e in log_lines(worker) if e.get("event") == "worker_started")


async def terminate(proc: Proc) -> tuple[int, float]:
    started = time.monotonic()
    code = await asyncio.to_thread(proc.terminate, EXIT_WITHIN * 2)
    return code, time.monotonic() - started


async def test_sigterm_mid_load_worker_acks_its_batch_and_exits_0(
    alone: Callable[..., Awaitable[Alone]], redis_url: str
) -> None:
    c, _, first, alice, room, live = await alone(CHATTY_WORKER_BATCH="20")
    redis = aioredis.Redis.from_url(redis_url)
    stream = stream_of(c.env["CHATTY_INBOUND_STREAM"], room["id"])  # the room's partition
    try:
        before = asyncio.create_task(send_many(live, room["id"], 150, in_flight=5))
        await live.wait_until(lambda: len(live.messages(room["id"])) >= 40, 30)
        # The signal lands while sends go on, whatever the first half's pace.
        after = asyncio.create_task(send_many(live, room["id"], 150, in_flight=5))
        code, took = await terminate(first)
        assert code == 0, first.log()[-3000:]
        assert took < EXIT_WITHIN, f"worker took {took:.1f}s to stop"
        events = [e.get("event") for e in log_lines(first)]
        assert "worker_stopped" in events
        # Finished its batch: nothing it read is left pending for another worker to claim.
        pending = await redis.xpending_range(
            stream, GROUP, min="-", max="+", count=1000, consumername=consumer_of(first)
        )
        assert pending == [], f"{len(pending)} entries left half-done"

        c.worker()
        acked = [*await before, *await after]
        assert len(acked) == 300
        await live.wait_until(lambda: len({m["seq"] for m in live.messages(room["id"])}) >= 300, 60)
        history = await alice.api.all_history(room["id"])
        assert len(history) == 300
        assert_exactly_once_in_order(history, acked)
    finally:
        await redis.aclose()


async def test_sigterm_gateway_sends_sockets_away_and_exits_0(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api]
) -> None:
    c = cluster()
    node = c.gateway()
    c.worker()
    alice = await api_at(node.url).register()
    live = await Live.connect(node.url, alice.token)
    reasons: list[str] = []
    gone = asyncio.Event()

    @live.sio.event  # type: ignore[misc]
    async def disconnect(reason: str = "") -> None:
        reasons.append(reason)
        gone.set()

    code, took = await terminate(node)
    assert code == 0, node.log()[-3000:]
    assert gone.is_set()
    # Ended as a lost transport (clients reconnect, to another node), not a final disconnect,
    # and well before the shutdown timeout (10 s) would have cut the WebSocket.
    assert reasons == [socketio.AsyncClient.reason.TRANSPORT_ERROR]
    assert took < 5, f"gateway took {took:.1f}s to stop"
    events = {e.get("event"): e for e in log_lines(node)}
    assert events["gateway_draining"]["sockets"] == 1
    assert "gateway_drained" in events
