"""Admission control (issue 12): past its delivery budget a gateway refuses sends with
`unavailable` + `retry_after`, queues nothing of them, and every acknowledged message is still
stored once and delivered; a retry with the same client_msg_id goes through once it drains."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

from tests.support.clients import Api, Live, pair_in_room
from tests.support.procs import Cluster

pytestmark = pytest.mark.integration


async def test_past_its_budget_a_gateway_refuses_with_retry_after_and_loses_nothing(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api]
) -> None:
    c = cluster(CHATTY_DELIVERY_BUDGET_MS="400")
    node = c.gateway()  # no worker yet: nothing is read, so the oldest entry only ages
    alice, bob, room = await pair_in_room(api_at(node.url), api_at(node.url))
    sender, member = (
        await Live.connect(node.url, alice.token),
        await Live.connect(node.url, bob.token),
    )
    try:
        acked: list[str] = []
        refused = None
        for n in range(5000):  # until the first entry has waited past half the budget
            cmid = str(uuid.uuid4())
            ack = await sender.send(room["id"], f"m{n}", cmid)
            if not ack["ok"]:
                refused = (cmid, n, ack["error"])
                break
            acked.append(cmid)
        assert refused is not None, "never refused"
        cmid, n, error = refused
        assert error["code"] == "unavailable"
        assert isinstance(error["retry_after"], int)
        assert error["retry_after"] >= 1

        c.worker()
        await member.wait_until(lambda: len(member.messages(room["id"])) >= len(acked))
        for _ in range(100):  # as a client retries (pacing a poll, not waiting for a result)
            if (await sender.send(room["id"], f"m{n}", cmid))["ok"]:
                break
            await asyncio.sleep(0.1)
        acked.append(cmid)
        await member.wait_until(lambda: len(member.messages(room["id"])) == len(acked))
        received = [m["client_msg_id"] for m in member.messages(room["id"])]
        assert received == acked, "each acknowledged message once, in order"
        assert [m["seq"] for m in member.messages(room["id"])] == list(range(1, len(acked) + 1))
    finally:
        await sender.close()
        await member.close()
