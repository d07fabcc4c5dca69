"""argon2id hashing of passwords and recovery phrases, off the event loop (≈0.1 s of CPU each)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults (RFC 9106 low-memory: t=3, m=64 MiB, p=4) exceed OWASP's minimum.
_HASHER = PasswordHasher()
# Verified for unknown usernames so a miss costs what a hit costs (no timing oracle).
_DUMMY_HASH = _HASHER.hash("chatty-dummy-password")


async def hash_secret(secret: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, secret)


async def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when `secret` matches; with no stored hash, burn the same time and say no."""
    return await asyncio.to_thread(_verify, stored_hash, secret)


def _verify(stored_hash: str | None, secret: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
