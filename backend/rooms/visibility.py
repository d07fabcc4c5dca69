"""Whose presence a user may see (issue 13, finding 7; contract §6 blocking).

Presence flows only between two users who share a room that both chose — created or joined it,
or wrote in it (`Membership.accepted`): being added to a room, or sent a DM, by a stranger
reveals nothing until one writes back — and never when either blocked the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.expressions import Q, Subquery

from backend.accounts.blocking import blocked_either_way, unblocked_either_way
from backend.accounts.models import User
from backend.rooms.models import Membership
from backend.rooms.notify import Members

PEERS_MAX = 500


async def presence_peers(
    user_id: int,
    *,
    among: list[int] | None = None,
    online: Callable[[list[int]], Awaitable[set[int]]] | None = None,
) -> list[int]:
    """Users who may see this user's presence, and whose presence this user may see; `online`
    keeps only those online (before blocks are read: a connect's peers are mostly offline)."""
    ids = await _sharing_a_room(user_id, among)
    if online is not None:
        ids = sorted(await online(ids))
    hidden = await blocked_either_way(user_id, ids)
    return [i for i in ids if i not in hidden]


async def online_peers(
    user_id: int,
    *,
    among: list[int] | None = None,
    online: Callable[[list[int]], Awaitable[set[int]]],
) -> list[User]:
    """`presence_peers(user_id, among=..., online=...)` as users, read with the blocks."""
    ids = sorted(await online(await _sharing_a_room(user_id, among)))
    if not ids:
        return []
    return await User.filter(Q(id__in=ids) & unblocked_either_way(user_id))


async def _sharing_a_room(user_id: int, among: list[int] | None) -> list[int]:
    """Up to `PEERS_MAX` users who share a room with the user that both chose."""
    if among is not None and not among:
        return []
    mine = Membership.filter(user_id=user_id, accepted=True).values_list("room_id", flat=True)
    query = Membership.filter(room_id__in=Subquery(mine), accepted=True).exclude(user_id=user_id)
    if among is not None:
        query = query.filter(user_id__in=among)
    rows = await query.distinct().limit(PEERS_MAX).values_list("user_id", flat=True)
    return [int(i) for i in rows]  # type: ignore[call-overload]


async def accept(pairs: set[tuple[int, int]], members: Members) -> None:
    """(room_id, user_id) members who wrote in their room: they chose it. `members`: their
    rooms' memberships, read in the same transaction (`mentions.room_members`)."""
    ids = [
        row["id"]
        for room_id, rows in members.items()
        for row in rows
        if not row["accepted"] and (room_id, row["user_id"]) in pairs
    ]
    if ids:
        await Membership.filter(id__in=ids).update(accepted=True)
