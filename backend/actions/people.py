"""Profiles, avatars and blocks (contract §6 "Profiles and blocking"), done then told.

A profile or avatar change reaches everyone who shares a room with the user (`user:updated`,
every node). A block is silent: the blocked user is told nothing; presence between the two
stops both ways (each is shown the other as offline, as if they had left).
"""

from __future__ import annotations

from typing import Any

from backend.accounts import blocking
from backend.accounts.models import User
from backend.accounts.profile import update_profile
from backend.actions.announcer import Announcer
from backend.rooms.members import room_ids_of
from backend.rooms.visibility import presence_peers
from backend.shapes.channels import room_channel, user_channel


async def change_profile(out: Announcer, user: User, changes: dict[str, Any]) -> User:
    user = await update_profile(user, **changes)
    await announce_user(out, user)
    return user


async def announce_user(out: Announcer, user: User) -> None:
    """The user's profile as it is now, to their own sockets and every room they are in."""
    targets = [user_channel(user.id), *(room_channel(r) for r in await room_ids_of(user.id))]
    await out.notifier.user_updated(user, to=targets)


async def block(out: Announcer, user: User, target: User) -> None:
    await blocking.block(user, target.id)
    await out.notifier.presence(user, False, to=user_channel(target.id))
    await out.notifier.presence(target, False, to=user_channel(user.id))


async def unblock(out: Announcer, user: User, target: User) -> None:
    await blocking.unblock(user, target.id)
    if await presence_peers(user.id, among=[target.id]):  # they may see each other again
        online = await out.presence.online([user.id, target.id])
        if target.id in online:
            await out.notifier.presence(target, True, to=user_channel(user.id))
        if user.id in online:
            await out.notifier.presence(user, True, to=user_channel(target.id))
