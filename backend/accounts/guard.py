"""Brute-force limits on the credential checks, charged before the check, refunded on success.

Each attempt takes a token from every bucket *before* the secret is verified, so parallel
requests cannot all slip past a bucket that only counted failures once they were known; a right
guess gives its tokens back, so a user is never limited by their own successful logins.

Buckets (so that an attacker cannot lock the owner out):
- username + client address, `CHATTY_AUTH_FAILURES_PER_MINUTE`: one attacker's guesses at one
  account; the owner elsewhere is not concerned;
- client address, `CHATTY_ADDRESS_FAILURES_PER_MINUTE`: one attacker's guesses at many accounts;
- username, `CHATTY_USERNAME_FAILURES_PER_HOUR`, slow to refill: many addresses guessing at one
  account. Addresses the user signed in from before are exempt, so the owner still gets in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from backend.accounts.sessions import Sessions
from backend.infra.ratelimit import Limit, RateLimiter, enforce
from backend.settings.config import Settings
from backend.shapes.errors import Unauthorized

T = TypeVar("T")


async def guarded(
    action: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    limiter: RateLimiter,
    sessions: Sessions,
    settings: Settings,
    username: str,
    address: str,
) -> T:
    """Run `attempt` (which raises `Unauthorized` on a wrong secret) under the three buckets."""
    per_hour = settings.username_failures_per_hour
    buckets = [
        (
            f"{action}:user-addr:{username}:{address}",
            Limit.per_minute(settings.auth_failures_per_minute),
        ),
        (f"{action}:addr:{address}", Limit.per_minute(settings.address_failures_per_minute)),
    ]
    if not await sessions.known_address(username, address):
        buckets.append((f"{action}:user:{username}", Limit(rate=per_hour / 3600, burst=per_hour)))
    charged: list[tuple[str, Limit]] = []
    try:
        for key, limit in buckets:
            await enforce(limiter, key, limit)
            charged.append((key, limit))
        result = await attempt()
    except Unauthorized:
        raise  # a wrong guess: it stays paid for
    except Exception:
        await _refund(limiter, charged)  # refused by a later bucket, or not a guess at all
        raise
    await _refund(limiter, charged)
    await sessions.remember_address(username, address)
    return result


async def _refund(limiter: RateLimiter, charged: list[tuple[str, Limit]]) -> None:
    for key, limit in charged:
        await limiter.take(key, limit, cost=-1)


async def registration_allowed(limiter: RateLimiter, settings: Settings, address: str) -> None:
    limit = Limit(
        rate=settings.registrations_per_hour / 3600, burst=settings.registrations_per_hour
    )
    await enforce(limiter, f"register:addr:{address}", limit)
