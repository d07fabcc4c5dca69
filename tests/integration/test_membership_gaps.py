"""Issue 31, item 4: a removal is never lost, neither while a socket connects nor between the
gateway's ack and the worker's commit.

The connect's gap is held open by the test (the read of the user's rooms waits on an event the
test sets once the ban is done), so the race is replayed at its exact point, every run.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
import redis.asyncio as aioredis

from backend.accounts.models import User
from backend.api.keys import QUEUE, REDIS
from backend.fanout.events import Collector, Notifier
from backend.infra.db import open_database
from backend.queue.envelope import SEND, InboundMessage
from backend.queue.redis_streams import RedisStreamQueue
from backend.realtime import connection
from backend.rooms.models import Membership, Message, Room
from backend.settings.config import Settings
from backend.shapes.channels import user_channel
from backend.web.keys import SETTINGS
from chatty.compose import gateway_app
from tests.support.clients import Api, Live, pair_in_room
from worker.apply.persist import Persister, SendStore
from worker.apply.portable import PortableSends
from worker.apply.postgres import PostgresSends
from worker.consumer import Worker

pytestmark = pytest.mark.integration
Serve = Callable[..., Awaitable[tuple[str, Any]]]


@pytest.fixture
def serve(pg_settings: Settings, aiohttp_server: Callable[..., Any]) -> Serve:
    """The distributed system (gateway and its worker) in this process: (url, app)."""

    async def start(**changes: Any) -> tuple[str, Any]:
        stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
        settings = replace(pg_settings, inbound_stream=stream, **changes)
        server = await aiohttp_server(gateway_app(settings, with_worker=True))
        return f"http://127.0.0.1:{server.port}", server.app

    return start


async def test_a_ban_while_the_socket_connects_still_takes_it_out_of_the_room(
    serve: Serve,
    api_at: Callable[[str], Api],
    lives: list[Live],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = await serve()
    alice, bob, room = await pair_in_room(api_at(url), api_at(url))
    read, release = asyncio.Event(), asyncio.Event()
    real_arrival = connection.arrival

    async def held_open(user_id: int) -> Any:
        """The connect's read of bob's rooms, then the gap held until the ban is done."""
        reads = await real_arrival(user_id)
        if user_id == bob.id:
            read.set()
            await release.wait()
        return reads

    monkeypatch.setattr(connection, "arrival", held_open)
    connecting = asyncio.create_task(Live.connect(url, bob.token))
    await read.wait()  # bob's rooms were read: the room is among them
    await alice.api.call(
        "POST", f"/api/v1/rooms/{room['id']}/bans", {"user_id": bob.id}, expect=204
    )
    release.set()
    live = await connecting
    lives.append(live)
    await live.wait_until(lambda: bool(live.events["room:removed"]))
    assert live.events["room:removed"] == [
        {"room_id": room["id"], "reason": "kicked", "banned": True}
    ]
    # Out of the room's channel, so no longer taken for a member: the send is refused.
    refused = await live.send(room["id"], "still here?")
    assert (refused["ok"], refused["error"]["code"]) == (False, "forbidden")
    # And nothing of the room reaches him (a fence in a room of his own, then the check).
    watcher = await Live.connect(url, alice.token)
    lives.append(watcher)
    assert (await watcher.send(room["id"], "after the ban"))["ok"]
    await watcher.wait_until(lambda: len(watcher.messages(room["id"])) == 1)
    own = await bob.api.create_room()
    await live.fence(own["id"])
    assert live.messages(room["id"]) == []


async def test_a_send_acked_before_a_kick_is_refused_by_the_worker_and_the_sender_told(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    """The gateway's check passed (the send is in the queue), then the sender was kicked: the
    worker refuses it under the room's lock, parks it with its reason, tells the sender."""
    url, app = await serve()
    alice, bob, room = await pair_in_room(api_at(url), api_at(url))
    live = await Live.connect(url, bob.token)
    lives.append(live)
    await alice.api.call("DELETE", f"/api/v1/rooms/{room['id']}/members/{bob.id}", expect=204)
    cmid = str(uuid.uuid4())
    queued = InboundMessage(
        room_id=room["id"], sender_id=bob.id, client_msg_id=cmid, body="sneaked in", op=SEND
    )
    await app[QUEUE].publish(queued.encode(), room_id=room["id"])
    await live.wait_until(lambda: bool(live.events["message:rejected"]))
    assert live.events["message:rejected"] == [
        {
            "room_id": room["id"],
            "client_msg_id": cmid,
            "error": {"code": "forbidden", "message": "not a member of this room"},
        }
    ]
    assert await alice.api.all_history(room["id"]) == []
    redis = app[REDIS]
    assert redis is not None
    dead = await redis.xrange(f"{app[SETTINGS].inbound_stream}.dead")
    assert [fields[b"reason"] for _, fields in dead] == [b"not_a_member"]


@pytest.mark.parametrize("store", [PostgresSends(), PortableSends()], ids=["pg", "portable"])
async def test_the_worker_stores_nothing_for_a_non_member_on_either_store(
    store: SendStore, pg_url: str, redis_url: str
) -> None:
    """An envelope appended straight to the real queue (as a gateway that checked before a
    ban would have): parked as `not_a_member`, no row, no seq taken; a member's send in the
    same batch is stored with the room's next seq."""
    settings = Settings.from_env({}, database_url=pg_url, jwt_secret="x" * 32)
    client = aioredis.Redis.from_url(redis_url)
    stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
    queue = RedisStreamQueue(client, stream=stream, max_len=1000, claim_idle_ms=60_000)
    collected = Collector()
    worker = Worker(
        queue=queue, notifier=Notifier(collected), persist=Persister(store), block_ms=10
    )
    try:
        async with open_database(settings):
            member, outsider = await _user(), await _user()
            room = await Room.create(name="room", kind="private")
            await Membership.create(room=room, user=member)
            assert not await Membership.exists(room_id=room.id, user_id=outsider.id)
            for sender, cmid in ((outsider, "from-outsider"), (member, "from-member")):
                entry = InboundMessage(
                    room_id=room.id, sender_id=sender.id, client_msg_id=cmid, body="hi", op=SEND
                )
                await queue.publish(entry.encode(), room_id=room.id)
            assert await worker.run_burst() == 2
            stored = await Message.filter(room_id=room.id).values_list("client_msg_id", "seq")
            assert stored == [("from-member", 1)]
        dead = await client.xrange(f"{stream}.dead")
        assert [fields[b"reason"] for _, fields in dead] == [b"not_a_member"]
        rejected = [e for e in collected.emissions if e.event == "message:rejected"]
        assert [(e.room, e.data["client_msg_id"]) for e in rejected] == [
            (user_channel(outsider.id), "from-outsider")
        ]
    finally:
        await client.aclose()


async def _user() -> User:
    name = f"u{uuid.uuid4().hex[:12]}"
    return await User.create(username=name, display_name=name, password_hash="x", recovery_hash="x")
