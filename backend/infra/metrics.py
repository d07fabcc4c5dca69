"""Every Prometheus metric of chatty, defined once.

The gateway serves them at `/metrics`; `chatty worker` serves its own on
`CHATTY_WORKER_METRICS_PORT` (each process has its own registry, so scrape every process and sum
or max across them in Prometheus). Labels are bounded: event names are the contract's, routes are
route templates, never ids or user input.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:  # the metrics sit below the queue they sample
    from backend.queue.port import InboundQueue

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

SOCKETS_CONNECTED = Gauge(
    "chatty_sockets_connected", "Socket.IO connections open on this gateway (read at scrape)"
)
SOCKET_EVENTS_IN = Counter(
    "chatty_socket_events_in", "client→server Socket.IO events received, by event", ["event"]
)
EVENTS_OUT = Counter(
    "chatty_events_out",
    "server→client events emitted by this process (to a room or a socket), by event",
    ["event"],
)
RATE_LIMITED = Counter(
    "chatty_rate_limited",
    "requests and socket events refused with `rate_limited`, by where "
    "(`socket:<event>` or `http:<route>`)",
    ["where"],
)
INBOUND_QUEUE_LENGTH = Gauge(
    "chatty_inbound_queue_length", "inbound entries not yet acknowledged (read at scrape)"
)
CONSUMER_LAG = Gauge(
    "chatty_inbound_consumer_lag_seconds",
    "age of the oldest message of the latest batch when the worker read it",
)
PARTITIONS_OWNED = Gauge(
    "chatty_worker_partitions", "inbound partitions this worker holds (of 16; 0 while waiting)"
)
BATCH_SIZE = Histogram(
    "chatty_worker_batch_size",
    "entries per batch read by the worker",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
PERSIST_SECONDS = Histogram(
    "chatty_worker_persist_seconds",
    "time to persist one batch (one transaction)",
    buckets=_LATENCY_BUCKETS,
)
END_TO_END_SECONDS = Histogram(
    "chatty_message_end_to_end_seconds",
    "from queued by the gateway (`queued_at`) to emitted to the room by the worker",
    buckets=_LATENCY_BUCKETS,
)

SLOW_CLIENTS_CUT_OFF = Counter(
    "chatty_slow_clients_cut_off",
    "sockets disconnected because they stopped reading (too many unsent packets)",
)
ADMISSION_REFUSED = Counter(
    "chatty_admission_refused",
    "message writes refused with `unavailable` because delivery would exceed the budget",
)
DELIVERY_LAG = Gauge(
    "chatty_delivery_lag_seconds",
    "the larger of the oldest unread inbound entry's wait and this gateway's event-loop lag",
)
SOCKET_RESYNCS = Counter(
    "chatty_socket_resyncs",
    "times this gateway sent its sockets away to `sync` after its Redis subscription was down",
)


async def sample_queue_length(queue: InboundQueue) -> None:
    """Refresh the queue-length gauge; a queue that does not answer in 1 s keeps the last value."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(1.0):
            INBOUND_QUEUE_LENGTH.set(await queue.length())


def exposition() -> tuple[bytes, str]:
    """The Prometheus text of this process and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
