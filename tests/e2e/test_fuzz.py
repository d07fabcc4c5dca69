"""Property-based and schema-driven fuzzing: no 500, nothing outside the error envelope."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import services
from tests.support.clients import Api, Live
from tests.support.procs import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(110)]

CODES = {
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "validation_error",
    "rate_limited",
    "unavailable",
}
EVENTS = [
    "no:such:event",
    "message:send",
    "message:edit",
    "message:delete",
    "history:fetch",
    "sync",
    "room:join",
    "room:leave",
    "typing",
    "read",
    "reaction:add",
    "reaction:remove",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
KEYS = [
    "room_id",
    "message_id",
    "body",
    "client_msg_id",
    "before_seq",
    "after_seq",
    "limit",
    "seq",
    "typing",
    "rooms",
    "reply_to_id",
    "emoji",
    "replies_to",
    "around_seq",
]
payloads = json_values | st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)


@pytest.fixture
async def fuzz_socket(pg_app_url: str, api_at: Callable[[str], Api]) -> Any:
    user = await api_at(pg_app_url).register()
    await user.api.create_room()
    live = await Live.connect(pg_app_url, user.token)
    yield live
    await live.close()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=st.sampled_from(EVENTS), payload=payloads)
async def test_any_socket_payload_gets_a_well_formed_ack(
    fuzz_socket: Live, event: str, payload: Any
) -> None:
    ack = await fuzz_socket.call(event, payload)
    assert isinstance(ack, dict)
    assert isinstance(ack.get("ok"), bool)
    if not ack["ok"]:
        assert ack["error"]["code"] in CODES, ack
        assert isinstance(ack["error"]["message"], str)
    assert fuzz_socket.sio.connected


@pytest.mark.timeout(600)  # schemathesis walks every route; a loaded machine needs more than 120 s
def test_schemathesis_finds_no_server_error(
    tmp_path: Path, pg_template: str, redis_url: str, api_at: Callable[[str], Api]
) -> None:
    """schemathesis against /api/openapi.json of a live distributed gateway, on a database of
    its own: its user is the first, so the workspace admin, and the admin routes are fuzzed too
    (closing registration, say) without changing what later tests see."""
    database_url = services.run(services.create_database(template=pg_template))
    cluster = Cluster.distributed(tmp_path, database_url=database_url, redis_url=redis_url)
    try:
        node = cluster.gateway()
        cluster.worker()
        token = _register(node.url)
        cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
        assert cli, "schemathesis is a dev dependency"
        done = subprocess.run(
            [
                cli,
                "run",
                f"{node.url}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                # Logging out would revoke the token every later call needs (every one a 401).
                "--exclude-path",
                "/api/v1/auth/logout",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_schema_conformance",
                "--max-examples",
                os.environ.get("CHATTY_FUZZ_EXAMPLES", "25"),
                "--workers",
                "2",
                "--seed",
                "1",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
        assert "Authentication failed" not in done.stdout, "the token must last the whole run"
    finally:
        cluster.stop()
        print(cluster.logs())
        services.run(services.drop_database(database_url))


def _register(url: str) -> str:
    import json
    import urllib.request

    body = json.dumps({"username": "fuzzer", "password": "password123"}).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/auth/register", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return str(json.load(resp)["access_token"])
