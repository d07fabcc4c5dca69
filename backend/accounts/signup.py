"""New accounts: their secrets hashed before anything is locked, then stored.

Who may register (the workspace's registration mode, invites, the first admin) is decided by
`backend.workspace.registration`, which stores the account in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from backend.accounts import recovery
from backend.accounts.models import User
from backend.accounts.passwords import hash_secret
from backend.accounts.service import token_pair
from backend.content.sanitize import clean_text
from backend.settings.config import Settings
from backend.shapes.errors import Conflict, ValidationFailed


def _display_name(raw: str | None, username: str) -> str:
    name = clean_text(raw) if raw is not None else username
    if not name:
        raise ValidationFailed(details={"display_name": ["must contain visible text"]})
    return name[:64]


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account's fields and hashed secrets, ready to store: hashing (argon2, ~0.1 s each)
    is done before any transaction, so no lock is held while it runs."""

    username: str
    display_name: str
    password_hash: str
    recovery_hash: str
    recovery_phrase: str


async def new_account(*, username: str, password: str, display_name: str | None) -> NewAccount:
    phrase = recovery.new_phrase()
    return NewAccount(
        username=username,
        display_name=_display_name(display_name, username),
        password_hash=await hash_secret(password),
        recovery_hash=await hash_secret(recovery.normalise(phrase)),
        recovery_phrase=phrase,
    )


async def create_account(account: NewAccount, *, is_admin: bool = False) -> User:
    """Store the account (within the caller's transaction, if any); a taken name → 409."""
    try:
        return await User.create(
            username=account.username,
            display_name=account.display_name,
            password_hash=account.password_hash,
            recovery_hash=account.recovery_hash,
            is_admin=is_admin,
        )
    except IntegrityError as exc:
        raise Conflict("username taken") from exc


async def signed_in(settings: Settings, user: User, account: NewAccount) -> dict[str, Any]:
    """The answer to a registration: a first session, and the recovery phrase shown once."""
    return {**await token_pair(settings, user), "recovery_phrase": account.recovery_phrase}
