"""Telling "a backing service is away" apart from a bug.

PostgreSQL or Redis restarting, refusing connections or cutting sessions is an outage: the client
is told `unavailable` (HTTP 503) and may retry; nothing was half-done. Anything else is a bug
and stays a logged `internal` error.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# asyncpg's, by name: they reach us wrapped by Tortoise (as the cause or the context).
_DB_CONNECTION_ERRORS = frozenset(
    {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "InterfaceError",
        "PostgresConnectionError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
        "DBConnectionError",
    }
)


def is_outage(exc: BaseException) -> bool:
    """True when `exc`, or what caused it, says PostgreSQL or Redis could not be reached."""
    for error in _chain(exc):
        if isinstance(error, OSError | RedisConnectionError | RedisTimeoutError):
            return True  # OSError covers refused, reset and timed-out connections
        if type(error).__name__ in _DB_CONNECTION_ERRORS:
            return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
