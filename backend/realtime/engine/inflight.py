"""At most so many of one socket's events are handled at once; the next frames wait unread.

python-socketio starts a task per event (`async_handlers`), and engine.io another per message
before it: one socket sending as fast as it can had hundreds of handlers running at once, each
holding a Redis or database connection from the pools every other user shares, so a flood of
refused events (issue 31: 300 heavy bodies) pushed everyone's delivery past a second. Here
engine.io hands a socket's messages over in its read loop (no task of its own), and
python-socketio's event task is started only once the socket has a free slot: a full socket
stops reading, its frames wait in its own TCP buffer, and other sockets are not concerned.
Acks, connects and disconnects are not events and never wait.
"""

from __future__ import annotations

import asyncio
from typing import Any

import socketio


class InFlightBound(socketio.AsyncServer):  # type: ignore[misc]
    """Set `events_in_flight` (per socket) before the server starts."""

    events_in_flight = 16

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # engine.io's own task per message is redundant with python-socketio's per event;
        # without it the read loop is where a full socket waits.
        self.eio.async_handlers = False
        self._slots: dict[str, asyncio.Semaphore] = {}

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        if not self.async_handlers:
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        slots = self._slots.get(eio_sid)
        if slots is None:
            slots = self._slots[eio_sid] = asyncio.Semaphore(self.events_in_flight)
        await slots.acquire()
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        if sid is None or not self.manager.is_connected(sid, namespace or "/"):
            slots.release()
            await super()._handle_event(eio_sid, namespace, id, data)  # its own warning
            return
        task = self.start_background_task(
            self._handle_event_internal, self, sid, eio_sid, data, namespace or "/", id
        )
        _running.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            _running.discard(finished)
            slots.release()

        task.add_done_callback(done)

    async def _handle_eio_disconnect(self, eio_sid: str, *args: Any, **kwargs: Any) -> None:
        self._slots.pop(eio_sid, None)
        await super()._handle_eio_disconnect(eio_sid, *args, **kwargs)


_running: set[asyncio.Task[Any]] = set()  # strong references, as python-socketio keeps them
