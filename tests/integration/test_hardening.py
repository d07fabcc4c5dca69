"""Security hardening (issue 13): each test replays an attack that worked before its fix."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from backend.gateway.app import create_app
from backend.settings.config import Settings
from backend.web.keys import SESSIONS
from tests.integration.test_accounts import refused_handshake
from tests.support.clients import Api, Live, new_name

pytestmark = [pytest.mark.integration, pytest.mark.seconds(70)]

Serve = Callable[..., Awaitable[tuple[str, Any]]]
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def serve(pg_settings: Settings, aiohttp_server: Callable[..., Any]) -> Serve:
    """A distributed gateway in this process with some settings changed; (url, app)."""

    async def start(**overrides: Any) -> tuple[str, Any]:
        stream = f"chat.inbound.test.{uuid.uuid4().hex[:8]}"
        settings = replace(pg_settings, inbound_stream=stream, **overrides)
        server = await aiohttp_server(create_app(settings))
        return f"http://127.0.0.1:{server.port}", server.app

    return start


def an_address() -> str:
    """A client address of this test's own: rate-limit buckets in Redis outlive a test."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


async def login(api: Api, username: str, password: str, address: str | None = None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    status, _ = await api.call(
        "POST", LOGIN, {"username": username, "password": password}, headers=headers
    )
    return status


# --- finding 3: limits charged before verifying ---------------------------------------------------


async def test_parallel_wrong_logins_on_one_username_verify_at_most_the_limit(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url, _ = await serve(trusted_proxies="127.0.0.1")
    api = api_at(url)
    name = (await api.register(password="right-password")).auth["user"]["username"]
    address = an_address()
    statuses = await asyncio.gather(
        *(login(api, name, f"wrong-{i}-password", address) for i in range(15))
    )
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) >= 10, statuses


async def test_parallel_wrong_logins_from_one_address_verify_at_most_the_address_limit(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url, _ = await serve(trusted_proxies="127.0.0.1", address_failures_per_minute=8)
    api, address = api_at(url), an_address()
    statuses = await asyncio.gather(
        *(login(api, new_name(), "wrong-password", address) for _ in range(20))
    )
    assert statuses.count(401) <= 8, statuses
    assert statuses.count(429) >= 12, statuses


# --- finding 4: nobody can lock the owner out -----------------------------------------------------


async def test_an_attacker_elsewhere_cannot_lock_the_owner_out(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url, _ = await serve(trusted_proxies="127.0.0.1")
    api = api_at(url)
    name = (await api.register(password="right-password")).auth["user"]["username"]
    attacker, owner = an_address(), an_address()
    assert [await login(api, name, "wrong-password", attacker) for _ in range(6)] == [401] * 5 + [
        429
    ]
    assert await login(api, name, "right-password", attacker) == 429
    assert await login(api, name, "right-password", owner) == 200


async def test_many_addresses_meet_the_username_backoff_but_the_owners_address_does_not(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url, _ = await serve(trusted_proxies="127.0.0.1", username_failures_per_hour=6)
    api = api_at(url)
    name = (await api.register(password="right-password")).auth["user"]["username"]
    home = an_address()
    assert await login(api, name, "right-password", home) == 200  # the owner's usual address
    botnet = [await login(api, name, "wrong-password", an_address()) for _ in range(8)]
    assert botnet == [401] * 6 + [429] * 2
    assert await login(api, name, "right-password", an_address()) == 429
    assert await login(api, name, "right-password", home) == 200
    assert await login(api, name, "right-password") == 200  # where the account was registered


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    """The header is the client's word: varying it must not give an attacker fresh buckets."""
    url, _ = await serve(trusted_proxies="10.250.0.0/16", auth_failures_per_minute=3)
    api = api_at(url)
    name = (await api.register(password="right-password")).auth["user"]["username"]
    statuses = [await login(api, name, "wrong-password", an_address()) for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


async def test_behind_trusted_proxies_the_client_is_the_rightmost_untrusted_hop(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url, _ = await serve(trusted_proxies="127.0.0.1, 10.250.0.0/16", auth_failures_per_minute=3)
    api = api_at(url)
    name = (await api.register(password="right-password")).auth["user"]["username"]
    client = f"198.51.100.{random.randrange(1, 255)}"
    # What the client wrote to the left of its own address (spoofed hops) does not matter.
    statuses = [
        await login(api, name, "wrong-password", f"{an_address()}, {client}, 10.250.0.{i}")
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert await login(api, name, "right-password", f"{client}, 10.250.0.9") == 429
    assert await login(api, name, "right-password", an_address()) == 200


# --- finding 2 (REST and handshake): a revoked session's access token dies at once -------------


async def test_logout_refuses_the_same_access_token_on_rest_and_handshake(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    user = await api_at(app_url).register()
    status, _ = await user.api.call(
        "POST", "/api/v1/auth/logout", {"refresh_token": user.auth["refresh_token"]}
    )
    assert status == 204
    status, body = await user.api.call("GET", "/api/v1/users/me")
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    assert await refused_handshake(app_url, user.token) == "unauthorized"


async def test_refresh_token_reuse_kills_the_familys_access_tokens(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    user = await api.register()
    other = await api.call(
        "POST", LOGIN, {"username": user.auth["user"]["username"], "password": "password123"}
    )
    first = user.auth["refresh_token"]
    _, second = await api.call("POST", "/api/v1/auth/refresh", {"refresh_token": first}, expect=200)
    status, _ = await api.call("POST", "/api/v1/auth/refresh", {"refresh_token": first})
    assert status == 401  # reuse: the family is revoked ...
    for token in (user.token, second["access_token"]):  # ... and every access token of it
        status, _ = await api.as_user(token).call("GET", "/api/v1/users/me")
        assert status == 401
        assert await refused_handshake(app_url, token) == "unauthorized"
    status, _ = await api.as_user(other[1]["access_token"]).call("GET", "/api/v1/users/me")
    assert status == 200, "another login of the same user is another session"


async def test_revocation_hook_names_the_user_and_session(
    serve: Serve, api_at: Callable[[str], Api]
) -> None:
    url, app = await serve()
    seen: list[tuple[int, str]] = []

    async def hook(user_id: int, session_id: str) -> None:
        seen.append((user_id, session_id))

    app[SESSIONS].on_revoked(hook)
    user = await api_at(url).register()
    await user.api.call("POST", "/api/v1/auth/logout", {}, expect=204)
    assert len(seen) == 1
    assert seen[0][0] == user.id


# --- contract §6: account settings ----------------------------------------------------------------


async def test_password_change_ends_every_other_session(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    user = await api.register(password="old-password")
    name = user.auth["user"]["username"]
    _, other = await api.call(
        "POST", LOGIN, {"username": name, "password": "old-password"}, expect=200
    )
    live = await Live.connect(app_url, other["access_token"])
    await live.close()
    status, body = await user.api.call(
        "POST",
        "/api/v1/auth/password",
        {"current_password": "not-it-at-all", "new_password": "new-password"},
    )
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    change = {"current_password": "old-password", "new_password": "new-password"}
    status, _ = await user.api.call("POST", "/api/v1/auth/password", change)
    assert status == 204
    # This session goes on; the other one is over (access token, refresh token, handshake).
    assert (await user.api.call("GET", "/api/v1/users/me"))[0] == 200
    assert (await api.as_user(other["access_token"]).call("GET", "/api/v1/users/me"))[0] == 401
    assert await refused_handshake(app_url, other["access_token"]) == "unauthorized"
    status, _ = await api.call(
        "POST", "/api/v1/auth/refresh", {"refresh_token": other["refresh_token"]}
    )
    assert status == 401
    _, mine = await api.call(
        "POST", "/api/v1/auth/refresh", {"refresh_token": user.auth["refresh_token"]}, expect=200
    )
    assert await login(api, name, "old-password") == 401
    assert await login(api, name, "new-password") == 200
    assert (await api.as_user(mine["access_token"]).call("GET", "/api/v1/users/me"))[0] == 200


async def test_wrong_current_passwords_are_rate_limited(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    user = await api_at(app_url).register()
    wrong = {"current_password": "wrong-password", "new_password": "new-password"}
    statuses = [(await user.api.call("POST", "/api/v1/auth/password", wrong))[0] for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    # Both account-settings routes guess at the same password: one bucket.
    status, _ = await user.api.call(
        "POST", "/api/v1/auth/recovery-phrase", {"password": "password123"}
    )
    assert status == 429


async def test_new_recovery_phrase_replaces_the_old_one(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    api = api_at(app_url)
    user = await api.register(password="the-password")
    name, old = user.auth["user"]["username"], user.auth["recovery_phrase"]
    status, _ = await user.api.call(
        "POST", "/api/v1/auth/recovery-phrase", {"password": "not-the-password"}
    )
    assert status == 401
    async with http.post(
        app_url + "/api/v1/auth/recovery-phrase",
        json={"password": "the-password"},
        headers={"Authorization": f"Bearer {user.token}"},
    ) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "no-store"
        fresh = (await resp.json())["recovery_phrase"]
    assert len(fresh.split()) == 24
    assert fresh != old

    def recover(phrase: str) -> Any:
        body = {"username": name, "recovery_phrase": phrase, "new_password": "other-password"}
        return api.call("POST", "/api/v1/auth/recover", body)

    assert (await recover(old))[0] == 401
    assert (await recover(fresh))[0] == 200


# --- finding 9 (validation): bad input is `validation_error`, never `internal` ------------------


async def test_out_of_range_ids_lone_surrogates_and_nuls_are_validation_errors(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    user = await api_at(app_url).register()
    room = await user.api.create_room()
    live = await Live.connect(app_url, user.token)
    try:
        for event, data in [
            ("sync", {"rooms": {"9999999999999999999": 0}}),
            ("sync", {"rooms": {"9" * 5000: 0}}),
            ("history:fetch", {"room_id": 2**63}),
            (
                "message:send",
                {"room_id": room["id"], "body": "a\ud800b", "client_msg_id": "x" * 10},
            ),
            ("sync", {"rooms": {"\udc00": 0}}),
        ]:
            ack = await live.call(event, data)
            assert ack["ok"] is False, (event, ack)
            assert ack["error"]["code"] == "validation_error", (event, ack)
    finally:
        await live.close()
    # REST bodies are JSON text too: "\ud800" escaped in a name.
    for path, raw in [
        ("/api/v1/rooms", '{"name": "a\\ud800", "kind": "public"}'),
        ("/api/v1/auth/register", '{"username": "%s", "password": "x\\udfff-password"}'),
    ]:
        status, body = await user.api.call(
            "POST",
            path,
            data=raw.replace("%s", new_name()),
            headers={"Content-Type": "application/json"},
        )
        assert (status, body["error"]["code"]) == (422, "validation_error"), (path, body)
    # PostgreSQL text holds no NUL: a query string with one is refused, not a 500 (schemathesis).
    for path in ("/api/v1/users?q=a%00b", "/api/v1/search?q=a%00b"):
        status, body = await user.api.call("GET", path)
        assert (status, body["error"]["code"]) == (422, "validation_error"), (path, body)


# --- finding 13: invisible names ------------------------------------------------------------------


async def test_invisible_names_are_refused_and_bidi_controls_stripped(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    for invisible in ["\u200b\u200c", "\u202e\u2066", " \u3164 ", "\u200d\ufeff\u2060"]:
        status, body = await api.call(
            "POST",
            "/api/v1/auth/register",
            {"username": new_name(), "password": "password123", "display_name": invisible},
        )
        assert (status, body["error"]["code"]) == (422, "validation_error"), repr(invisible)
    _, made = await api.call(
        "POST",
        "/api/v1/auth/register",
        {"username": new_name(), "password": "password123", "display_name": "ann\u202egpj.exe"},
        expect=201,
    )
    assert made["user"]["display_name"] == "anngpj.exe"
    user = api.as_user(made["access_token"])
    status, body = await user.call(
        "POST", "/api/v1/rooms", {"name": "\u2067\u200b", "kind": "public"}
    )
    assert (status, body["error"]["code"]) == (422, "validation_error")
    _, room = await user.call(
        "POST", "/api/v1/rooms", {"name": "\u202eboss\u202c", "kind": "public"}, expect=201
    )
    assert room["name"] == "boss"


# --- finding 14: headers and /metrics -------------------------------------------------------------


async def test_csp_allows_only_same_origin_connections_and_tokens_are_not_cached(
    app_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(app_url + "/") as resp:
        csp = resp.headers["Content-Security-Policy"]
    assert "connect-src 'self';" in csp
    assert "ws:" not in csp
    assert "wss:" not in csp
    body = {"username": new_name(), "password": "password123"}
    async with http.post(app_url + "/api/v1/auth/register", json=body) as resp:
        assert resp.status == 201
        assert resp.headers["Cache-Control"] == "no-store"
        tokens = await resp.json()
    for path, payload in [
        (LOGIN, body),
        ("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}),
    ]:
        async with http.post(app_url + path, json=payload) as resp:
            assert resp.status == 200
            assert resp.headers["Cache-Control"] == "no-store", path


async def test_metrics_are_not_served_without_a_token(
    app_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(app_url + "/metrics") as resp:
        assert resp.status == 404


async def test_metrics_are_served_only_with_the_configured_bearer_token(
    serve: Serve, http: aiohttp.ClientSession
) -> None:
    token = uuid.uuid4().hex
    url, _ = await serve(metrics_token=token)
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": token}]:
        async with http.get(url + "/metrics", headers=headers) as resp:
            assert resp.status == 401, headers
    async with http.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200
        assert "chatty_" in await resp.text()
