"""Membership and presence changes, told to everyone concerned on every gateway node.

Called by REST routes, socket handlers and the presence loop alike: a join or leave moves every
socket of the user (membership sync) and tells the room (notifier).
"""

from __future__ import annotations

from backend.accounts.models import User
from backend.chat import members
from backend.realtime.events import room_channel, user_channel
from backend.runtime import Runtime


async def announce_presence(
    rt: Runtime, user: User, *, online: bool, room_ids: list[int] | None = None
) -> None:
    """To everyone who shares a room with the user (each socket once, on every node)."""
    rooms = room_ids if room_ids is not None else await members.room_ids_of(user.id)
    if rooms:
        await rt.notifier.presence(user, online, to=[room_channel(r) for r in rooms])


async def announce_join(rt: Runtime, user: User, room_id: int) -> None:
    """Every socket of the user, on every node, enters the room; members are told."""
    await rt.membership.changed(user_id=user.id, room_id=room_id, joined=True)
    await rt.notifier.member_joined(room_id, user)
    # New room-mates learn each other's presence now, not at their next reconnect.
    present = [member for member, _ in await members.members(room_id)]
    online = await rt.presence.online([member.id for member in present])
    if user.id in online:
        await rt.notifier.presence(user, True, to=room_channel(room_id))
    for member in present:
        if member.id in online and member.id != user.id:
            await rt.notifier.presence(member, True, to=user_channel(user.id))


async def announce_leave(rt: Runtime, user: User, room_id: int) -> None:
    await rt.notifier.member_left(room_id, user)
    await rt.membership.changed(user_id=user.id, room_id=room_id, joined=False)


async def announce_new_room(rt: Runtime, room_id: int, user_ids: list[int]) -> None:
    """A room just made (created, or a DM opened): its members' sockets enter it."""
    for user_id in user_ids:
        await rt.membership.changed(user_id=user_id, room_id=room_id, joined=True)
