"""Invites (contract §7.1): a code an admin hands out that lets up to `max_uses` people
register (also while registration is `invite`) and puts them in the invite's rooms.

The code is 192 random bits, kept only as its SHA-256 and shown once. A use is one conditional
UPDATE (`uses < max_uses`, not expired, not deleted): concurrent registrations with one code
queue on its row, and exactly `max_uses` of them get in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F

from backend.accounts.models import User
from backend.rooms.models import Membership, Room
from backend.shapes.errors import Forbidden, NotFound, ValidationFailed
from backend.shapes.serialize import iso, user_dict
from backend.workspace.models import Invite

CODE_BYTES = 24
INVALID = "invite_invalid"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def invite_url(code: str) -> str:
    """Where the SPA shows its register screen with the code filled in (a fragment: browsers
    send it to no server, so it stays out of access logs and `Referer`)."""
    return f"/#/register?invite={code}"


def invite_dict(invite: Invite, creator: User) -> dict[str, Any]:
    return {
        "id": invite.id,
        "max_uses": invite.max_uses,
        "uses": invite.uses,
        "expires_at": iso(invite.expires_at),
        "room_ids": list(invite.room_ids),
        "created_by": user_dict(creator),
    }


async def _invitable(actor: User, room_ids: list[int]) -> list[int]:
    """The rooms an admin may invite to: public rooms, and private rooms they are in. Any other
    id (a DM, someone else's private room, no room) is refused alike."""
    wanted = list(dict.fromkeys(room_ids))
    rooms = await Room.filter(id__in=wanted).exclude(kind="dm") if wanted else []
    mine = set(
        await Membership.filter(user_id=actor.id, room_id__in=wanted).values_list(
            "room_id", flat=True
        )
        if wanted
        else []
    )
    allowed = {room.id for room in rooms if room.kind == "public" or room.id in mine}
    refused = [room_id for room_id in wanted if room_id not in allowed]
    if refused:
        raise ValidationFailed(details={"room_ids": [f"no room to invite to: {refused[0]}"]})
    return wanted


async def create(
    actor: User, *, max_uses: int, expires_in: int, room_ids: list[int]
) -> dict[str, Any]:
    """A new invite, with its code and URL (shown only in this answer)."""
    code = secrets.token_urlsafe(CODE_BYTES)
    invite = await Invite.create(
        code_hash=_hash(code),
        max_uses=max_uses,
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        room_ids=await _invitable(actor, room_ids),
        created_by=actor,
    )
    return {**invite_dict(invite, actor), "code": code, "url": invite_url(code)}


async def listing() -> list[dict[str, Any]]:
    """Every invite not deleted, newest first (used up and expired ones too), without codes."""
    rows = await Invite.filter(deleted_at=None).select_related("created_by").order_by("-id")
    return [invite_dict(row, row.created_by) for row in rows]


async def delete(invite_id: int) -> None:
    """Refused from now on; gone from the list. An unknown or deleted one → 404."""
    now = datetime.now(UTC)
    if not await Invite.filter(id=invite_id, deleted_at=None).update(deleted_at=now):
        raise NotFound("invite not found")


async def use(code: str) -> list[int]:
    """Within the registration's transaction: take one use of a live invite; its room ids.
    Unknown, used up, expired or deleted → 403 `invite_invalid`."""
    live = Invite.filter(
        code_hash=_hash(code),
        deleted_at=None,
        expires_at__gt=datetime.now(UTC),
        uses__lt=F("max_uses"),
    )
    if not await live.update(uses=F("uses") + 1):
        raise Forbidden("this invite is not valid", details={"reason": INVALID})
    invite = await Invite.get(code_hash=_hash(code))
    return [int(room_id) for room_id in invite.room_ids]
