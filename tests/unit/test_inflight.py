"""One socket's events run at most `events_in_flight` at a time; the rest wait unread."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.realtime.engine.inflight import InFlightBound


class Held(InFlightBound):
    """Handlers that run until the test lets them finish."""

    def __init__(self) -> None:
        super().__init__(async_mode="aiohttp")
        self.started: list[Any] = []
        self.release = asyncio.Event()

    async def _handle_event_internal(self, *args: Any) -> None:
        self.started.append(args[3])  # (server, sid, eio_sid, data, namespace, id)
        await self.release.wait()


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0)


async def test_a_socket_gets_no_more_handlers_than_its_bound_and_the_rest_wait() -> None:
    server = Held()
    server.events_in_flight = 2
    await server.manager.connect("eio-1", "/")
    reading = asyncio.ensure_future(_read(server, "eio-1", 5))
    await _until(lambda: len(server.started) == 2)
    await asyncio.sleep(0)  # the reader had its chance to start a third: it may not
    assert len(server.started) == 2
    assert not reading.done()
    server.release.set()
    await reading
    await _until(lambda: len(server.started) == 5)


async def test_another_socket_is_not_held_by_a_full_one() -> None:
    server = Held()
    server.events_in_flight = 1
    await server.manager.connect("eio-1", "/")
    await server.manager.connect("eio-2", "/")
    flood = asyncio.ensure_future(_read(server, "eio-1", 3))
    await _until(lambda: len(server.started) == 1)
    await server._handle_event("eio-2", "/", None, ["other"])
    await _until(lambda: ["other"] in server.started)
    assert not flood.done()
    server.release.set()
    await flood


async def _read(server: InFlightBound, eio_sid: str, n: int) -> None:
    """What a socket's read loop does: hands its events over one after the other."""
    for i in range(n):
        await server._handle_event(eio_sid, "/", None, ["typing", i])
