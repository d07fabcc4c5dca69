"""Presence and typing: told only to those who may see them (`rooms.visibility`), through
their personal channels on every node. Neither is stored: there is no commit to wait for."""

from __future__ import annotations

from backend.accounts.models import User
from backend.actions.announcer import Announcer
from backend.rooms.visibility import presence_peers
from backend.shapes.channels import user_channel


async def announce_presence(out: Announcer, user: User, *, online: bool) -> None:
    """To the online users who may see the user's presence (each socket once, on every node)."""
    peers = await presence_peers(user.id, online=out.presence.online)
    if peers:
        await out.notifier.presence(user, online, to=[user_channel(p) for p in peers])


async def announce_arrival(
    out: Announcer, user: User, sid: str, *, first: bool, peers: list[User]
) -> None:
    """A new socket learns its online peers (`visibility.arrival`, filtered by presence) as
    `presence` events; if it is the user's first, those peers learn the user is online."""
    if first and peers:
        await out.notifier.presence(user, True, to=[user_channel(p.id) for p in peers])
    for peer in peers:
        await out.notifier.presence(peer, True, to=sid)


async def announce_typing(
    out: Announcer, user: User, room_id: int, typing: bool, *, sid: str
) -> None:
    """To the room's other sockets (the typist's own socket is skipped)."""
    await out.notifier.typing(room_id, user, typing, skip_sid=sid)
