"""Files hardening (issue 31): who may read an unsent upload, signatures that are not ASCII,
names and GIFs without what they hide, the quota under parallel uploads on several gateways,
and uploads that stall, trickle or pile up."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from PIL import Image

from tests.support.clients import Api, Live, eventually
from tests.support.files import fetch, gif_with_comment, hang_up, open_upload, png, upload
from tests.support.procs import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.seconds(60)]


async def post_file(base: str, token: str, room_id: int, data: bytes) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename="f.bin")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base}/api/v1/rooms/{room_id}/attachments",
            data=form,
            headers={"Authorization": f"Bearer {token}"},
        ) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def test_an_unsent_upload_is_the_uploaders_alone_until_it_is_sent(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    alice, bob = await api_at(app_url).register(), await api_at(app_url).register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    _, file = await upload(alice, room["id"], png(), "draft.png")
    for bare in (
        f"/api/v1/attachments/{file['id']}",
        f"/api/v1/attachments/{file['id']}/thumbnail",
    ):
        assert (await fetch(http, app_url, bare, bob.token))[0] == 404
        assert (await fetch(http, app_url, bare, alice.token))[0] == 200
    live = await Live.connect(app_url, alice.token)
    try:
        data = {"room_id": room["id"], "body": "", "client_msg_id": str(uuid.uuid4())}
        assert (await live.call("message:send", {**data, "attachment_ids": [file["id"]]}))["ok"]
        await live.wait_until(lambda: bool(live.messages(room["id"])))
    finally:
        await live.close()
    bare = f"/api/v1/attachments/{file['id']}"
    assert (await fetch(http, app_url, bare, bob.token))[0] == 200  # sent: every member


async def test_a_signature_that_is_not_ascii_is_forbidden_not_a_500(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    _, file = await upload(alice, room["id"], png(), "a.png")
    for bad in ("sig=%C3%A9", "sig=\u00e9\u00e9", "exp=%D9%A1%D9%A2&sig=x"):
        url = f"/api/v1/attachments/{file['id']}?exp=1&{bad}"
        status, _, body = await fetch(http, app_url, url)
        assert status == 403, (bad, body)


async def test_bidi_controls_are_removed_from_file_names(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    status, file = await upload(alice, room["id"], b"MZ", "invoice\u202egpj.exe\u2066")
    assert status == 201, file
    assert file["name"] == "invoicegpj.exe"


async def test_a_gif_keeps_its_frames_but_not_its_comment_or_trailing_bytes(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    status, file = await upload(alice, room["id"], gif_with_comment(), "anim.gif")
    assert status == 201, file
    assert file["content_type"] == "image/gif"
    status, _, body = await fetch(http, app_url, file["url"])
    assert status == 200
    assert b"SecretNote" not in body
    assert b"HIDDEN-TRAILER" not in body
    assert body.endswith(b";")
    assert getattr(Image.open(io.BytesIO(body)), "n_frames", 1) == 3
    assert file["size"] == len(body)


@pytest.mark.parametrize("mode", ["distributed", "embedded"])
async def test_twenty_parallel_uploads_on_two_gateways_never_pass_the_quota(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], tmp_path: Path, mode: str
) -> None:
    quota, size = 3_000_000, 1_000_000
    limits = {
        "CHATTY_UPLOAD_QUOTA_BYTES": str(quota),
        "CHATTY_UPLOADS_PER_MINUTE": "1000",
        "CHATTY_MAX_OPEN_UPLOADS": "100",
        "CHATTY_STORAGE_URL": f"file://{tmp_path}/files",
    }
    if mode == "distributed":
        c = cluster(**limits)
        nodes = [c.gateway(), c.gateway()]
        c.worker()
    else:
        c = Cluster.embedded(tmp_path, **limits)
        nodes = [c.gateway(command="run")]
    try:
        alice = await api_at(nodes[0].url).register()
        room = await alice.api.create_room()
        results = await asyncio.gather(
            *(
                post_file(nodes[i % len(nodes)].url, alice.token, room["id"], b"x" * size)
                for i in range(20)
            )
        )
    finally:
        if mode == "embedded":
            c.stop()
    stored = [body["size"] for status, body in results if status == 201]
    assert stored, results
    assert sum(stored) <= quota, results
    refused = [body["error"]["code"] for status, body in results if status != 201]
    assert set(refused) <= {"quota_exceeded"}, results
    if mode == "distributed":  # every refused claim was given back: what is left is exact
        status, body = await post_file(nodes[1].url, alice.token, room["id"], b"x" * quota)
        assert status == 413
        assert body["error"]["details"]["quota_left_bytes"] == quota - sum(stored)


@pytest.fixture
def slow_node(
    cluster: Callable[..., Cluster], api_at: Callable[[str], Api], tmp_path: Path
) -> Callable[..., Any]:
    async def make(**extra: str) -> tuple[str, Any, dict[str, Any]]:
        c = cluster(CHATTY_STORAGE_URL=f"file://{tmp_path}/files", **extra)
        node = c.gateway()
        alice = await api_at(node.url).register()
        return node.url, alice, await alice.api.create_room()

    return make


def staged(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "files" / ".staging").glob("*"))


async def test_an_upload_that_stops_sending_is_cut_off_and_its_staging_file_removed(
    slow_node: Callable[..., Any], tmp_path: Path
) -> None:
    url, alice, room = await slow_node(CHATTY_UPLOAD_IDLE_TIMEOUT="0.5")
    reader, writer = await open_upload(url, alice.token, room["id"], sent=b"x" * 1000)
    try:
        status_line = await asyncio.wait_for(reader.readline(), 30)  # bounds a stuck run only
        assert status_line.split()[1] == b"408"
        assert b"request_timeout" in await asyncio.wait_for(reader.read(), 30)
    finally:
        await hang_up(writer)

    async def removed() -> bool:
        return not staged(tmp_path)

    await eventually(removed)


async def test_an_upload_that_trickles_below_the_minimum_rate_is_cut_off(
    slow_node: Callable[..., Any],
) -> None:
    """A byte every 50 ms never stalls the 2 s idle timeout, but is far below 100 kB/s (the
    whole 400 bytes would take 20 s)."""
    url, alice, room = await slow_node(
        CHATTY_UPLOAD_IDLE_TIMEOUT="2", CHATTY_UPLOAD_MIN_RATE="100000"
    )
    reader, writer = await open_upload(url, alice.token, room["id"], declared=400)
    answer = asyncio.ensure_future(reader.readline())
    try:
        for _ in range(399):  # open_upload sent the first byte
            if answer.done():
                break
            writer.write(b"x")
            await writer.drain()
            await asyncio.wait([answer], timeout=0.05)  # the client's pace, not a wait to assert
        else:
            writer.write(b"\r\n--b0undary--\r\n")
        assert (await answer).split()[1] == b"408"
    finally:
        await hang_up(writer)


async def test_a_user_may_have_only_so_many_uploads_open_at_once(
    slow_node: Callable[..., Any], pg_url: str
) -> None:
    url, alice, room = await slow_node(
        CHATTY_MAX_OPEN_UPLOADS="2",
        CHATTY_UPLOADS_PER_MINUTE="1000",
        CHATTY_UPLOAD_IDLE_TIMEOUT="600",  # the stalled two stay open however slow the run
    )
    stalled = [await open_upload(url, alice.token, room["id"]) for _ in range(2)]
    try:
        db = await asyncpg.connect(pg_url)
        try:

            async def both_claimed() -> bool:
                pending = await db.fetchval(
                    "SELECT count(*) FROM attachments WHERE owner_id = $1 AND purpose = $2",
                    alice.id,
                    "pending",
                )
                return bool(pending == 2)

            await eventually(both_claimed)  # the server has taken both uploads' claims
        finally:
            await db.close()
        status, body = await post_file(url, alice.token, room["id"], b"small")
        assert status == 429, body
        assert body["error"]["code"] == "rate_limited"
    finally:
        for _, writer in stalled:
            await hang_up(writer)

    async def open_again() -> bool:
        return (await post_file(url, alice.token, room["id"], b"small"))[0] == 201

    await eventually(open_again)  # closed uploads give their slots back
