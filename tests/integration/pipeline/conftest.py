"""The pipeline's stages in this process, on the in-process queue and a recording emitter,
against the run's PostgreSQL database and Redis (no processes): the quick part of the
integration tier. (Was tests/unit/conftest.py: the unit tier touches no database.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from backend.accounts.models import User
from backend.fanout.events import Notifier
from backend.infra.db import open_database
from backend.queue.envelope import InboundMessage
from backend.queue.memory import MemoryQueue
from backend.rooms.models import Membership, Message, Room
from backend.settings.config import Settings
from tests.support.procs import JWT_SECRET
from tests.support.recording import RecordingEmitter
from worker.apply.persist import Persister
from worker.apply.portable import PortableSends
from worker.apply.postgres import PostgresSends
from worker.consumer import Worker


@dataclass
class Pipeline:
    queue: MemoryQueue
    emitter: RecordingEmitter
    worker: Worker


@pytest.fixture
async def database(pg_url: str) -> AsyncIterator[None]:
    settings = Settings.from_env({}, database_url=pg_url, jwt_secret=JWT_SECRET)
    async with open_database(settings):
        yield


@pytest.fixture(params=["postgres-fast-path", "portable-path"])
def pipeline(request: pytest.FixtureRequest, database: None) -> Pipeline:
    """A worker with either send store: both adapters must keep the same rule."""
    store = PostgresSends() if request.param == "postgres-fast-path" else PortableSends()
    queue, emitter = MemoryQueue(max_len=1000), RecordingEmitter()
    worker = Worker(queue=queue, notifier=Notifier(emitter), persist=Persister(store), block_ms=10)
    return Pipeline(queue, emitter, worker)


async def make_user(name: str = "u") -> User:
    username = f"{name}{uuid.uuid4().hex[:10]}"
    return await User.create(
        username=username, display_name=name, password_hash="x", recovery_hash="x"
    )


async def make_room(*users: User, kind: str = "private") -> Room:
    room = await Room.create(name="room", kind=kind)
    for user in users:
        await Membership.create(room=room, user=user)
    return room


def change_entry(room: Room, actor: User, message: Message, op: str, body: str = "") -> bytes:
    """A queued change (edit, delete, moderator delete) of a stored message, encoded."""
    return InboundMessage(
        room_id=room.id,
        sender_id=actor.id,
        client_msg_id=message.client_msg_id,
        body=body,
        op=op,
        message_id=message.id,
    ).encode()
