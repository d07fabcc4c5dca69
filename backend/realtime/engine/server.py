"""The AsyncServer and its manager, chosen by configuration."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import engineio
import socketio
import structlog

from backend.infra import metrics
from backend.infra.backoff import Backoff
from backend.infra.redis_client import redis_client
from backend.realtime.engine.backpressure import BoundedEngineServer
from backend.realtime.engine.frames import TRANSPORT_FRAME_MAX, FramePacket
from backend.realtime.engine.inflight import InFlightBound
from backend.realtime.engine.recovery import WatchedPubSub
from backend.settings.config import Settings
from backend.shapes import jsonutil

log = structlog.get_logger("chatty.socketio")
LISTEN_BACKOFF_MAX = 2.0  # python-socketio's own grows to 60 s: that long without live events
DELIVERY_SLICE = 0.002  # seconds of delivering before the sockets' writers get a turn
YIELD_AT = 8  # packets queued on a recipient: its writer gets a turn before the next event


class CountingServer(InFlightBound):
    """An AsyncServer that counts what it emits, by event (`chatty_events_out_total`), and
    tells its Engine.IO server which sessions joined (the others are closed in time)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eio.guard.joined = self._joined

    def _joined(self, eio_sid: str) -> bool:
        """Connected to "/", or its connect handler running (python-socketio's `pre_connect`
        put it there; a refused connect takes it out)."""
        return self.manager.sid_from_eio_sid(eio_sid, "/") is not None

    async def emit(self, event: str, *args: Any, **kwargs: Any) -> None:
        metrics.EVENTS_OUT.labels(event).inc()
        await super().emit(event, *args, **kwargs)

    def _engineio_server_class(self) -> type:
        return BoundedEngineServer  # a socket that stops reading is cut off (backpressure.py)


class DirectDelivery(socketio.AsyncManager):  # type: ignore[misc]
    """Local delivery of an event without a task per recipient.

    python-socketio's `AsyncManager.emit` encodes the packet once but starts one task per
    socket, each only putting that packet on the socket's queue (which never blocks): for a
    chat message to a room, most of the gateway's delivery cost. Emits with a callback keep
    python-socketio's path. Placed after `AsyncPubSubManager` in `RedisManager`'s MRO, it is
    also what delivers the events that arrive through Redis (`tests/unit/test_emitter.py`).
    `on_connected` is set by the gateway: what a socket is told once its CONNECT packet is
    on its way (clients other than socket.io-client drop events that come before it).
    """

    _slice_started = 0.0  # loop time of the last yield to the sockets' writers
    on_connected: Callable[[str], Awaitable[None]] | None = None

    async def connect(self, sid: str, namespace: str) -> Any:
        """python-socketio calls this right after queueing the CONNECT packet."""
        sid = await super().connect(sid, namespace)
        if self.on_connected is not None:
            await self.on_connected(sid)
        return sid

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
            return
        room = to or room
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        # chatty's events are JSON (files travel over HTTP): python-socketio would otherwise
        # walk every payload looking for bytes, once per event (~4 % of a busy gateway). JSON
        # refuses bytes, so a payload with some is found without a walk, and then sent as
        # python-socketio sends it (a binary event and its attachments).
        try:
            encoded = self.server.packet_class(
                socketio.packet.EVENT, namespace=namespace, data=[event, *args], binary=False
            ).encode()
        except TypeError:
            encoded = self.server.packet_class(
                socketio.packet.EVENT, namespace=namespace, data=[event, *args]
            ).encode()
        packets = [
            engineio.packet.Packet(engineio.packet.MESSAGE, p)
            for p in (encoded if isinstance(encoded, list) else [encoded])
        ]
        recipients = [e for sid, e in self.get_participants(namespace, room) if sid not in skip]
        sockets = self.server.eio.sockets
        backed_up = False
        for eio_sid in recipients:
            for p in packets:
                try:
                    await self.server._send_eio_packet(eio_sid, p)
                except Exception as exc:  # one socket's failure is not the room's
                    log.warning("deliver_failed", error=str(exc))
            socket = sockets.get(eio_sid)
            backed_up = backed_up or (socket is not None and socket.queue.qsize() >= YIELD_AT)
        # Let the sockets' writers run: queueing never yields, and a listener with many events
        # buffered would otherwise fill every queue to its cut-off bound. At once when a
        # recipient is backing up, else every few events: one event per loop turn made the
        # pub/sub listener fall ~250 ms behind with the loop otherwise idle (bench).
        now = asyncio.get_running_loop().time()
        if backed_up or now - self._slice_started >= DELIVERY_SLICE:
            await asyncio.sleep(0)
            self._slice_started = asyncio.get_running_loop().time()


class RedisManager(socketio.AsyncRedisManager, DirectDelivery):  # type: ignore[misc]
    """One Redis client and one pub/sub for the manager's lifetime.

    python-socketio builds a new client at every (re)subscribe and on the first publish, racing
    its own listener and leaking the previous client; redis-py reconnects a client (and
    resubscribes a pub/sub) by itself, so ours are made once and closed by `close_manager`.
    `on_missed_events` is set by the gateway: what to do once subscribed again after a gap.
    """

    on_missed_events: Callable[[str], None] | None = None
    redis: Any  # python-socketio's attribute: our client, made once (`_redis_connect`)
    oldest_wait_ms = 0.0  # the longest a worker's event waited before this node handled it

    def take_wait_ms(self) -> float:
        """The longest wait since the last call (admission samples it)."""
        wait, self.oldest_wait_ms = self.oldest_wait_ms, 0.0
        return wait

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        sent_at = message.get("sent_at")
        if isinstance(sent_at, int | float):
            wait = (time.time() - sent_at) * 1000
            self.oldest_wait_ms = max(self.oldest_wait_ms, wait)
        await super()._handle_emit(message)

    def _redis_connect(self) -> None:
        if self.redis is None:
            self.redis = redis_client(self.redis_url, **self.redis_options)
            self.pubsub = WatchedPubSub(
                self.redis.connection_pool,
                ignore_subscribe_messages=True,
                on_reconnect=self._missed_events,
            )
        self.connected = True

    def _missed_events(self) -> None:
        """Subscribed again after a gap: this node's sockets go and `sync` (recovery.py)."""
        if self.on_missed_events is not None:
            self.on_missed_events("socketio pubsub resubscribed")

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        """python-socketio's listen loop, with a short backoff and a resync after a gap."""
        backoff, subscribed, ever = Backoff(cap=LISTEN_BACKOFF_MAX), False, False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    if ever:
                        self._missed_events()
                    subscribed, ever = True, True
                    backoff.reset()
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:
                subscribed, delay = False, backoff.next()
                log.warning("socketio_pubsub_lost", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)


def build_server(settings: Settings) -> socketio.AsyncServer:
    """Redis manager when REDIS_URL is set (rooms shared by every gateway), else in-process."""
    manager: socketio.AsyncManager
    if settings.redis_url:
        manager = RedisManager(
            settings.redis_url,
            channel=settings.socketio_channel,
            json=jsonutil,
            logger=logging.getLogger("chatty.socketio.manager"),
        )
    else:
        manager = DirectDelivery()
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    server = CountingServer(
        async_mode="aiohttp",
        client_manager=manager,
        serializer=FramePacket,  # its own JSON: undecodable events become INVALID_FRAME
        # Empty list: same origin only (python-socketio compares Origin with Host).
        cors_allowed_origins=origins or None,
        max_http_buffer_size=TRANSPORT_FRAME_MAX,
        max_queued_packets=settings.socket_queue_max,
        max_queued_bytes=settings.socket_queue_max_bytes,
        ping_interval=settings.socket_ping_interval,
        ping_timeout=settings.socket_ping_timeout,
        sessions_per_address=settings.sessions_per_address,
        connect_timeout=settings.socket_connect_timeout,
        logger=False,
        engineio_logger=False,
    )
    server.events_in_flight = settings.socket_events_in_flight
    return server


async def close_manager(manager: socketio.AsyncManager) -> None:
    """python-socketio leaves a Redis manager's listener and connections open on shutdown."""
    thread = getattr(manager, "thread", None)
    if isinstance(thread, asyncio.Task) and not thread.done():
        thread.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await thread
    for name in ("pubsub", "redis"):
        connection = getattr(manager, name, None)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.aclose()
