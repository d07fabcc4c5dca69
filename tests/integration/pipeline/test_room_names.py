"""Public room names are unique (folded); private rooms and DMs may share names (issue 17 §4)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from backend.rooms.moderation import update_room
from backend.rooms.names import name_key
from backend.rooms.rooms import create_room
from backend.shapes.errors import AppError
from tests.integration.pipeline.conftest import make_user


def test_the_key_folds_case_width_and_spaces_and_only_public_rooms_have_one() -> None:
    assert name_key("public", "  General   Chat ") == name_key("public", "ｇｅｎｅｒａｌ chat")
    assert name_key("public", "Straße") == name_key("public", "STRASSE")
    assert name_key("private", "General") is None


async def test_a_taken_public_name_is_a_conflict_in_any_case(database: None) -> None:
    alice, bob = await make_user(), await make_user()
    name = f"General {uuid.uuid4().hex[:6]}"
    await create_room(alice, name=name, kind="public")
    for taken in (name.upper(), f"  {name.replace(' ', '   ')} "):
        with pytest.raises(AppError) as refused:
            await create_room(bob, name=taken, kind="public")
        assert (refused.value.status, refused.value.code) == (409, "conflict")
        assert "already exists" in refused.value.message


async def test_private_rooms_may_share_a_name_with_each_other_and_a_public_room(
    database: None,
) -> None:
    alice, bob = await make_user(), await make_user()
    name = f"Team {uuid.uuid4().hex[:6]}"
    rooms = [
        await create_room(alice, name=name, kind="public"),
        await create_room(alice, name=name, kind="private"),
        await create_room(bob, name=name, kind="private"),
    ]
    assert len({room.id for room in rooms}) == 3


async def test_two_racing_creators_get_one_room_and_one_conflict(database: None) -> None:
    name = f"Race {uuid.uuid4().hex[:6]}"
    users = [await make_user() for _ in range(4)]
    results = await asyncio.gather(
        *(create_room(user, name=name, kind="public") for user in users), return_exceptions=True
    )
    codes = sorted(getattr(r, "code", "created") for r in results)
    assert codes == ["conflict", "conflict", "conflict", "created"]


async def test_a_rename_onto_a_taken_public_name_is_a_conflict_and_changes_nothing(
    database: None,
) -> None:
    alice = await make_user()
    first, second = f"Alpha {uuid.uuid4().hex[:6]}", f"Beta {uuid.uuid4().hex[:6]}"
    await create_room(alice, name=first, kind="public")
    room = await create_room(alice, name=second, kind="public")
    with pytest.raises(AppError) as refused:
        await update_room(alice, room.id, {"name": first.lower(), "topic": "new"})
    assert refused.value.code == "conflict"
    await room.refresh_from_db()
    assert (room.name, room.topic) == (second, "")
    renamed = await update_room(alice, room.id, {"name": second.upper()})  # its own name
    assert renamed.name == second.upper()
    await update_room(alice, room.id, {"name": f"{second} 2"})
    await create_room(alice, name=second, kind="public")  # a renamed room lets its name go
