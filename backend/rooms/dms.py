"""Direct messages that outlive a leave (contract §6; issue 13, finding 8).

Leaving a DM hides it from the leaver; the next message in it (by either member) or `POST /dms`
restores both memberships, so the conversation re-opens for both. A member who was blocked by
the other cannot re-open, write, edit or react in it (`refuse_in_blocked_dm`).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from backend.accounts.blocking import refuse_if_blocked
from backend.accounts.models import Block
from backend.rooms.models import Membership, Message, Room
from backend.shapes.errors import Forbidden

_KNOWN_MAX = 100_000


def dm_pair(dm_key: str) -> tuple[int, int]:
    low, high = dm_key.split(":")
    return int(low), int(high)


def dm_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


async def refuse_in_blocked_dm(actor_id: int, room_id: int) -> None:
    """The room is a DM whose peer blocked the actor: an edit or a reaction would reach the
    peer, so it is refused like a send there (`forbidden`, the actor is not told why).

    One query for the (usual) actor blocked by nobody; a second only for one who is."""
    rows = await Block.filter(blocked_id=actor_id).values_list("blocker_id", flat=True)
    keys = [dm_key(actor_id, int(b)) for b in rows]  # type: ignore[call-overload]
    if keys and await Room.exists(id=room_id, dm_key__in=keys):
        raise Forbidden("this user does not accept that from you")


async def restore(room_id: int, pair: tuple[int, int]) -> list[int]:
    """Re-create missing memberships of a DM; returns who was restored."""
    rows = await Membership.filter(room_id=room_id).values_list("user_id", flat=True)
    present = {int(i) for i in rows}  # type: ignore[call-overload]
    restored: list[int] = []
    for user_id in pair:
        if user_id in present:
            continue
        wrote = await Message.exists(room_id=room_id, sender_id=user_id)
        try:
            await Membership.create(room_id=room_id, user_id=user_id, accepted=wrote)
        except IntegrityError:  # a concurrent re-open restored it first
            continue
        restored.append(user_id)
    return restored


class DmReopener:
    """Per gateway: which rooms are DMs (a room's kind never changes, so it is remembered)."""

    def __init__(self) -> None:
        self._keys: dict[int, str | None] = {}

    async def _dm_key(self, room_id: int) -> str | None:
        if room_id not in self._keys:
            room = await Room.get_or_none(id=room_id).only("id", "dm_key")
            if len(self._keys) >= _KNOWN_MAX:
                self._keys.clear()
            self._keys[room_id] = room.dm_key if room is not None else None
        return self._keys[room_id]

    async def before_send(self, room_id: int, user_id: int) -> list[int]:
        """For a DM of the sender: refuse if the peer blocked them, re-open it if hidden.

        Returns the users whose membership was restored (their sockets must enter the room
        before the message is queued). Not a DM, or not the sender's: nothing to do here.
        """
        key = await self._dm_key(room_id)
        if key is None:
            return []
        pair = dm_pair(key)
        if user_id not in pair:
            return []
        peer = pair[1] if pair[0] == user_id else pair[0]
        await refuse_if_blocked(actor_id=user_id, target_id=peer)
        if await Membership.filter(room_id=room_id).count() == 2:
            return []
        return await restore(room_id, pair)
