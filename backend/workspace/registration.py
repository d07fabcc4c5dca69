"""Who may register (contract §7.1), and the registration itself in one transaction: the
workspace's mode and the invite are checked, the invite's use taken, the account stored (the
first of an empty installation as its admin) and the invite's rooms joined — or none of it.

An empty installation admits its first account whatever the mode: nobody could invite anyone
before there is an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts import signup
from backend.accounts.models import User
from backend.rooms.members import join_invited
from backend.settings.config import Settings
from backend.shapes.errors import Forbidden
from backend.workspace import admins, invites, workspace


@dataclass(frozen=True, slots=True)
class Registered:
    user: User
    answer: dict[str, Any]  # the route's 201 body: user, tokens, recovery phrase
    room_ids: list[int]  # the invite's rooms the user joined


async def _admitted(settings: Settings, invite_code: str | None) -> list[int]:
    """Within the transaction: may an account be made now? The invite's rooms, if one came."""
    mode = workspace.registration_mode(await workspace.current(), settings)
    if mode == "closed":
        raise Forbidden("registration is closed", details={"reason": "registration_closed"})
    if invite_code is not None:
        return await invites.use(invite_code)
    if mode == "invite":
        raise Forbidden("an invite is needed to register", details={"reason": "invite_required"})
    return []


async def register(
    settings: Settings,
    *,
    username: str,
    password: str,
    display_name: str | None,
    invite_code: str | None,
) -> Registered:
    account = await signup.new_account(
        username=username, password=password, display_name=display_name
    )
    async with in_transaction():
        first = await admins.first_account()
        room_ids = [] if first else await _admitted(settings, invite_code)
        user = await signup.create_account(account, is_admin=first)
        joined = await join_invited(user, room_ids)
    return Registered(user, await signup.signed_in(settings, user, account), joined)
