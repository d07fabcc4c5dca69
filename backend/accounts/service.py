"""Account use cases: login, refresh, logout, recover, account settings, authenticate (new
accounts: `signup`; who may register: `backend.workspace.registration`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts import recovery, tokens
from backend.accounts.models import RefreshToken, User
from backend.accounts.passwords import hash_secret, needs_rehash, verify_secret
from backend.accounts.sessions import Sessions
from backend.settings.config import Settings
from backend.shapes.errors import Unauthorized
from backend.shapes.serialize import user_dict

BAD_CREDENTIALS = "wrong username or password"


def _now() -> datetime:
    return datetime.now(UTC)


async def token_pair(settings: Settings, user: User, family: str | None = None) -> dict[str, Any]:
    """A refresh token of the session `family` (a new session when None) and its access token."""
    refresh = tokens.new_refresh_token()
    family = family or str(uuid.uuid4())
    await RefreshToken.create(
        user=user,
        family=family,
        token_hash=tokens.hash_refresh_token(refresh),
        expires_at=_now() + timedelta(seconds=settings.refresh_ttl),
    )
    access = tokens.issue_access(
        settings.jwt_secret,
        user_id=user.id,
        session_version=user.session_version,
        session_id=family,
        ttl=settings.access_ttl,
    )
    return {
        "user": user_dict(user),
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": settings.access_ttl,
    }


async def login(settings: Settings, *, username: str, password: str) -> dict[str, Any]:
    user = await User.get_or_none(username=username)
    if not await verify_secret(user.password_hash if user else None, password) or user is None:
        raise Unauthorized(BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_secret(password)
        await user.save(update_fields=["password_hash"])
    return await token_pair(settings, user)


async def refresh(settings: Settings, sessions: Sessions, *, refresh_token: str) -> dict[str, Any]:
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
            reused = row
        else:
            row.revoked_at = _now()
            await row.save(update_fields=["revoked_at"])
            user = await User.get(id=row.user_id)  # type: ignore[attr-defined]
            return await token_pair(settings, user, family=row.family)
    # ... and so do the family's access tokens, after the commit.
    user_id: int = reused.user_id  # type: ignore[attr-defined]
    await sessions.revoke(user_id=user_id, session_ids=[reused.family])
    raise Unauthorized("refresh token reused; session revoked")


async def logout(
    sessions: Sessions, *, user: User, session_id: str | None, refresh_token: str | None
) -> None:
    """End the caller's session (refresh and access tokens) and the one `refresh_token` names."""
    families = {session_id} if session_id else set()
    if refresh_token is not None:
        row = await RefreshToken.get_or_none(
            user=user, token_hash=tokens.hash_refresh_token(refresh_token)
        )
        if row is not None:
            families.add(row.family)
    if families:
        await RefreshToken.filter(user=user, family__in=families, revoked_at=None).update(
            revoked_at=_now()
        )
        await sessions.revoke(user_id=user.id, session_ids=sorted(families))


async def _end_refresh_tokens(user: User, *, keep: str | None = None) -> list[str]:
    """Revoke the refresh tokens of every session of the user but `keep`; their ids."""
    live = RefreshToken.filter(user=user, revoked_at=None)
    if keep is not None:
        live = live.exclude(family=keep)
    families = sorted({str(f) for f in await live.values_list("family", flat=True)})
    await live.update(revoked_at=_now())
    return families


async def _check_password(user: User, password: str) -> None:
    if not await verify_secret(user.password_hash, password):
        raise Unauthorized("wrong password")


async def change_password(
    sessions: Sessions,
    *,
    user: User,
    session_id: str | None,
    current_password: str,
    new_password: str,
) -> None:
    """A new password; every other session of the user ends (this one goes on)."""
    await _check_password(user, current_password)
    user.password_hash = await hash_secret(new_password)
    async with in_transaction():
        await user.save(update_fields=["password_hash"])
        ended = await _end_refresh_tokens(user, keep=session_id)
    await sessions.revoke(user_id=user.id, session_ids=ended)  # after the commit


async def new_recovery_phrase(*, user: User, password: str) -> dict[str, Any]:
    """A new recovery phrase replaces the old one, which stops working at once."""
    await _check_password(user, password)
    phrase = recovery.new_phrase()
    user.recovery_hash = await hash_secret(recovery.normalise(phrase))
    await user.save(update_fields=["recovery_hash"])
    return {"recovery_phrase": phrase}


async def recover(
    settings: Settings,
    sessions: Sessions,
    *,
    username: str,
    recovery_phrase: str,
    new_password: str,
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
        ended = await _end_refresh_tokens(user)
    await sessions.revoke(user_id=user.id, session_ids=ended)
    pair = await token_pair(settings, user)
    return {**pair, "recovery_phrase": phrase, "session_version": user.session_version}


async def authenticate(settings: Settings, token: str, *, sessions: Sessions) -> User:
    """The user behind an access token that is valid and whose session was not revoked."""
    return (await verify_access(settings, token, sessions=sessions))[0]


async def verify_access(
    settings: Settings, token: str, *, sessions: Sessions
) -> tuple[User, tokens.AccessClaims]:
    """Is this token (and its session) still valid? The user and the claims, else `Unauthorized`."""
    claims = await verify_claims(settings, token, sessions=sessions)
    return current_user(await User.get_or_none(id=claims.user_id), claims), claims


async def verify_claims(
    settings: Settings, token: str, *, sessions: Sessions
) -> tokens.AccessClaims:
    """The token's signature, expiry and its session's revocation (logout, refresh reuse,
    password change); `current_user` then checks the user. `Unauthorized` if any fails."""
    claims = tokens.decode_access(settings.jwt_secret, token)
    if claims.session_id is not None and await sessions.is_revoked(claims.session_id):
        raise Unauthorized("token revoked")
    return claims


def current_user(user: User | None, claims: tokens.AccessClaims) -> User:
    """The claims' user, if the account still exists and no recovery ended its sessions."""
    if user is None or user.session_version != claims.session_version:
        raise Unauthorized("token revoked")
    return user


async def search(*, prefix: str, limit: int = 20) -> list[User]:
    query = User.all().order_by("username").limit(limit)
    if prefix:
        query = query.filter(username__startswith=prefix.lower())
    return await query
