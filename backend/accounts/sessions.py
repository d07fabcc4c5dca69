"""Sessions that must end before their access tokens expire, and the addresses users sign in from.

A session is one login: its refresh-token family, whose id every access token of the session
carries as `sid`. Revoking a session (logout, refresh-token reuse, a password change, a recovery)
records its id for as long as one of its access tokens may still be unexpired (`access_ttl`), so
`authenticate` refuses those tokens at once; the record is one Redis key (shared by every gateway)
or an in-process entry (embedded), never a database query per request.

Hooks registered with `on_revoked(hook)` are called `await hook(user_id, session_id)` after each
revocation on the node that made it (the realtime layer disconnects that session's sockets).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

import structlog
from redis.asyncio import Redis

from backend.settings.config import Settings

RevokedHook = Callable[[int, str], Awaitable[None]]
# After the access-token lifetime, plus clock skew between nodes, no token of the session lives.
_SKEW = 60
log = structlog.get_logger("chatty.sessions")


class Sessions(Protocol):
    async def revoke(self, *, user_id: int, session_ids: Iterable[str]) -> None:
        """Every access token of these sessions is refused from now on; hooks are told."""

    async def is_revoked(self, session_id: str) -> bool:
        """True when the session was revoked (while its access tokens may still be unexpired)."""

    def on_revoked(self, hook: RevokedHook) -> None:
        """Call `hook(user_id, session_id)` after every revocation made on this node."""

    async def remember_address(self, username: str, address: str) -> None:
        """The user signed in from `address` (it stays known for `refresh_ttl`)."""

    async def known_address(self, username: str, address: str) -> bool:
        """Whether the user signed in from `address` before."""


class _Hooks:
    def __init__(self) -> None:
        self._hooks: list[RevokedHook] = []

    def on_revoked(self, hook: RevokedHook) -> None:
        self._hooks.append(hook)

    async def _notify(self, user_id: int, session_ids: list[str]) -> None:
        for session_id in session_ids:
            for hook in self._hooks:
                try:
                    await hook(user_id, session_id)
                except Exception:  # the revocation stands; its tokens are already refused
                    log.exception("session_revoked_hook_failed", user_id=user_id)


class MemorySessions(_Hooks):
    """Embedded mode: one process holds every socket and serves every request."""

    def __init__(self, *, revoked_ttl: float, address_ttl: float) -> None:
        super().__init__()
        self._revoked_ttl, self._address_ttl = revoked_ttl, address_ttl
        self._until: dict[str, float] = {}

    def _mark(self, key: str, ttl: float) -> None:
        now = time.monotonic()
        if len(self._until) > 100_000:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[key] = now + ttl

    def _marked(self, key: str) -> bool:
        return self._until.get(key, 0.0) > time.monotonic()

    async def revoke(self, *, user_id: int, session_ids: Iterable[str]) -> None:
        ids = list(session_ids)
        for session_id in ids:
            self._mark(f"revoked:{session_id}", self._revoked_ttl)
        await self._notify(user_id, ids)

    async def is_revoked(self, session_id: str) -> bool:
        return self._marked(f"revoked:{session_id}")

    async def remember_address(self, username: str, address: str) -> None:
        self._mark(f"addr:{username}:{address}", self._address_ttl)

    async def known_address(self, username: str, address: str) -> bool:
        return self._marked(f"addr:{username}:{address}")


class RedisSessions(_Hooks):
    def __init__(
        self, redis: Redis, *, revoked_ttl: int, address_ttl: int, prefix: str = "chatty:"
    ) -> None:
        super().__init__()
        self._redis = redis
        self._revoked_ttl, self._address_ttl = revoked_ttl, address_ttl
        self._prefix = prefix

    async def revoke(self, *, user_id: int, session_ids: Iterable[str]) -> None:
        ids = list(session_ids)
        if ids:
            async with self._redis.pipeline(transaction=False) as pipe:
                for session_id in ids:
                    pipe.set(f"{self._prefix}revoked:{session_id}", user_id, ex=self._revoked_ttl)
                await pipe.execute()
        await self._notify(user_id, ids)

    async def is_revoked(self, session_id: str) -> bool:
        return bool(await self._redis.exists(f"{self._prefix}revoked:{session_id}"))

    async def remember_address(self, username: str, address: str) -> None:
        await self._redis.set(f"{self._prefix}addr:{username}:{address}", 1, ex=self._address_ttl)

    async def known_address(self, username: str, address: str) -> bool:
        return bool(await self._redis.exists(f"{self._prefix}addr:{username}:{address}"))


def open_sessions(settings: Settings, redis: Redis | None) -> Sessions:
    revoked_ttl, address_ttl = settings.access_ttl + _SKEW, settings.refresh_ttl
    if redis is None:
        return MemorySessions(revoked_ttl=revoked_ttl, address_ttl=address_ttl)
    return RedisSessions(redis, revoked_ttl=revoked_ttl, address_ttl=address_ttl)
