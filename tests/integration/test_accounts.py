"""Accounts and tokens (contract §3; issue: accounts and security)."""

from __future__ import annotations

import base64
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
import socketio

from tests.support.clients import Api, Live, new_name
from tests.support.procs import JWT_SECRET, Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(40)]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_tokens(user_id: int, valid: str) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "sv": 0,
        "iat": now,
        "exp": now + 600,
        "jti": "x",
        "typ": "access",
    }
    header, _payload, signature = valid.split(".")
    tampered_claims = {**jwt.decode(valid, options={"verify_signature": False}), "sub": "999999"}
    with warnings.catch_warnings():  # HS512 wants a 64-byte key; the point is the pinned alg
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        other_alg = jwt.encode(claims, JWT_SECRET, algorithm="HS512")
    return {
        "expired": jwt.encode({**claims, "iat": now - 1000, "exp": now - 10}, JWT_SECRET),
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "wrong_secret": jwt.encode(claims, "another-secret-" + "y" * 40),
        "other_alg": other_alg,
        "tampered": f"{header}.{_b64(tampered_claims)}.{signature}",
        "no_exp": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, JWT_SECRET),
        "refresh_as_access": "not-a-jwt-at-all",
    }


async def test_bad_tokens_are_refused_on_rest_and_socket_handshake(
    pg_app_url: str, api_at: Callable[[str], Api]
) -> None:
    user = await api_at(pg_app_url).register()
    for name, token in forged_tokens(user.id, user.token).items():
        status, body = await api_at(pg_app_url).as_user(token).call("GET", "/api/v1/users/me")
        assert status == 401, name
        assert body["error"]["code"] == "unauthorized", name
        assert await refused_handshake(pg_app_url, token) == "unauthorized", name


async def refused_handshake(url: str, token: str) -> str | None:
    """The `code` of the connect_error data the server sent, as a JS client would see it."""
    client = socketio.AsyncClient(reconnection=False)
    seen: list[Any] = []
    client.on("connect_error", seen.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(url, auth={"token": token}, transports=["websocket"])
    await client.disconnect()
    # The error packet is {"message", "data"}; socket.io-client exposes them as err.message/data.
    return seen[0]["data"]["code"] if seen else None


async def test_refresh_rotates_and_reuse_revokes_the_family(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    user = await api.register()
    first = user.auth["refresh_token"]
    _, second = await api.call("POST", "/api/v1/auth/refresh", {"refresh_token": first}, expect=200)
    assert second["refresh_token"] != first
    status, _ = await api.as_user(second["access_token"]).call("GET", "/api/v1/users/me")
    assert status == 200
    # The spent token comes back (stolen?): refused, and the whole family dies with it.
    status, body = await api.call("POST", "/api/v1/auth/refresh", {"refresh_token": first})
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    status, _ = await api.call(
        "POST", "/api/v1/auth/refresh", {"refresh_token": second["refresh_token"]}
    )
    assert status == 401


async def test_logout_revokes_the_refresh_token(app_url: str, api_at: Callable[[str], Api]) -> None:
    api = api_at(app_url)
    user = await api.register()
    refresh = user.auth["refresh_token"]
    status, _ = await user.api.call("POST", "/api/v1/auth/logout", {"refresh_token": refresh})
    assert status == 204
    status, _ = await api.call("POST", "/api/v1/auth/refresh", {"refresh_token": refresh})
    assert status == 401


async def test_recovery_resets_password_rotates_phrase_and_revokes_sessions(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    user = await api.register(password="old-password")
    phrase = user.auth["recovery_phrase"]
    live = await Live.connect(app_url, user.token)
    messy = "  " + "   ".join(word.upper() for word in phrase.split()) + "\n"
    status, recovered = await api.call(
        "POST",
        "/api/v1/auth/recover",
        {"username": user.name, "recovery_phrase": messy, "new_password": "new-password"},
    )
    assert status == 200
    new_phrase = recovered["recovery_phrase"]
    assert len(new_phrase.split()) == 24
    assert new_phrase != phrase
    # Old phrase, old password, old refresh token, old access token: all dead.
    status, _ = await api.call(
        "POST",
        "/api/v1/auth/recover",
        {"username": user.name, "recovery_phrase": phrase, "new_password": "other-password"},
    )
    assert status == 401
    status, _ = await api.call(
        "POST", "/api/v1/auth/login", {"username": user.name, "password": "old-password"}
    )
    assert status == 401
    status, _ = await api.call(
        "POST", "/api/v1/auth/refresh", {"refresh_token": user.auth["refresh_token"]}
    )
    assert status == 401
    status, _ = await user.api.call("GET", "/api/v1/users/me")
    assert status == 401
    # The socket authenticated with the old session is disconnected.
    await live.wait_until(lambda: bool(live.events["disconnect"]))
    # The new credentials work.
    status, _ = await api.call(
        "POST", "/api/v1/auth/login", {"username": user.name, "password": "new-password"}
    )
    assert status == 200
    status, _ = await api.as_user(recovered["access_token"]).call("GET", "/api/v1/users/me")
    assert status == 200


async def test_sixth_wrong_login_within_a_minute_is_rate_limited(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    user = await api.register(password="right-password")
    for _ in range(5):
        status, _ = await api.call(
            "POST", "/api/v1/auth/login", {"username": user.name, "password": "wrong-password"}
        )
        assert status == 401
    async with api.session.post(
        api.base + "/api/v1/auth/login", json={"username": user.name, "password": "wrong-password"}
    ) as resp:
        assert resp.status == 429
        assert int(resp.headers["Retry-After"]) >= 1
        assert (await resp.json())["error"]["code"] == "rate_limited"
    status, _ = await api.call(
        "POST", "/api/v1/auth/login", {"username": user.name, "password": "right-password"}
    )
    assert status == 429, "a locked bucket refuses even the right password until it refills"
    other = await api.register(password="right-password")
    status, _ = await api.call(
        "POST",
        "/api/v1/auth/login",
        {"username": other.auth["user"]["username"], "password": "right-password"},
    )
    assert status == 200, "the limit is per username"


async def test_recover_with_wrong_phrases_is_rate_limited(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(app_url)
    name = (await api.register()).name
    wrong = {"username": name, "recovery_phrase": "abandon " * 23 + "art", "new_password": "x" * 12}
    statuses = [(await api.call("POST", "/api/v1/auth/recover", wrong))[0] for _ in range(6)]
    assert statuses == [401] * 5 + [429]


async def test_unknown_user_login_costs_like_a_known_one(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    """No user enumeration by timing: both paths verify one argon2 hash."""
    api = api_at(app_url)
    name = (await api.register()).name

    async def timed(username: str) -> float:
        start = time.perf_counter()
        await api.call(
            "POST", "/api/v1/auth/login", {"username": username, "password": "wrong-pw1"}
        )
        return time.perf_counter() - start

    known = min([await timed(name) for _ in range(3)])
    unknown = min([await timed(new_name()) for _ in range(3)])
    assert 0.33 < unknown / known < 3, (known, unknown)


async def test_messages_beyond_the_rate_get_rate_limited(
    tmp_path: Path, api_at: Callable[[str], Api]
) -> None:
    cluster = Cluster.embedded(tmp_path, CHATTY_MESSAGE_RATE="1", CHATTY_MESSAGE_BURST="3")
    try:
        url = cluster.gateway(command="run").url
        user = await api_at(url).register()
        room = await user.api.create_room()
        live = await Live.connect(url, user.token)
        acks = [await live.send(room["id"], f"m{i}") for i in range(5)]
        assert [a["ok"] for a in acks] == [True, True, True, False, False]
        assert acks[3]["error"]["code"] == "rate_limited"
        assert live.sio.connected, "a refused event never disconnects the socket"
        await live.close()
    finally:
        cluster.stop()
