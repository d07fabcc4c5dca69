"""Brute-force limits on the credential routes: failures are counted, per name and per address.

Only failures cost a token, so a user who types the right password is never locked out by their
own successful logins; a bucket that is empty refuses even a right guess until it refills.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from backend.config import Settings
from backend.errors import Unauthorized
from backend.ratelimit import Limit, RateLimiter, enforce

T = TypeVar("T")


async def guarded(
    action: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    limiter: RateLimiter,
    settings: Settings,
    username: str,
    address: str,
) -> T:
    buckets = [
        (f"{action}:user:{username}", Limit.per_minute(settings.auth_failures_per_minute)),
        (f"{action}:addr:{address}", Limit.per_minute(settings.address_failures_per_minute)),
    ]
    for key, limit in buckets:
        await enforce(limiter, key, limit, cost=0)
    try:
        return await attempt()
    except Unauthorized:
        for key, limit in buckets:
            await limiter.take(key, limit)
        raise


async def registration_allowed(limiter: RateLimiter, settings: Settings, address: str) -> None:
    limit = Limit(
        rate=settings.registrations_per_hour / 3600, burst=settings.registrations_per_hour
    )
    await enforce(limiter, f"register:addr:{address}", limit)
