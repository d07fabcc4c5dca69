"""Mentions and notifications (contract §6): who a new message concerns, and how much.

The worker reads `@username` (members only) and `@room` from the cleaned body, outside code, in
the send's own transaction (`concerned`): each concerned member gets a `Mention` row ("mention",
or "reply" for the author of the replied-to message), which `mention_count` counts against their
read marker. Then each member is due a `notification` by their `notify` level — never the
sender, never a member who blocked the sender (who gets no Mention row from them either, so no
`mention_count`).

`@room` needs an admin in a room over `BIG_ROOM` members; the same rule holds for many names:
a member who is not an admin naming `BIG_ROOM` or more members in one body mentions none of
them (the names stay text), so listing 54 usernames is no way around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from backend.accounts.models import Block
from backend.rooms.models import Membership, Mention, Message

BIG_ROOM = 50  # members: `@room` needs an admin above it; public rooms default to "mentions"
LEVELS = ("all", "mentions", "none")
_CODE = re.compile(r"<(pre|code)>.*?</\1>", re.S)
_TAG = re.compile(r"<[^>]*>")
_NAME = re.compile(r"(?<![\w@/.])@([a-z0-9_.-]{3,32})", re.I)
Due = tuple[tuple[int, str], ...]  # (user id, notification kind)


def notify_level(stored: str | None, *, kind: str, member_count: int) -> str:
    if stored:
        return stored
    return "mentions" if kind == "public" and member_count > BIG_ROOM else "all"


def mentioned_names(body: str) -> set[str]:
    """Lower-cased names after `@` in the text of a cleaned body, not inside code."""
    if "@" not in body:  # most messages: no regex over them
        return set()
    text = _TAG.sub(" ", _CODE.sub(" ", body))
    return {m.group(1).lower().rstrip(".-") for m in _NAME.finditer(text)}


Members = dict[int, list[dict[str, Any]]]  # room id → its memberships, as `room_members` reads


async def room_members(messages: Sequence[dict[str, Any]]) -> Members:
    """One query for the rooms of these new messages: who is in them, with role, notify level,
    acceptance and the room's kind; usernames only when a body names someone (most don't)."""
    room_ids = {int(m["room_id"]) for m in messages}
    members: Members = {r: [] for r in room_ids}
    if not room_ids:
        return members
    fields = ("id", "room_id", "user_id", "role", "notify", "accepted", "room__kind")
    named = any("@" in m["body"] for m in messages)
    for row in await Membership.filter(room_id__in=room_ids).values(
        *fields, *(("user__username",) if named else ())
    ):
        members[row["room_id"]].append(row)
    return members


async def concerned(
    messages: Sequence[dict[str, Any]], members: Members
) -> list[tuple[list[int], Due]]:
    """For each new message: its `mentions` and the notifications due. Writes Mention rows."""
    if not messages:
        return []
    rooms = {room: rows[0]["room__kind"] for room, rows in members.items() if rows}
    senders = {int(m["sender"]["id"]) for m in messages}
    blocks = set(await Block.filter(blocked_id__in=senders).values_list("blocker_id", "blocked_id"))
    targets = [m["reply_to"]["id"] for m in messages if m.get("reply_to")]
    authors = (
        dict(await Message.filter(id__in=targets).values_list("id", "sender_id")) if targets else {}
    )
    result, rows = [], []
    for message in messages:
        mentioned, replied, due = _one(message, rooms, members, blocks, authors)
        for user_id in mentioned | replied:
            kind = "mention" if user_id in mentioned else "reply"
            rows.append(
                Mention(
                    message_id=message["id"],
                    user_id=user_id,
                    room_id=message["room_id"],
                    seq=message["seq"],
                    kind=kind,
                )
            )
        result.append((sorted(mentioned), due))
    if rows:
        await Mention.bulk_create(rows)
    return result


def _one(
    message: dict[str, Any],
    rooms: dict[int, str],
    members: dict[int, list[dict[str, Any]]],
    blocks: set[tuple[int, int]],
    authors: dict[int, int],
) -> tuple[set[int], set[int], Due]:
    room_id, sender = int(message["room_id"]), int(message["sender"]["id"])
    everyone = members.get(room_id, [])
    names = mentioned_names(message["body"])
    by_name = {row["user__username"]: row["user_id"] for row in everyone if names}
    mentioned = {by_name[n] for n in names if n in by_name} - {sender}
    role = next((row["role"] for row in everyone if row["user_id"] == sender), "member")
    admin = role in ("owner", "admin")
    if len(mentioned) + 1 > BIG_ROOM and not admin:  # as many as an `@room` of a big room
        mentioned = set()
    if "room" in names and (len(everyone) <= BIG_ROOM or admin):
        mentioned |= {row["user_id"] for row in everyone} - {sender}
    blockers = {user_id for user_id, blocked in blocks if blocked == sender}
    mentioned -= blockers
    target = message["reply_to"]["id"] if message.get("reply_to") else None
    author = authors.get(target) if target else None
    in_room = {row["user_id"] for row in everyone}
    replied = {author} & in_room - {sender} - blockers if author is not None else set()
    kind = rooms.get(room_id, "private")
    due: list[tuple[int, str]] = []
    for row in everyone:
        user_id = row["user_id"]
        if user_id == sender or (user_id, sender) in blocks:
            continue
        level = notify_level(row["notify"], kind=kind, member_count=len(everyone))
        why = (
            "mention"
            if user_id in mentioned
            else "reply"
            if user_id in replied
            else "dm"
            if kind == "dm"
            else "message"
        )
        if level == "all" or (level == "mentions" and why != "message"):
            due.append((user_id, why))
    return mentioned, replied, tuple(due)


async def with_mentions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each message's `mentions`: the ids it names (an `@room` names every member then)."""
    ids = [m["id"] for m in messages]
    rows = (
        await Mention.filter(message_id__in=ids, kind="mention")
        .order_by("user_id")
        .values_list("message_id", "user_id")
        if ids
        else []
    )
    named: dict[int, list[int]] = {}
    for message_id, user_id in rows:
        named.setdefault(int(message_id), []).append(int(user_id))
    for message in messages:
        message["mentions"] = named.get(message["id"], [])
    return messages
