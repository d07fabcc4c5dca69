"""REST contract (§1, §3): shapes, status codes and the one error envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from tests.support.clients import Api, new_name

pytestmark = [pytest.mark.integration, pytest.mark.seconds(45)]
# Contract §2, and §7.1's workspace roles and states.
USER_KEYS = {"id", "username", "display_name", "created_at", "avatar_url"}
USER_KEYS |= {"is_admin", "is_bot", "deactivated"}


def assert_envelope(body: Any, code: str) -> None:
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)


async def test_register_returns_user_phrase_and_tokens(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    name = new_name("Al")
    status, body = await api.call(
        "POST",
        "/api/v1/auth/register",
        {"username": name, "password": "password123", "display_name": "<b>Al</b> & co"},
    )
    assert status == 201
    assert set(body) == {
        "user",
        "recovery_phrase",
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
    }
    assert body["user"]["username"] == name.lower()
    assert body["user"]["display_name"] == "Al & co"
    assert set(body["user"]) == USER_KEYS
    assert len(body["recovery_phrase"].split()) == 24
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    status, again = await api.call(
        "POST", "/api/v1/auth/register", {"username": name.upper(), "password": "password123"}
    )
    assert status == 409
    assert_envelope(again, "conflict")


async def test_login_answers_wrong_user_and_wrong_password_alike(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    user = await api.register(password="password123")
    ok, body = await api.call(
        "POST", "/api/v1/auth/login", {"username": user.name.upper(), "password": "password123"}
    )
    assert ok == 200
    assert body["user"]["id"] == user.id
    s1, wrong_pw = await api.call(
        "POST", "/api/v1/auth/login", {"username": user.name, "password": "nope-nope"}
    )
    s2, wrong_user = await api.call(
        "POST", "/api/v1/auth/login", {"username": new_name(), "password": "password123"}
    )
    assert s1 == s2 == 401
    assert wrong_pw == wrong_user
    assert_envelope(wrong_pw, "unauthorized")


async def test_me_requires_a_valid_bearer_token(app_url: str, api_at: Callable[[str], Api]) -> None:
    api = api_at(app_url)
    user = await api.register()
    status, me = await user.api.call("GET", "/api/v1/users/me")
    assert status == 200
    assert me["id"] == user.id
    for header in ("", "Bearer", "Bearer not.a.token", "Basic abc", f"Bearer {user.token}x"):
        status, body = await api.call("GET", "/api/v1/users/me", headers={"Authorization": header})
        assert status == 401, header
        assert_envelope(body, "unauthorized")


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "code"),
    [
        ("GET", "/api/v1/nope", None, 404, "not_found"),
        ("GET", "/nope/at/all", None, 404, "not_found"),
        ("DELETE", "/api/v1/auth/login", None, 405, "method_not_allowed"),
        ("POST", "/api/v1/auth/register", b"not json", 400, "bad_request"),
        ("POST", "/api/v1/auth/register", b"[1, 2]", 400, "bad_request"),
        ("POST", "/api/v1/auth/register", b'{"username": "a"}', 422, "validation_error"),
        ("POST", "/api/v1/auth/register", b"{" + b" " * 70_000 + b"}", 413, "payload_too_large"),
    ],
)
async def test_bad_requests_get_the_error_envelope(
    app_url: str,
    http: aiohttp.ClientSession,
    method: str,
    path: str,
    payload: bytes | None,
    status: int,
    code: str,
) -> None:
    async with http.request(method, app_url + path, data=payload) as resp:
        assert resp.status == status
        assert resp.content_type == "application/json"
        assert_envelope(await resp.json(), code)


async def test_validation_errors_name_each_field(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    status, body = await api_at(app_url).call(
        "POST", "/api/v1/auth/register", {"username": "x!", "password": "short"}
    )
    assert status == 422
    assert set(body["error"]["details"]) == {"username", "password"}


async def test_rooms_membership_and_history(app_url: str, api_at: Callable[[str], Api]) -> None:
    api = api_at(app_url)
    alice, bob, eve = await api.register(), await api.register(), await api.register()
    private = await alice.api.create_room("private", "secret")
    assert private["kind"] == "private"
    assert private["member_count"] == 1
    assert private["last_seq"] == 0
    assert private["unread_count"] == 0
    status, body = await eve.api.call("POST", f"/api/v1/rooms/{private['id']}/join")
    assert status == 403
    assert_envelope(body, "forbidden")
    status, body = await eve.api.call("GET", f"/api/v1/rooms/{private['id']}/messages")
    assert status == 403
    status, body = await eve.api.call("GET", "/api/v1/rooms/999999/messages")
    assert status == 404
    await alice.api.add_member(private["id"], bob.id)
    status, body = await alice.api.call(
        "POST", f"/api/v1/rooms/{private['id']}/members", {"user_id": bob.id}
    )
    assert status == 409
    public = await alice.api.create_room("public", "lobby")
    status, joined = await eve.api.call("POST", f"/api/v1/rooms/{public['id']}/join")
    assert status == 200
    assert joined["member_count"] == 2
    _, listing = await eve.api.call("GET", "/api/v1/rooms/public")
    assert public["id"] in [r["id"] for r in listing["rooms"]]
    _, mine = await bob.api.call("GET", "/api/v1/rooms")
    assert [r["id"] for r in mine["rooms"]] == [private["id"]]
    status, _ = await bob.api.call("DELETE", f"/api/v1/rooms/{private['id']}/members/me")
    assert status == 204
    status, _ = await bob.api.call("GET", f"/api/v1/rooms/{private['id']}/messages")
    assert status == 403
    status, _page = await alice.api.call("GET", f"/api/v1/rooms/{private['id']}/messages?limit=0")
    assert status == 422


async def test_dm_is_one_room_per_pair(app_url: str, api_at: Callable[[str], Api]) -> None:
    api = api_at(app_url)
    alice, bob = await api.register(), await api.register()
    _, first = await alice.api.call("POST", "/api/v1/dms", {"user_id": bob.id}, expect=200)
    _, second = await bob.api.call("POST", "/api/v1/dms", {"user_id": alice.id}, expect=200)
    assert first["id"] == second["id"]
    assert first["kind"] == "dm"
    assert first["peer"]["id"] == bob.id
    assert second["peer"]["id"] == alice.id
    status, _body = await alice.api.call("POST", "/api/v1/dms", {"user_id": alice.id})
    assert status == 422


async def test_user_search_by_prefix(app_url: str, api_at: Callable[[str], Api]) -> None:
    api = api_at(app_url)
    prefix = new_name("s")[:8]
    alice = await api.register(prefix + "a")
    await api.register(prefix + "b")
    _, found = await alice.api.call("GET", f"/api/v1/users?q={prefix.upper()}", expect=200)
    assert [u["username"] for u in found["users"]] == [prefix + "a", prefix + "b"]
    assert all(set(u) == USER_KEYS for u in found["users"])


async def test_ops_routes(app_url: str, http: aiohttp.ClientSession) -> None:
    async with http.get(app_url + "/healthz") as resp:
        assert resp.status == 200
    async with http.get(app_url + "/readyz") as resp:
        assert resp.status == 200
        assert (await resp.json())["ready"] is True
    async with http.get(app_url + "/metrics") as resp:
        assert resp.status == 404  # only with CHATTY_METRICS_TOKEN (test_hardening, test_metrics)
    async with http.get(app_url + "/") as resp:
        assert resp.status == 200
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
