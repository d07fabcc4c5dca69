"""Files across two gateway nodes and a worker (real processes sharing one storage volume),
and their lifecycle: unsent uploads, deleted messages and rooms, quotas, rate limits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from backend.files.signing import FILE, Signer
from tests.support.clients import Api, Live, User, eventually
from tests.support.files import fetch, png, png_bomb, upload
from tests.support.procs import JWT_SECRET, Cluster
from tests.support.s3 import CREDENTIALS, moto_server

pytestmark = [pytest.mark.integration, pytest.mark.seconds(55)]


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and ".staging" not in p.parts]


async def send_with(live: Live, room_id: int, ids: list[int], body: str = "") -> dict[str, Any]:
    data = {"room_id": room_id, "body": body, "client_msg_id": str(uuid.uuid4())}
    ack = await live.call("message:send", {**data, "attachment_ids": ids})
    assert ack["ok"], ack
    await live.wait_until(
        lambda: any(m["client_msg_id"] == data["client_msg_id"] for m in live.messages(room_id))
    )
    return next(m for m in live.messages(room_id) if m["client_msg_id"] == data["client_msg_id"])


async def test_upload_on_node_a_arrives_on_node_b_with_working_urls(
    cluster: Callable[..., Cluster],
    api_at: Callable[[str], Api],
    http: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    c = cluster(CHATTY_STORAGE_URL=f"file://{tmp_path}/files")
    a, b = c.gateway(), c.gateway()
    c.worker()
    alice, bob = await api_at(a.url).register(), await api_at(b.url).register()
    stranger = await api_at(b.url).register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    status, file = await upload(alice, room["id"], png(), "shot.png")
    assert status == 201, file
    live_a, live_b = await Live.connect(a.url, alice.token), await Live.connect(b.url, bob.token)
    try:
        await send_with(live_a, room["id"], [file["id"]], "look")
        await live_b.wait_until(lambda: bool(live_b.messages(room["id"])))
        (shown,) = live_b.messages(room["id"])[0]["attachments"]
    finally:
        await live_a.close()
        await live_b.close()
    for url in (shown["url"], shown["thumbnail_url"]):
        status, headers, _ = await fetch(http, b.url, url)
        assert status == 200, url
        assert headers["X-Content-Type-Options"] == "nosniff"
    bare = f"/api/v1/attachments/{file['id']}"
    assert (await fetch(http, b.url, bare, bob.token))[0] == 200  # a member's Bearer
    assert (await fetch(http, b.url, bare, stranger.token))[0] == 404  # a non-member
    expired = Signer.from_secret(JWT_SECRET, 3600).url(file["id"], FILE, now=time.time() - 7200)
    assert (await fetch(http, b.url, expired))[0] == 403  # a stranger with an expired URL
    assert (await fetch(http, b.url, expired, stranger.token))[0] == 404
    assert (await fetch(http, b.url, expired, bob.token))[0] == 200  # a member still may
    guessed = shown["url"].replace(f"/{file['id']}?", f"/{file['id'] + 1}?")
    assert (await fetch(http, a.url, guessed))[0] in (403, 404)


@pytest.fixture
def swept(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], tmp_path: Path
) -> Callable[..., Any]:
    """One gateway + worker that sweep every 0.2 s; unsent uploads live `unsent_ttl`."""

    async def make(unsent_ttl: str = "86400", **extra: str) -> tuple[str, User, dict[str, Any]]:
        c = cluster(
            CHATTY_STORAGE_URL=f"file://{tmp_path}/files",
            CHATTY_FILE_SWEEP_INTERVAL="0.2",
            CHATTY_UNSENT_UPLOAD_TTL=unsent_ttl,
            **extra,
        )
        node = c.gateway()
        c.worker()
        alice = await api_at(node.url).register()
        return node.url, alice, await alice.api.create_room()

    return make


async def test_unsent_uploads_are_removed_after_their_time(
    swept: Callable[..., Any], tmp_path: Path
) -> None:
    _, alice, room = await swept(unsent_ttl="1")
    status, _ = await upload(alice, room["id"], png(), "never-sent.png")
    assert status == 201
    assert stored_files(tmp_path / "files")

    async def gone() -> bool:
        return not stored_files(tmp_path / "files")

    await eventually(gone)


async def test_a_deleted_messages_files_and_a_deleted_rooms_files_are_removed(
    swept: Callable[..., Any], tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    url, alice, room = await swept()
    other = await alice.api.create_room()
    _, first = await upload(alice, room["id"], png(), "a.png")
    _, second = await upload(alice, other["id"], png(), "b.png")
    live = await Live.connect(url, alice.token)
    try:
        message = await send_with(live, room["id"], [first["id"]])
        await send_with(live, other["id"], [second["id"]])
        assert len(stored_files(tmp_path / "files")) == 4  # two files, two thumbnails
        assert (await live.call("message:delete", {"message_id": message["id"]}))["ok"]
        await live.wait_until(lambda: bool(live.events["message:updated"]))
        assert live.events["message:updated"][0]["attachments"] == []
    finally:
        await live.close()
    assert (await fetch(http, url, first["url"]))[0] == 404
    await alice.api.call("DELETE", f"/api/v1/rooms/{other['id']}", expect=204)
    assert (await fetch(http, url, second["url"]))[0] == 404

    async def gone() -> bool:
        return not stored_files(tmp_path / "files")

    await eventually(gone)


async def test_the_upload_quota_and_rate_limit_answer_clear_errors(
    swept: Callable[..., Any],
) -> None:
    _, alice, room = await swept(CHATTY_UPLOAD_QUOTA_BYTES="150000", CHATTY_UPLOADS_PER_MINUTE="3")
    assert (await upload(alice, room["id"], b"x" * 100_000, "one.bin"))[0] == 201
    status, body = await upload(alice, room["id"], b"x" * 100_000, "two.bin")
    assert status == 413
    assert body["error"]["code"] == "quota_exceeded"
    assert body["error"]["details"]["quota_left_bytes"] == 50_000
    assert (await upload(alice, room["id"], b"x" * 1000, "three.bin"))[0] == 201
    status, body = await upload(alice, room["id"], b"x", "four.bin")
    assert status == 429
    assert body["error"]["code"] == "rate_limited"


async def test_the_s3_adapter_against_a_local_s3_server(
    cluster: Callable[..., Cluster],
    api_at: Callable[[str], Api],
    http: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    """Two gateways and a worker on `s3://` (moto's server, started here): upload on A, the
    message and working URLs on B, a download served with nosniff, a bomb and an over-limit
    upload refused, a deleted message's objects removed from the bucket."""
    with moto_server(tmp_path, "chatty-files") as (endpoint, s3):
        c = cluster(
            CHATTY_STORAGE_URL="s3://chatty-files/uploads",
            CHATTY_S3_ENDPOINT=endpoint,
            CHATTY_DATA_DIR=str(tmp_path / "data"),
            CHATTY_FILE_SWEEP_INTERVAL="0.2",
            CHATTY_MAX_UPLOAD_BYTES=str(2 << 20),
            **CREDENTIALS,
        )
        a, b = c.gateway(), c.gateway()
        c.worker()
        alice, bob = await api_at(a.url).register(), await api_at(b.url).register()
        room = await alice.api.create_room()
        await alice.api.add_member(room["id"], bob.id)
        status, photo = await upload(alice, room["id"], png(), "shot.png")
        assert status == 201, photo
        _, page = await upload(alice, room["id"], b"<html><script>x</script>", "p.html")
        live_a = await Live.connect(a.url, alice.token)
        live_b = await Live.connect(b.url, bob.token)
        try:
            message = await send_with(live_a, room["id"], [photo["id"], page["id"]])
            await live_b.wait_until(lambda: bool(live_b.messages(room["id"])))
            shown = live_b.messages(room["id"])[0]["attachments"]
            for url in (shown[0]["url"], shown[0]["thumbnail_url"]):
                status, headers, body = await fetch(http, b.url, url)
                assert status == 200
                assert body
            assert headers["Content-Type"] == "image/webp"
            status, headers, body = await fetch(http, b.url, shown[1]["url"])
            assert (status, body) == (200, b"<html><script>x</script>")
            assert headers["Content-Type"] == "application/octet-stream"
            assert headers["Content-Disposition"].startswith("attachment;")
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert (await upload(alice, room["id"], png_bomb(), "bomb.png"))[0] == 422
            status, body = await upload(alice, room["id"], b"x" * (3 << 20), "big.bin")
            assert status == 413
            objects = s3.list_objects_v2(Bucket="chatty-files")["Contents"]  # type: ignore[attr-defined]
            assert len(objects) == 3  # the image, its thumbnail, the page
            assert all(o["Key"].startswith("uploads/") for o in objects)
            assert (await live_a.call("message:delete", {"message_id": message["id"]}))["ok"]
        finally:
            await live_a.close()
            await live_b.close()

        async def emptied() -> bool:
            listing = s3.list_objects_v2(Bucket="chatty-files")  # type: ignore[attr-defined]
            return not listing.get("Contents")

        await eventually(emptied)
