"""Transport choices that keep a gateway's per-socket cost low."""

from __future__ import annotations

import aiohttp
import pytest

pytestmark = pytest.mark.integration


async def test_websocket_refuses_per_message_deflate(
    pg_app_url: str, http: aiohttp.ClientSession
) -> None:
    url = f"{pg_app_url}/socket.io/?EIO=4&transport=websocket"
    async with http.ws_connect(url, compress=15) as ws:
        assert ws.compress == 0, "each socket would carry its own compressor"
        assert (await ws.receive_str()).startswith("0{")  # the Engine.IO open packet
