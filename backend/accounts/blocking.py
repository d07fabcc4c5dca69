"""Blocking (contract §6): the blocker stops receiving DMs and room adds from the blocked user
(in an existing DM no send, edit or reaction either: `chat.dms`), no mention or notification
from them (`chat.mentions`), and neither sees the other's presence. The blocked user is never
told (their DM or add is refused like any other `forbidden`)."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from backend.accounts.models import Block, User
from backend.shapes.errors import Forbidden, NotFound, ValidationFailed


async def block(user: User, target_id: int) -> None:
    if target_id == user.id:
        raise ValidationFailed(details={"user_id": ["cannot block yourself"]})
    if not await User.exists(id=target_id):
        raise NotFound("user not found")
    await Block.get_or_create(blocker_id=user.id, blocked_id=target_id)


async def unblock(user: User, target_id: int) -> None:
    if not await User.exists(id=target_id):
        raise NotFound("user not found")
    await Block.filter(blocker_id=user.id, blocked_id=target_id).delete()


async def refuse_if_blocked(*, actor_id: int, target_id: int) -> None:
    """`target` blocked `actor`: no DM or room add from the actor."""
    if await Block.exists(blocker_id=target_id, blocked_id=actor_id):
        raise Forbidden("this user does not accept that from you")


async def blocked_either_way(user_id: int, others: list[int]) -> set[int]:
    """Those of `others` who blocked the user or whom the user blocked."""
    if not others:
        return set()
    rows = await Block.filter(
        Q(blocker_id=user_id, blocked_id__in=others) | Q(blocked_id=user_id, blocker_id__in=others)
    ).values_list("blocker_id", "blocked_id")
    return {int(a) if int(b) == user_id else int(b) for a, b in rows}


def unblocked_either_way(user_id: int) -> Q:
    """A `User` filter: neither blocked by the user nor blocking them (`blocked_either_way`
    inside a users query, saving its round trip)."""
    blocked = Block.filter(blocker_id=user_id).values("blocked_id")
    blocking = Block.filter(blocked_id=user_id).values("blocker_id")
    return ~Q(id__in=Subquery(blocked)) & ~Q(id__in=Subquery(blocking))
