"""Engine.IO sessions that never become Socket.IO connections are bounded and short-lived.

python-engineio opens a session for any request that asks and keeps it while it answers pings,
python-socketio waits for its CONNECT packet for ever, and the per-address handshake limit
counts CONNECTs only: 1,000 such sessions from one address held ~20 MB and 1,000 descriptors,
and a CONNECT from there was still accepted (issue 31, item 15). Node's socket.io closes a
session that has not joined a namespace within `connectTimeout` (45 s); here a session that has
not connected within `connect_timeout` seconds is closed, and one address holds at most
`per_address` sessions at once, connected or not.

Counted per gateway, not across gateways in Redis: what a session costs (a descriptor, its
buffers) is the gateway's own, a Redis round trip at each open and close would be paid by every
connect, and a gateway that dies would leave counts behind for a sweep to find (as presence
needs). Behind a load balancer an address holds at most N gateways × `per_address`: bounded.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any


def address_of(environ: dict[str, Any]) -> str:
    """The client's address as the limits see it (`X-Forwarded-For` from trusted proxies)."""
    # Imported here: backend.web.http imports the runtime, which imports this server.
    from backend.web.http import client_address
    from backend.web.keys import SETTINGS

    request = environ.get("aiohttp.request")
    if request is None:
        return "?"
    if SETTINGS in request.app:
        return client_address(request)
    return str(request.remote or "?")  # a bare Socket.IO app (the unit tests)


class SessionGuard:
    """Which address holds each open session; closes those not connected in time.

    `joined(sid)`: whether the Socket.IO side has the session (connected, or its connect
    handler still running: closing that one would leave its presence behind). `close(sid)`:
    what the Engine.IO server does with an overdue one.
    """

    def __init__(
        self,
        *,
        per_address: int | None,
        connect_timeout: float | None,
        close: Callable[[str], None],
    ) -> None:
        self.per_address = per_address
        self.connect_timeout = connect_timeout
        self.joined: Callable[[str], bool] = lambda sid: True
        self._close = close
        self._addresses: dict[str, str] = {}
        self._held: Counter[str] = Counter()

    def admit(self, sid: str, environ: dict[str, Any]) -> bool:
        """Record a new session; False (nothing recorded) past the address's bound."""
        address = address_of(environ)
        if self.per_address is not None and self._held[address] >= self.per_address:
            return False
        self._held[address] += 1
        self._addresses[sid] = address
        if self.connect_timeout is not None:
            # A timer, not a task: a session costs nothing more while it waits.
            asyncio.get_running_loop().call_later(self.connect_timeout, self._due, sid)
        return True

    def release(self, sid: str) -> None:
        address = self._addresses.pop(sid, None)
        if address is None:
            return
        self._held[address] -= 1
        if self._held[address] <= 0:
            del self._held[address]

    def held(self, address: str) -> int:
        return self._held[address]

    def _due(self, sid: str) -> None:
        if sid in self._addresses and not self.joined(sid):
            self._close(sid)
