"""Account use cases: register, login, refresh, logout, recover, authenticate, search."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.accounts import recovery, tokens
from backend.accounts.models import RefreshToken, User
from backend.accounts.passwords import hash_secret, needs_rehash, verify_secret
from backend.chat.sanitize import clean_text
from backend.config import Settings
from backend.errors import Conflict, Unauthorized, ValidationFailed
from backend.serialize import user_dict

BAD_CREDENTIALS = "wrong username or password"


def _now() -> datetime:
    return datetime.now(UTC)


async def _token_pair(settings: Settings, user: User, family: str | None = None) -> dict[str, Any]:
    refresh = tokens.new_refresh_token()
    await RefreshToken.create(
        user=user,
        family=family or str(uuid.uuid4()),
        token_hash=tokens.hash_refresh_token(refresh),
        expires_at=_now() + timedelta(seconds=settings.refresh_ttl),
    )
    access = tokens.issue_access(
        settings.jwt_secret,
        user_id=user.id,
        session_version=user.session_version,
        ttl=settings.access_ttl,
    )
    return {
        "user": user_dict(user),
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": settings.access_ttl,
    }


def _display_name(raw: str | None, username: str) -> str:
    name = clean_text(raw) if raw is not None else username
    if not name:
        raise ValidationFailed(details={"display_name": ["must contain visible text"]})
    return name[:64]


async def register(
    settings: Settings, *, username: str, password: str, display_name: str | None
) -> dict[str, Any]:
    phrase = recovery.new_phrase()
    name = _display_name(display_name, username)
    password_hash = await hash_secret(password)
    recovery_hash = await hash_secret(recovery.normalise(phrase))
    try:
        user = await User.create(
            username=username,
            display_name=name,
            password_hash=password_hash,
            recovery_hash=recovery_hash,
        )
    except IntegrityError as exc:
        raise Conflict("username taken") from exc
    return {**await _token_pair(settings, user), "recovery_phrase": phrase}


async def login(settings: Settings, *, username: str, password: str) -> dict[str, Any]:
    user = await User.get_or_none(username=username)
    if not await verify_secret(user.password_hash if user else None, password) or user is None:
        raise Unauthorized(BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_secret(password)
        await user.save(update_fields=["password_hash"])
    return await _token_pair(settings, user)


async def refresh(settings: Settings, *, refresh_token: str) -> dict[str, Any]:
    """Rotate: the presented token is spent; presenting a spent one kills its whole family."""
    async with in_transaction():
        row = (
            await RefreshToken.filter(token_hash=tokens.hash_refresh_token(refresh_token))
            .select_for_update()
            .first()
        )
        if row is None or row.expires_at <= _now():
            raise Unauthorized("invalid or expired refresh token")
        if row.revoked_at is not None:
            # Committed before refusing: the revocation must outlive this request.
            await RefreshToken.filter(family=row.family, revoked_at=None).update(revoked_at=_now())
        else:
            row.revoked_at = _now()
            await row.save(update_fields=["revoked_at"])
            user = await User.get(id=row.user_id)  # type: ignore[attr-defined]
            return await _token_pair(settings, user, family=row.family)
    raise Unauthorized("refresh token reused; session revoked")


async def logout(*, user: User, refresh_token: str | None) -> None:
    if refresh_token is not None:
        await RefreshToken.filter(
            user=user, token_hash=tokens.hash_refresh_token(refresh_token), revoked_at=None
        ).update(revoked_at=_now())


async def recover(
    settings: Settings, *, username: str, recovery_phrase: str, new_password: str
) -> dict[str, Any]:
    """A right phrase resets the password, issues a new phrase and revokes every session."""
    user = await User.get_or_none(username=username)
    phrase_ok = await verify_secret(
        user.recovery_hash if user else None, recovery.normalise(recovery_phrase)
    )
    if not phrase_ok or user is None:
        raise Unauthorized("wrong username or recovery phrase")
    phrase = recovery.new_phrase()
    user.password_hash = await hash_secret(new_password)
    user.recovery_hash = await hash_secret(recovery.normalise(phrase))
    user.session_version += 1
    async with in_transaction():
        await user.save(update_fields=["password_hash", "recovery_hash", "session_version"])
        await RefreshToken.filter(user=user, revoked_at=None).update(revoked_at=_now())
    pair = await _token_pair(settings, user)
    return {**pair, "recovery_phrase": phrase, "session_version": user.session_version}


async def authenticate(settings: Settings, token: str) -> User:
    """The user behind an access token that is valid and not revoked by a recovery."""
    claims = tokens.decode_access(settings.jwt_secret, token)
    user = await User.get_or_none(id=claims.user_id)
    if user is None or user.session_version != claims.session_version:
        raise Unauthorized("token revoked")
    return user


async def search(*, prefix: str, limit: int = 20) -> list[User]:
    query = User.all().order_by("username").limit(limit)
    if prefix:
        query = query.filter(username__startswith=prefix.lower())
    return await query
