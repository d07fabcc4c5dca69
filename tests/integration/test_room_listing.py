"""`GET /api/v1/rooms` (issue 31, item 6): one statement counts every room's mentions, and the
listing has a rate limit of its own."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from backend.accounts.models import User
from backend.gateway.app import create_app
from backend.infra.db import open_database
from backend.rooms.models import Membership, Mention, Message, Room
from backend.rooms.rooms import room_dicts
from backend.settings.config import Settings
from tests.support.clients import Api

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(pg_settings: Settings) -> AsyncIterator[None]:
    async with open_database(pg_settings):
        yield


async def _user(name: str) -> User:
    username = f"{name}{uuid.uuid4().hex[:10]}"
    return await User.create(
        username=username, display_name=name, password_hash="x", recovery_hash="x"
    )


async def test_mention_counts_of_every_unread_room_are_one_statement(
    database: None, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = await _user("alice"), await _user("bob")
    rooms, expected = [], {}
    for n in range(6):
        room = await Room.create(name=f"r{n}", kind="private", last_seq=3)
        await Membership.create(room=room, user=alice, last_read_seq=1 if n % 2 else 0)
        for seq in range(1, 4):
            message = await Message.create(
                room=room, seq=seq, sender=bob, body="@alice", client_msg_id=f"c-{n}-{seq}-xyz"
            )
            if seq <= n % 3 + 1:  # mentions at seq 1..k; the odd rooms have read seq 1
                await Mention.create(
                    message=message, user=alice, room_id=room.id, seq=seq, kind="mention"
                )
        expected[room.id] = sum(1 for seq in range(1, n % 3 + 2) if seq > (1 if n % 2 else 0))
        rooms.append(room)
    caplog.set_level(logging.DEBUG, logger="tortoise.db_client")
    listed = await room_dicts(alice, rooms)
    assert {r["id"]: r["mention_count"] for r in listed} == expected
    statements = [r.getMessage() for r in caplog.records if r.name == "tortoise.db_client"]
    on_mentions = [s for s in statements if '"mentions"' in s or "mentions mn" in s]
    assert len(on_mentions) == 1, on_mentions


async def test_the_room_listing_is_rate_limited(
    pg_settings: Settings, aiohttp_server: Callable[..., Any], api_at: Callable[[str], Api]
) -> None:
    settings = replace(
        pg_settings,
        inbound_stream=f"chat.inbound.test.{uuid.uuid4().hex[:8]}",
        room_list_per_minute=2,
    )
    server = await aiohttp_server(create_app(settings))
    alice = await api_at(f"http://127.0.0.1:{server.port}").register()
    for _ in range(2):
        await alice.api.call("GET", "/api/v1/rooms", expect=200)
    status, body = await alice.api.call("GET", "/api/v1/rooms")
    assert status == 429
    assert body["error"]["code"] == "rate_limited"
