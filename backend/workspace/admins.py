"""Who runs the workspace (contract §7.1): the first account of an empty installation, then
whoever an admin (or `chatty admin grant`) names; the last active admin always stays one.

Changes to who is an admin take the workspace row's lock (PostgreSQL; SQLite runs one
transaction at a time anyway), so two at once cannot both pass a check the other one breaks:
two admins demoting each other, or two first registrations both finding no account.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.shapes.errors import Conflict, Forbidden, NotFound
from backend.workspace.models import ROW_ID, Workspace


async def lock() -> None:
    """Within a transaction: changes to who is an admin wait for each other from here."""
    await Workspace.filter(id=ROW_ID).select_for_update().first()


async def first_account() -> bool:
    """Within the registration's transaction: will this be the installation's first account?
    A second registration at the same moment waits for the first to commit, then sees it."""
    if await User.exists():
        return False
    await lock()
    return not await User.exists()


def require_admin(user: User) -> None:
    """Admin routes answer anyone else 403, whatever they ask for (nothing about what exists)."""
    if not user.is_admin or user.deactivated:
        raise Forbidden("workspace admins only")


async def refuse_last_admin(user: User, change: str = "demoted") -> None:
    """Within `lock()`: the last active admin cannot stop being one (409)."""
    if not user.is_admin or user.deactivated:
        return
    if not await User.filter(is_admin=True, deactivated=False).exclude(id=user.id).exists():
        raise Conflict(f"the last active admin cannot be {change}")


async def set_admin(is_admin: bool, **where: Any) -> tuple[User, bool]:
    """Grant or revoke the role of the user `where` names (`id=` or `username=`); the user,
    and whether anything changed."""
    async with in_transaction():
        await lock()
        user = await User.get_or_none(**where)
        if user is None:
            raise NotFound("user not found")
        if user.is_admin == is_admin:
            return user, False
        if not is_admin:
            await refuse_last_admin(user)
        user.is_admin = is_admin
        await user.save(update_fields=["is_admin"])
    return user, True
