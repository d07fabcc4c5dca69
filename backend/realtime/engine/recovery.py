"""When a gateway may have missed events, its clients close the gap themselves.

Events reach a gateway through Redis pub/sub, which keeps nothing for a subscriber that is not
connected: whatever was published while this node's subscription was down (Redis restarting,
a connection cut) never reached its sockets, and the node cannot know what it was. So, once
subscribed again, the node sends every socket away as a lost transport; socket.io clients
reconnect and call `sync` with their last seen `seq` per room, which replays the gap from the
database. Every message is either stored before that `sync` (it is in the reply) or emitted
after the socket rejoined its rooms (it arrives live).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import socketio
import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from backend.infra import metrics

log = structlog.get_logger("chatty.recovery")

# Both listeners of a node (Socket.IO manager, membership) lose Redis together: one resync.
RESYNC_DEBOUNCE = 0.3


async def send_sockets_away(sio: socketio.AsyncServer, reason: Any) -> int:
    """End every Engine.IO connection of this node from its side; returns how many.

    Closed with `abort` (no Engine.IO CLOSE packet, which a client takes as final) and the
    transport ended, so clients see a lost connection and reconnect. Disconnect handlers run.
    """
    sockets = list(sio.eio.sockets.values())
    for socket in sockets:
        await _end_transport(socket, reason)
    return len(sockets)


async def send_socket_away(sio: socketio.AsyncServer, sid: str) -> None:
    """One socket, the same way: its client reconnects (with a fresh token) and `sync`s."""
    eio_sid = sio.manager.eio_sid_from_sid(sid, "/")
    socket = sio.eio.sockets.get(eio_sid) if eio_sid else None
    if socket is not None:
        await _end_transport(socket, sio.eio.reason.TRANSPORT_ERROR)


async def _end_transport(socket: Any, reason: Any) -> None:
    with contextlib.suppress(Exception):
        await socket.close(wait=False, abort=True, reason=reason)
    socket.queue.put_nowait(None)  # wakes the transport's writer, which closes the WebSocket


class Resync:
    """Sends this node's sockets away, at most once per burst of requests.

    One per gateway (built in `backend.gateway.wiring`), shared by every listener of the node:
    the Socket.IO manager and the membership listener lose Redis together and should cause one
    resync.
    """

    def __init__(self, sio: socketio.AsyncServer, debounce: float = RESYNC_DEBOUNCE) -> None:
        self._sio = sio
        self._debounce = debounce
        self._pending: asyncio.Task[None] | None = None
        self.count = 0

    def request(self, why: str) -> None:
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._run(why))

    async def _run(self, why: str) -> None:
        await asyncio.sleep(self._debounce)
        sent = await send_sockets_away(self._sio, self._sio.eio.reason.TRANSPORT_ERROR)
        self.count += 1
        metrics.SOCKET_RESYNCS.inc()
        log.warning("sockets_resync", reason=why, sockets=sent)


class WatchedPubSub(PubSub):
    """A pub/sub that reports when redis-py re-established it by itself.

    redis-py reconnects a pub/sub and resubscribes its channels inside a read's retry, so the
    listener may never see an error; `on_connect` runs for those reconnections (not the first
    connection), which is when events may have been missed.
    """

    def __init__(self, *args: Any, on_reconnect: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_reconnect = on_reconnect

    async def on_connect(self, connection: Any) -> None:
        await super().on_connect(connection)
        if self.subscribed:
            self._on_reconnect()


def watched_pubsub(redis: Redis, on_reconnect: Callable[[], None]) -> WatchedPubSub:
    return WatchedPubSub(
        redis.connection_pool, ignore_subscribe_messages=True, on_reconnect=on_reconnect
    )
