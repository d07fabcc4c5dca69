"""A socket's life: authenticated at the handshake, in its user's and rooms' channels, and
sent to reconnect when its access token expires (the client brings a fresh one and `sync`s).
Its arrival (the presence snapshot, and its peers told it is online) is announced once the
CONNECT packet is on its way (`connected`): events before it reach a client before the
connection they belong to, and clients other than socket.io-client drop or misroute them.

Refusals carry `{code, message}`, which the JS client sees as `connect_error`'s `data`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import socketio
import structlog

from backend.accounts import service as accounts
from backend.accounts.models import User
from backend.accounts.sessions import Sessions
from backend.accounts.tokens import AccessClaims
from backend.actions.announcer import Announcer
from backend.actions.presence import announce_arrival, announce_presence
from backend.infra.limits import Limits
from backend.infra.outages import is_outage
from backend.realtime.engine.membership import Arrivals
from backend.realtime.engine.presence import Presence, SocketLimitReached
from backend.realtime.engine.recovery import send_socket_away
from backend.rooms.arrival import arrival
from backend.settings.config import Settings
from backend.shapes.channels import room_channel, user_channel
from backend.shapes.errors import AppError, RateLimited, Unauthorized
from backend.web.http import client_address

log = structlog.get_logger("chatty.realtime")


def _refused(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    return socketio.exceptions.ConnectionRefusedError(message, {"code": code, "message": message})


@contextlib.contextmanager
def _refused_while_away() -> Iterator[None]:
    """The database or Redis is away: say so at once instead of leaving the client to time
    out."""
    try:
        yield
    except Exception as exc:
        if not is_outage(exc):
            raise
        raise _refused("unavailable", "service temporarily unavailable") from exc


class Connections:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        *,
        settings: Settings,
        sessions: Sessions,
        limits: Limits,
        presence: Presence,
        arrivals: Arrivals,
        announcer: Announcer,
    ) -> None:
        self.sio, self.settings, self.sessions, self.limits = sio, settings, sessions, limits
        self.presence, self.arrivals, self.announcer = presence, arrivals, announcer
        self._expiry: dict[str, asyncio.TimerHandle] = {}
        self._reads: dict[str, asyncio.Lock] = {}
        self._arrivals: dict[str, Callable[[], Awaitable[None]]] = {}

    @contextlib.asynccontextmanager
    async def one_read_at_a_time(self, sid: str) -> AsyncIterator[None]:
        """History and `sync` replies are large: a socket builds one at a time, and none once
        it is gone, so a client that sends many and stops reading holds at most one."""
        async with self._reads.setdefault(sid, asyncio.Lock()):
            if not self.sio.manager.is_connected(sid, "/"):
                raise Unauthorized("disconnected")
            yield

    async def user_of(self, sid: str) -> User:
        """The socket's user, bound to this event's log lines; unauthorized if none."""
        session = await self.sio.get_session(sid)
        user = session.get("user") if session else None
        if not isinstance(user, User):
            raise Unauthorized()
        if time.time() >= session["expires_at"]:
            raise Unauthorized("token expired")
        structlog.contextvars.bind_contextvars(user_id=user.id)
        return user

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        with _refused_while_away():
            claims = await self._authenticate(environ, auth)
        try:
            with _refused_while_away():
                await self._settle(sid, claims)
        except BaseException:
            # Refused or failed half-way: python-socketio runs no disconnect handler then, so
            # nothing may be left behind (forgetting a socket never recorded is harmless).
            self._cancel_expiry(sid)
            self._arrivals.pop(sid, None)
            with contextlib.suppress(Exception):
                await self.presence.disconnected(claims.user_id, sid)
            raise
        finally:
            self.arrivals.forget(sid)
        _keep_only_the_request(environ)
        log.debug("socket_connected", sid=sid, user_id=claims.user_id)

    async def _settle(self, sid: str, claims: AccessClaims) -> None:
        """The user's channel, then one read of the user, their rooms and peers (after: a join
        or a recovery meanwhile reaches this socket), the socket recorded within the user's
        limit together with which peers are online, the session and its expiry, the rooms'
        channels, and who is online (told both ways, by `connected`).

        Room changes that reach the socket between its user's channel and its rooms' channels
        are held and applied once it is in them (`membership.Arrivals`): a ban or a kick
        committed after the read still takes the socket out, never lost in the gap."""
        self.arrivals.begin(sid)
        await self.sio.enter_room(sid, user_channel(claims.user_id))
        reads = await arrival(claims.user_id)
        try:
            user = accounts.current_user(reads.user, claims)
        except Unauthorized as exc:
            raise _refused("unauthorized", exc.message) from exc
        try:
            first, online = await self.presence.connected(
                user.id,
                sid,
                limit=self.settings.sockets_per_user,
                peers=[p.id for p in reads.peers],
            )
        except SocketLimitReached as exc:
            raise _refused("rate_limited", "too many connections for this user") from exc
        expires_at = float(claims.expires_at)
        session = {"user": user, "expires_at": expires_at, "session_id": claims.session_id}
        await self.sio.save_session(sid, session)
        self._expiry[sid] = asyncio.get_running_loop().call_later(
            max(0.0, expires_at - time.time()),
            lambda: asyncio.ensure_future(send_socket_away(self.sio, sid)),
        )
        for room_id in reads.rooms:
            await self.sio.enter_room(sid, room_channel(room_id))
        await self.arrivals.arrived(self.sio, sid)
        peers = [p for p in reads.peers if p.id in online]
        self._arrivals[sid] = functools.partial(
            announce_arrival, self.announcer, user, sid, first=first, peers=peers
        )

    async def connected(self, sid: str) -> None:
        """The CONNECT packet is queued (python-socketio's manager calls this): the arrival.
        It can no longer refuse the socket: a failure is logged (presence is recorded, and
        the next change of a peer's presence reaches the socket as any event does)."""
        arrival = self._arrivals.pop(sid, None)
        if arrival is None:
            return
        try:
            await arrival()
        except Exception as exc:
            log.warning("arrival_not_announced", sid=sid, error=str(exc)[:200])

    def _cancel_expiry(self, sid: str) -> None:
        timer = self._expiry.pop(sid, None)
        if timer is not None:
            timer.cancel()

    async def _authenticate(self, environ: dict[str, Any], auth: Any) -> AccessClaims:
        """The token's claims, within the limits (the user is checked with the connect's read);
        else the connection is refused with `{code, message}`."""
        token = auth.get("token") if isinstance(auth, dict) else None
        request = environ.get("aiohttp.request")
        try:
            await self.limits.handshake(client_address(request) if request else "?")
            if not isinstance(token, str) or not token:
                raise Unauthorized("missing token")
            return await accounts.verify_claims(self.settings, token, sessions=self.sessions)
        except AppError as exc:
            code = "rate_limited" if isinstance(exc, RateLimited) else "unauthorized"
            raise _refused(code, exc.message) from exc

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        log.debug("socket_disconnected", sid=sid, reason=str(reason))
        self._reads.pop(sid, None)
        self._arrivals.pop(sid, None)
        self._cancel_expiry(sid)
        session = await self.sio.get_session(sid)
        user = session.get("user") if session else None
        if isinstance(user, User) and await self.presence.disconnected(user.id, sid):
            await announce_presence(self.announcer, user, online=False)


def _keep_only_the_request(environ: dict[str, Any]) -> None:
    """python-socketio keeps the connect's WSGI environ (every header as a key, ~1.2 KB) for the
    socket's life, for the connects of other namespaces; chatty's one namespace has connected,
    and all it reads there is the request."""
    request = environ.get("aiohttp.request")
    environ.clear()
    environ["aiohttp.request"] = request
