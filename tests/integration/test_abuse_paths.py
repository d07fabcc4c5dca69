"""Issue 31, items 7, 10 and 11: a block covers every write that reaches the blocker, mentions
keep the `@room` rule however they are spelled, and refused events pay their rate first.

The distributed system runs in this process (PostgreSQL + Redis, gateway with its worker), with
tiny limits where a limit is under test (a bucket of one that refills in 100 s: the second
attempt is refused whatever the machine's speed).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from backend.accounts.models import User as UserRow
from backend.rooms.models import Membership
from tests.support.clients import Api, Live, User, pair_in_room

pytestmark = pytest.mark.integration
Serve = Callable[..., Awaitable[str]]
SLOW = 0.01  # tokens per second: a bucket's next token is 100 s away


async def _live(url: str, user: User, lives: list[Live]) -> Live:
    lives.append(await Live.connect(url, user.token))
    return lives[-1]


async def _rooms(user: User) -> dict[int, dict[str, Any]]:
    _, body = await user.api.call("GET", "/api/v1/rooms", expect=200)
    return {room["id"]: room for room in body["rooms"]}


def _code(ack: dict[str, Any]) -> str | None:
    return None if ack["ok"] else str(ack["error"]["code"])


# --- item 7: blocks inside an existing DM ---------------------------------------------------------


async def test_a_blocked_user_can_neither_edit_nor_react_in_the_dm_with_the_blocker(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve()
    api = api_at(url)
    alice, bob = await api.register(), await api.register()
    _, dm = await alice.api.call("POST", "/api/v1/dms", {"user_id": bob.id}, expect=200)
    a, b = await _live(url, alice, lives), await _live(url, bob, lives)
    assert (await a.send(dm["id"], "hello"))["ok"]
    assert (await b.send(dm["id"], "hi alice"))["ok"]
    await a.wait_until(lambda: len(a.messages(dm["id"])) == 2)
    hers, his = a.messages(dm["id"])
    await alice.api.call("POST", f"/api/v1/users/{bob.id}/block", expect=204)
    # The same answer as a send there: `forbidden`, not told why.
    assert _code(await b.send(dm["id"], "are you there?")) == "forbidden"
    edit = await b.call("message:edit", {"message_id": his["id"], "body": "something nasty"})
    assert _code(edit) == "forbidden"
    react = await b.call("reaction:add", {"message_id": hers["id"], "emoji": ":clown_face:"})
    assert _code(react) == "forbidden"
    own = await alice.api.create_room()
    await a.fence(own["id"])
    assert a.events["message:updated"] == []
    # Taking his own things back stays allowed (it adds nothing that reaches her).
    assert (await b.call("message:delete", {"message_id": his["id"]}))["ok"]


# --- item 10: mentions --------------------------------------------------------------------------


async def test_naming_54_members_follows_the_room_rule_and_a_blocker_is_not_mentioned(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve()
    api = api_at(url)
    alice, bob = await api.register(), await api.register()
    room = await alice.api.create_room("public")  # over 50 members: notified of mentions only
    await alice.api.add_member(room["id"], bob.id)
    ids: list[int] = []
    others = [await api.register(), await api.register()]  # these two log in
    for other in others:
        await alice.api.add_member(room["id"], other.id)
    names = [o.name for o in others]
    for _ in range(52):  # the rest only need to be members (registering costs argon2 each)
        name = f"m{uuid.uuid4().hex[:12]}"
        row = await UserRow.create(
            username=name, display_name=name, password_hash="x", recovery_hash="x"
        )
        await Membership.create(room_id=room["id"], user_id=row.id)
        names.append(name)
        ids.append(row.id)
    listed = " ".join(f"@{n}" for n in names)
    b = await _live(url, bob, lives)
    watcher = await _live(url, others[0], lives)
    assert (await b.send(room["id"], f"hey {listed}"))["ok"]
    await b.wait_until(lambda: len(b.messages(room["id"])) == 1)
    assert b.messages(room["id"])[0]["mentions"] == [], "a member is not an admin"
    assert (await _rooms(others[0]))[room["id"]]["mention_count"] == 0
    # The owner may (as with `@room`).
    a = await _live(url, alice, lives)
    assert (await a.send(room["id"], f"all hands {listed}"))["ok"]
    await a.wait_until(lambda: len(a.messages(room["id"])) == 1)
    assert a.messages(room["id"])[0]["mentions"] == sorted([o.id for o in others] + ids)
    await watcher.wait_until(lambda: len(watcher.events["notification"]) == 1)
    assert watcher.events["notification"][0]["kind"] == "mention"
    # A member who blocked bob gets no mention (and no mention_count) from him.
    carol = others[1]
    await carol.api.call("POST", f"/api/v1/users/{bob.id}/block", expect=204)
    assert (await b.send(room["id"], f"@{carol.name} look"))["ok"]
    await b.wait_until(lambda: len(b.messages(room["id"])) == 3)
    assert b.messages(room["id"])[2]["mentions"] == []
    assert (await _rooms(carol))[room["id"]]["mention_count"] == 1  # the owner's only


# --- item 11: refused events pay first ------------------------------------------------------------


async def test_refused_typing_and_history_fetches_are_charged(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live]
) -> None:
    url = await serve(live_events_per_second=SLOW, read_rate=SLOW, read_burst=1)
    api = api_at(url)
    alice, mallory = await api.register(), await api.register()
    room = await alice.api.create_room("private")
    m = await _live(url, mallory, lives)
    typing = {"room_id": room["id"], "typing": True}
    assert _code(await m.call("typing", typing)) == "forbidden"
    assert _code(await m.call("typing", typing)) == "rate_limited"
    fetch = {"room_id": room["id"]}
    assert _code(await m.call("history:fetch", fetch)) == "forbidden"
    assert _code(await m.call("history:fetch", fetch)) == "rate_limited"


class _Statements(logging.Handler):
    """The SQL statements Tortoise sends (its client logs each at DEBUG), for a while."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sent: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.sent.append(record.getMessage())


@pytest.fixture
def statements() -> Iterator[_Statements]:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_a_refused_moderator_delete_is_charged_before_the_message_is_looked_up(
    serve: Serve, api_at: Callable[[str], Api], lives: list[Live], statements: _Statements
) -> None:
    url = await serve(message_rate=SLOW, message_burst=1)
    alice, bob, room = await pair_in_room(api_at(url), api_at(url))
    a, b = await _live(url, alice, lives), await _live(url, bob, lives)
    assert (await a.send(room["id"], "mine"))["ok"]
    await b.wait_until(lambda: len(b.messages(room["id"])) == 1)
    target = {"message_id": b.messages(room["id"])[0]["id"]}
    assert _code(await b.call("message:delete", target)) == "forbidden"  # not an admin
    statements.sent.clear()
    assert _code(await b.call("message:delete", target)) == "rate_limited"
    assert [s for s in statements.sent if '"messages"' in s] == []
