"""`/metrics` of a gateway and of a worker move with traffic; the worker has its own endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_message_path import send_many
from tests.support.clients import Api, Connect, eventually
from tests.support.procs import Cluster, Proc, free_port

pytestmark = [pytest.mark.integration, pytest.mark.seconds(25)]

Scrape = dict[tuple[str, tuple[tuple[str, str], ...]], float]
METRICS_TOKEN = "metrics-token-for-tests"


def worker_with_endpoint(c: Cluster) -> Proc:
    """A worker whose metrics endpoint listens on a free port of its own (`proc.url`)."""
    port = free_port()
    c.env["CHATTY_WORKER_METRICS_PORT"] = str(port)
    try:
        proc = c.worker()
    finally:
        del c.env["CHATTY_WORKER_METRICS_PORT"]
    proc.port = port
    return proc


async def scrape(http: aiohttp.ClientSession, base: str) -> Scrape:
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    async with http.get(base + "/metrics", headers=headers) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        text = await resp.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(scraped: Scrape, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(after: Scrape, before: Scrape, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_gateway_and_worker_metrics_move_with_traffic(
    cluster: Callable[..., Cluster],
    api_at: Callable[[str], Api],
    http: aiohttp.ClientSession,
    connect: Connect,
) -> None:
    c = cluster(
        CHATTY_MESSAGE_RATE="0.1", CHATTY_MESSAGE_BURST="30", CHATTY_METRICS_TOKEN=METRICS_TOKEN
    )
    node = c.gateway()
    worker = worker_with_endpoint(c)
    alice = await api_at(node.url).register()
    bob = await api_at(node.url).register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    gw_before, w_before = await scrape(http, node.url), await scrape(http, worker.url)
    sender = await connect(node.url, alice.token)
    receiver = await connect(node.url, bob.token)
    await send_many(sender, room["id"], 30, in_flight=5)
    await receiver.wait_until(lambda: len(receiver.messages(room["id"])) >= 30)
    assert (await sender.call("typing", {"room_id": room["id"], "typing": True}))["ok"]
    refused = await sender.send(room["id"], "over the burst", str(uuid.uuid4()))
    assert refused["error"]["code"] == "rate_limited"
    gw = await scrape(http, node.url)
    scraped: list[Scrape] = []

    async def worker_done() -> bool:  # it observes and acks after it has emitted
        scraped.append(await scrape(http, worker.url))
        latest = scraped[-1]
        done = moved(latest, w_before, "chatty_message_end_to_end_seconds_count") == 30
        return done and value(latest, "chatty_inbound_queue_length") == 0

    await eventually(worker_done)
    w = scraped[-1]

    # The gateway: sockets, events in and out, refusals, the backlog.
    assert value(gw, "chatty_sockets_connected") == 2
    assert moved(gw, gw_before, "chatty_socket_events_in_total", event="message:send") == 31
    assert moved(gw, gw_before, "chatty_socket_events_in_total", event="typing") == 1
    assert moved(gw, gw_before, "chatty_events_out_total", event="typing") == 1
    assert value(gw, "chatty_events_out_total", event="room:member_joined") >= 1
    assert moved(gw, gw_before, "chatty_rate_limited_total", where="socket:message:send") == 1
    assert ("chatty_inbound_queue_length", ()) in gw

    # The worker: what it emitted, its batches, persist and end-to-end latency, lag, backlog.
    assert moved(w, w_before, "chatty_events_out_total", event="message:new") == 30
    assert moved(w, w_before, "chatty_worker_batch_size_sum") == 30
    assert moved(w, w_before, "chatty_worker_batch_size_count") >= 1
    assert moved(w, w_before, "chatty_worker_persist_seconds_count") >= 1
    assert moved(w, w_before, "chatty_message_end_to_end_seconds_count") == 30
    assert value(w, "chatty_message_end_to_end_seconds_sum") > 0
    assert 0 < value(w, "chatty_inbound_consumer_lag_seconds") < 30
    assert value(w, "chatty_inbound_queue_length") == 0
    async with http.get(worker.url + "/healthz") as resp:
        assert resp.status == 200


async def test_rest_refusals_are_counted_by_route(
    cluster: Callable[..., Cluster], http: aiohttp.ClientSession
) -> None:
    c = cluster(CHATTY_AUTH_FAILURES_PER_MINUTE="2", CHATTY_METRICS_TOKEN=METRICS_TOKEN)
    node = c.gateway()
    body = {"username": f"nobody{uuid.uuid4().hex[:8]}", "password": "wrong-password"}
    statuses = []
    for _ in range(4):
        async with http.post(node.url + "/api/v1/auth/login", json=body) as resp:
            statuses.append(resp.status)
    assert 429 in statuses, statuses
    scraped = await scrape(http, node.url)
    refused = value(scraped, "chatty_rate_limited_total", where="http:/api/v1/auth/login")
    assert refused == statuses.count(429)


def test_a_worker_endpoint_port_in_use_is_logged_not_fatal(cluster: Callable[..., Cluster]) -> None:
    c = cluster()
    first = worker_with_endpoint(c)
    c.env["CHATTY_WORKER_METRICS_PORT"] = str(first.port)
    second = c.worker()  # the same port: logged, and the worker still consumes
    assert second.alive()
    assert "worker_metrics_unavailable" in second.log()
