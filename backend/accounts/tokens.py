"""Access JWTs (HS256, pinned) and opaque refresh tokens (stored as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from backend.shapes.errors import Unauthorized

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "sub", "jti"]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_version: int
    session_id: str | None  # the refresh-token family (one login); None in older tokens
    jti: str
    expires_at: int


def issue_access(
    secret: str, *, user_id: int, session_version: int, ttl: int, session_id: str | None = None
) -> str:
    """An access token; `session_id` (the login's refresh family) lets it be revoked early."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "sv": session_version,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "typ": "access",
    }
    if session_id is not None:
        payload["sid"] = session_id
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_access(secret: str, token: str) -> AccessClaims:
    """Verify signature, algorithm and expiry; anything wrong is one `unauthorized`."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": _REQUIRED}, leeway=0
        )
        if claims.get("typ") != "access":
            raise Unauthorized("invalid token")
        return AccessClaims(
            user_id=int(claims["sub"]),
            session_version=int(claims.get("sv", 0)),
            session_id=str(claims["sid"]) if "sid" in claims else None,
            jti=str(claims["jti"]),
            expires_at=int(claims["exp"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired") from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise Unauthorized("invalid token") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """Refresh tokens are high-entropy, so a fast hash is enough (unlike passwords)."""
    return hashlib.sha256(token.encode()).hexdigest()
