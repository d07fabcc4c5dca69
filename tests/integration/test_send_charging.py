"""Every send pays its sender's message rate before any rendering, refused ones included
(issue 31 item 1): a body refused once rendered cost the gateway its rendering for free."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from backend.settings.config import Settings
from chatty.compose import gateway_app
from tests.support.clients import Api, Connect

pytestmark = pytest.mark.integration

BURST = 3
# Each renders and cleans to nothing: refused as `validation_error` by the gateway.
REFUSED = ["<script>alert(1)</script>", "![x](https://example.com/x.png)", "<p></p>"]


@pytest.fixture
async def slow_rate_url(pg_settings: Settings, aiohttp_server: Callable[..., Any]) -> str:
    """The distributed system in this process, with a burst of 3 and almost no refill."""
    settings = replace(
        pg_settings,
        inbound_stream=f"chat.inbound.test.{uuid.uuid4().hex[:8]}",
        message_rate=0.001,
        message_burst=BURST,
    )
    server = await aiohttp_server(gateway_app(settings, with_worker=True))
    return f"http://127.0.0.1:{server.port}"


async def test_refused_bodies_use_up_the_rate_so_the_next_send_is_rate_limited(
    slow_rate_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    user = await api_at(slow_rate_url).register()
    room = await user.api.create_room()
    live = await connect(slow_rate_url, user.token)  # a member's socket: the cheapest path
    for body in REFUSED:
        ack = await live.send(room["id"], body)
        assert ack["error"]["code"] == "validation_error", ack
    ack = await live.send(room["id"], "hello")
    assert ack["error"]["code"] == "rate_limited", ack


async def test_a_plain_line_still_pays_with_the_append(
    slow_rate_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    user = await api_at(slow_rate_url).register()
    room = await user.api.create_room()
    live = await connect(slow_rate_url, user.token)
    acks = [await live.send(room["id"], f"plain line {i}") for i in range(BURST + 1)]
    assert [a["ok"] for a in acks] == [True] * BURST + [False]
    assert acks[-1]["error"]["code"] == "rate_limited"
