"""Membership changes, told to everyone concerned on every gateway node.

Called by REST routes and socket handlers alike: a join or leave moves every socket of the user
(membership sync) and tells the room (notifier); room-mates who may see each other learn each
other's presence (`rooms.visibility`).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.actions.announcer import Announcer
from backend.rooms import members
from backend.rooms.dms import DmReopener
from backend.rooms.visibility import online_peers
from backend.shapes.channels import user_channel


async def announce_join(out: Announcer, user: User, room_id: int) -> None:
    """Every socket of the user, on every node, enters the room; members are told."""
    await out.membership.changed(user_id=user.id, room_id=room_id, joined=True)
    await out.notifier.member_joined(room_id, user)
    # Room-mates who may see each other learn each other's presence now.
    present = [member.id for member, _, _ in await members.members(room_id)]
    peers = await online_peers(user.id, among=present, online=out.presence.online)
    if peers and user.id in await out.presence.online([user.id]):
        await out.notifier.presence(user, True, to=[user_channel(p.id) for p in peers])
    for peer in peers:
        await out.notifier.presence(peer, True, to=user_channel(user.id))


async def leave_and_announce(out: Announcer, user: User, room_id: int) -> None:
    """All or nothing: the membership goes only once every node was told to move the user's
    sockets out (Redis away → `unavailable`, and the user is still a member)."""
    async with in_transaction():
        await members.leave_room(user, room_id)
        await out.membership.changed(user_id=user.id, room_id=room_id, joined=False)
    await out.notifier.member_left(room_id, user, also_to=user.id)


async def mark_read_and_announce(out: Announcer, user: User, room_id: int, seq: int) -> None:
    """Stored within the read limit; told to the room only when the marker moved and within
    the live-event limit (a skipped receipt is carried by the next one)."""
    await out.limits.read(user.id)
    moved_to = await members.mark_read(user, room_id, seq)
    if moved_to is not None and await out.limits.live_event_allowed(user.id):
        await out.notifier.read(room_id, user.id, moved_to)


async def announce_removed(
    out: Announcer, room_id: int, users: list[User], reason: str, *, banned: bool = False
) -> None:
    """Kicked, banned or the room deleted: the users' sockets leave it on every node first,
    then they are told (`room:removed`); nothing of the room reaches them after that."""
    notice = out.notifier.removal_notice(room_id, reason, banned=banned)
    for user in users:
        await out.membership.removed(user_id=user.id, room_id=room_id, notice=notice)


async def announce_new_room(out: Announcer, room_id: int, user_ids: list[int]) -> None:
    """A room just made (created, or a DM opened): its members' sockets enter it."""
    for user_id in user_ids:
        await out.membership.changed(user_id=user_id, room_id=room_id, joined=True)


async def reopen_dm(out: Announcer, dms: DmReopener, user: User, room_id: int) -> None:
    """Before a send to a DM the peer had hidden (`inbound.send`'s `before_queue`): the peer's
    membership is restored and their sockets enter the room, so the message reaches them."""
    restored = await dms.before_send(room_id, user.id)
    if restored:
        await announce_new_room(out, room_id, restored)
