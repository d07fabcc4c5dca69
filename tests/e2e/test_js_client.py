"""The official JavaScript socket.io-client v4 against two gateway nodes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.clients import Api, pair_in_room

pytestmark = pytest.mark.e2e
JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """`make test` installs them (npm ci); a missing node is a failure, not a skip."""
    assert shutil.which("node"), "node is required for the JS client tests"
    if not (JS / "node_modules" / "socket.io-client").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True)
    return JS / "node_modules"


async def test_js_client_sends_and_receives_across_nodes(
    node_modules: Path, two_gateways: tuple[str, str], api_at: Callable[[str], Api]
) -> None:
    url_a, url_b = two_gateways
    alice, bob, room = await pair_in_room(api_at(url_a), api_at(url_b))
    config = {
        "urlA": url_a,
        "urlB": url_b,
        "tokenA": alice.token,
        "tokenB": bob.token,
        "roomId": room["id"],
        "count": 50,
    }
    done = subprocess.run(
        ["node", "roundtrip.mjs"],
        cwd=JS,
        env={**os.environ, "CHATTY_E2E": json.dumps(config)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert all(ack["ok"] for ack in seen["acks"])
    assert [m["seq"] for m in seen["received"]] == list(range(1, 51))
    assert {m["client_msg_id"] for m in seen["received"]} == {
        a["client_msg_id"] for a in seen["acks"]
    }
    assert seen["badAck"]["ok"] is False
    assert seen["badAck"]["error"]["code"] == "validation_error"
    assert seen["historySeqs"] == list(range(1, 51))
    assert seen["refused"]["refused"] is True
    assert seen["refused"]["data"]["code"] == "unauthorized"
    assert seen["transport"] == "websocket"
