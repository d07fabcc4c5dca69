"""Structured logs: one JSON object a line, correlated by request / socket / message, no secrets."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import structlog

from backend.infra.logs import redact_secrets
from tests.integration.test_message_path import send_many
from tests.support.clients import Api, Live
from tests.support.procs import JWT_SECRET, Cluster, Proc

pytestmark = pytest.mark.integration


def json_lines(proc: Proc) -> list[dict[str, Any]]:
    lines = proc.log().splitlines()
    assert lines
    return [json.loads(line) for line in lines]  # every line is one JSON object


async def test_lines_carry_request_socket_and_message_ids_and_no_secret(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    c = cluster(CHATTY_LOG_LEVEL="debug")
    node, worker = c.gateway(), c.worker()
    password = f"pw-{uuid.uuid4().hex}"
    alice = await api_at(node.url).register(password=password)
    room = await alice.api.create_room()
    async with http.get(node.url + "/healthz", headers={"X-Request-ID": "req-42.a"}) as resp:
        assert resp.headers["X-Request-ID"] == "req-42.a"
    async with http.get(node.url + "/healthz", headers={"X-Request-ID": "bad id; drop"}) as resp:
        generated = resp.headers["X-Request-ID"]
        assert len(generated) == 32
    async with http.get(node.url + "/api/v1/nothing-here") as resp:
        assert resp.status == 404
        assert resp.headers["X-Request-ID"]
    live = await Live.connect(node.url, alice.token)
    try:
        acked = await send_many(live, room["id"], 3)
        await live.wait_until(lambda: len(live.messages(room["id"])) >= 3)
    finally:
        await live.close()
    c.stop()

    gateway = json_lines(node)
    assert {"timestamp", "level", "logger", "event"} <= set(gateway[0])
    requests = [e for e in gateway if e["event"] == "http_request"]
    assert any(e["request_id"] == "req-42.a" and e["path"] == "/healthz" for e in requests)
    assert any(e["request_id"] == generated for e in requests)
    sent = [
        e
        for e in gateway
        if e["event"] == "socket_event_handled" and e.get("socket_event") == "message:send"
    ]
    assert len(sent) == 3
    assert all(e["user_id"] == alice.id and e["sid"] and e["ok"] for e in sent)

    stored = [e for e in json_lines(worker) if e["event"] == "message_stored"]
    assert {e["client_msg_id"] for e in stored} == set(acked)

    everything = node.log() + worker.log()
    for secret in (password, alice.token, alice.auth["refresh_token"], JWT_SECRET):
        assert secret not in everything
    # Not word by word: BIP39 words are English words ("unknown", "already") that log lines
    # may hold on their own; any three of the phrase in a row would be the phrase leaking.
    words = alice.auth["recovery_phrase"].split()
    for i in range(len(words) - 2):
        run = r"\W+".join(re.escape(w) for w in words[i : i + 3])
        assert not re.search(rf"\b{run}\b", everything), words[i : i + 3]


def test_secrets_are_masked_whatever_a_caller_logs() -> None:
    event: structlog.types.EventDict = {
        "event": "oops",
        "password": "hunter22",
        "new_password": "hunter23",
        "refresh_token": "abc",
        "recovery_phrase": "abandon ability able",
        "headers": {"Authorization": "Bearer xyz", "Accept": "*/*"},
        "url": "postgres://chatty:s3cret@postgres:5432/chatty",
        "urls": ["redis://:pw@redis:6379/0"],
        "user_id": 7,
    }
    out = redact_secrets(None, "info", event)
    rendered = json.dumps(out)
    for secret in ("hunter22", "hunter23", "abc", "abandon", "xyz", "s3cret", ":pw@"):
        assert secret not in rendered
    assert out["url"] == "postgres://chatty:***@postgres:5432/chatty"
    assert out["headers"]["Accept"] == "*/*"
    assert out["user_id"] == 7


async def test_debug_logs_on_sqlite_and_oversized_headers_show_no_secret(
    tmp_path: Path, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    """SQL drivers log statements with parameters at DEBUG (password and phrase hashes), and
    aiohttp's `LineTooLong` quotes the start of the header that was too long."""
    c = Cluster.embedded(tmp_path, CHATTY_LOG_LEVEL="debug")
    try:
        node = c.gateway(command="run")
        password = f"pw-{uuid.uuid4().hex}"
        alice = await api_at(node.url).register(password=password)
        await alice.api.call(
            "POST",
            "/api/v1/auth/login",
            {"username": alice.auth["user"]["username"], "password": password},
            expect=200,
        )
        stolen = f"Bearer leaked{uuid.uuid4().hex}"
        async with http.get(
            node.url + "/api/v1/users/me", headers={"Authorization": stolen + "A" * 10_000}
        ) as resp:
            assert resp.status == 400
        async with http.get(node.url + "/healthz") as resp:
            assert resp.status == 200  # the gateway goes on
    finally:
        c.stop()
    log = node.log()
    assert any(e["event"] == "http_request" for e in json_lines(node)), "debug lines are on"
    for secret in ("$argon2", password, stolen[7:], alice.token, alice.auth["refresh_token"]):
        assert secret not in log, secret
    assert "bad_http_request" in log
