"""Who sees whose presence: a connect's two readings of it (ids, and users read with the blocks
in one query) keep one rule."""

from __future__ import annotations

from backend.accounts.models import Block, User
from backend.rooms.arrival import arrival
from backend.rooms.models import Membership
from backend.rooms.visibility import online_peers, presence_peers
from tests.integration.pipeline.conftest import make_room, make_user


async def test_blocks_either_way_and_offline_users_are_left_out_of_both_readings(
    database: None,
) -> None:
    alice, bob, carol, dave, erin = [await make_user(n) for n in "abcde"]
    room = await make_room(alice, bob, carol, dave, erin)
    await Membership.filter(room_id=room.id).update(accepted=True)
    await Block.create(blocker_id=alice.id, blocked_id=bob.id)  # alice blocked bob
    await Block.create(blocker_id=carol.id, blocked_id=alice.id)  # carol blocked alice
    online_now = {bob.id, carol.id, dave.id}  # erin is offline

    async def online(ids: list[int]) -> set[int]:
        return {i for i in ids if i in online_now}

    assert await presence_peers(alice.id, online=online) == [dave.id]
    peers: list[User] = await online_peers(alice.id, online=online)
    assert [p.id for p in peers] == [dave.id]
    assert sorted(await presence_peers(alice.id)) == sorted([dave.id, erin.id])


async def test_a_connects_single_read_gives_its_rooms_and_the_same_peers(database: None) -> None:
    alice, bob, carol, dave, erin = [await make_user(n) for n in "abcde"]
    room = await make_room(alice, bob, carol, dave)
    await Membership.filter(room_id=room.id).exclude(user_id=dave.id).update(accepted=True)
    other = await make_room(alice, erin)  # erin's room: alice is added, neither chose it
    await Block.create(blocker_id=bob.id, blocked_id=alice.id)

    reads = await arrival(alice.id)

    assert reads.user is not None
    assert (reads.user.id, reads.user.session_version) == (alice.id, alice.session_version)
    assert sorted(reads.rooms) == sorted([room.id, other.id])
    assert [p.id for p in reads.peers] == await presence_peers(alice.id) == [carol.id]
    assert reads.peers[0].username == carol.username
    assert reads.peers[0].created_at == (await User.get(id=carol.id)).created_at
    assert (await arrival(erin.id + 1000)).user is None  # no such account
