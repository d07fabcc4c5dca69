"""Files and images (contract §6), both ways (in-process PostgreSQL + Redis, and `chatty run`):
upload, attach to a message, signed downloads, what is served inline and what as a download."""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
import pytest
from PIL import Image

from tests.support.clients import Api, Live
from tests.support.files import fetch, jpeg_with_exif, png, png_bomb, upload

pytestmark = [pytest.mark.integration, pytest.mark.seconds(50)]


async def test_an_image_is_uploaded_sent_and_shown_to_another_member(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    alice, bob = await api_at(app_url).register(), await api_at(app_url).register()
    room = await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    status, photo = await upload(alice, room["id"], jpeg_with_exif(), "../me at home.jpg", "x/y")
    assert status == 201, photo
    assert photo["content_type"] == "image/jpeg"
    assert (photo["width"], photo["height"], photo["name"]) == (640, 480, "me at home.jpg")
    assert photo["url"].startswith("/api/v1/attachments/")
    assert photo["thumbnail_url"]
    live_b = await Live.connect(app_url, bob.token)
    live_a = await Live.connect(app_url, alice.token)
    try:
        ack = await live_a.call(
            "message:send",
            {
                "room_id": room["id"],
                "body": "",
                "client_msg_id": str(uuid.uuid4()),
                "attachment_ids": [photo["id"]],
            },
        )
        assert ack["ok"], ack
        await live_b.wait_until(lambda: bool(live_b.messages(room["id"])))
        message = live_b.messages(room["id"])[0]
        synced = await live_b.call("sync", {"rooms": {str(room["id"]): 0}})
        (missed,) = synced["rooms"][str(room["id"])]["messages"]
        assert [a["id"] for a in missed["attachments"]] == [photo["id"]]
    finally:
        await live_a.close()
        await live_b.close()
    (shown,) = message["attachments"]
    assert shown["id"] == photo["id"]
    assert message["body"] == ""
    status, headers, body = await fetch(http, app_url, shown["url"])  # no token: the signature
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    served = Image.open(io.BytesIO(body))
    assert served.size == (640, 480)
    assert not served.getexif(), "EXIF must be stripped from what is served"
    assert b"SecretCam" not in body
    status, headers, body = await fetch(http, app_url, shown["thumbnail_url"])
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    assert max(Image.open(io.BytesIO(body)).size) <= 320
    _, page = await bob.api.call("GET", f"/api/v1/rooms/{room['id']}/messages", expect=200)
    assert [a["id"] for a in page["messages"][-1]["attachments"]] == [photo["id"]]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("fake.png", b"<script>alert(1)</script> pretending to be a png"),
    ],
)
async def test_html_or_svg_is_served_as_a_download_with_nosniff(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession, name: str, data: bytes
) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    status, file = await upload(alice, room["id"], data, name, "text/html")
    assert status == 201, file
    assert file["content_type"] == "application/octet-stream"
    assert file["width"] is None
    assert file["thumbnail_url"] is None
    status, headers, body = await fetch(http, app_url, file["url"])
    assert status == 200
    assert body == data
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


async def test_a_decompression_bomb_is_refused(app_url: str, api_at: Callable[[str], Api]) -> None:
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    status, body = await upload(alice, room["id"], png_bomb(), "bomb.png", "image/png")
    assert status == 422, body
    assert body["error"]["code"] == "validation_error"
    assert "file" in body["error"]["details"]


async def test_an_over_limit_upload_is_refused_before_its_body_is_read(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    """The client announces 1 GiB and sends 1 MiB: the 413 comes back at once."""
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    parts = urlsplit(app_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    boundary = "b0undary"
    head = (
        f"POST /api/v1/rooms/{room['id']}/attachments HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {alice.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {1 << 30}\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n\r\n'
    ).encode()
    writer.write(head + b"\0" * (1 << 20))
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    # Abort, not close: close() keeps what the kernel has not taken yet of the 1 MiB and waits
    # to flush it to a server that stopped reading; the test's loop ends first, and the socket,
    # left "closing", warns (unclosed transport) when a later test collects it.
    writer.transport.abort()
    await writer.wait_closed()
    assert status_line.split()[1] == b"413"


async def test_a_streamed_upload_over_the_limit_is_cut_off(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    """No Content-Length (chunked): counted while streaming, refused past 25 MiB."""
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    parts = urlsplit(app_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    boundary = "b0undary"
    writer.write(
        (
            f"POST /api/v1/rooms/{room['id']}/attachments HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {alice.token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
    )
    chunk = b"\0" * (1 << 20)
    sent = 0

    async def stream() -> None:
        nonlocal sent
        part = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b"\r\n\r\n'
        writer.write(f"{len(part):x}\r\n{part}\r\n".encode())
        while sent < 64 << 20:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
            sent += len(chunk)

    sending = asyncio.ensure_future(stream())
    try:
        status_line = await asyncio.wait_for(reader.readline(), 60)  # bounds a stuck run only
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await sending
        writer.transport.abort()  # unsent bytes and all (see the test above)
        await writer.wait_closed()
    assert status_line.split()[1] == b"413"
    assert sent < 64 << 20


async def test_other_routes_keep_the_64_kib_body_limit(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice = await api_at(app_url).register()
    status, body = await alice.api.call("POST", "/api/v1/rooms", {"name": "x" * 70_000})
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"


async def test_a_malformed_multipart_body_is_a_validation_error_not_a_500(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    """A part header aiohttp's parser refuses (control bytes in a name; found by schemathesis)."""
    alice = await api_at(app_url).register()
    room = await alice.api.create_room()
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="\x07\x13"\r\n\r\n{{}}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    headers = {
        "Authorization": f"Bearer {alice.token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    for path in (f"/api/v1/rooms/{room['id']}/attachments", "/api/v1/users/me/avatar"):
        async with alice.api.session.post(
            f"{alice.api.base}{path}", data=body, headers=headers
        ) as resp:
            assert resp.status == 422, await resp.text()
            assert (await resp.json())["error"]["code"] == "validation_error"


async def test_attachment_ids_must_be_the_senders_unsent_uploads_in_that_room(
    app_url: str, api_at: Callable[[str], Api]
) -> None:
    alice, bob = await api_at(app_url).register(), await api_at(app_url).register()
    room, other = await alice.api.create_room(), await alice.api.create_room()
    await alice.api.add_member(room["id"], bob.id)
    _, mine = await upload(alice, room["id"], png(), "a.png")
    _, elsewhere = await upload(alice, other["id"], png(), "b.png")
    _, bobs = await upload(bob, room["id"], png(), "c.png")
    live = await Live.connect(app_url, alice.token)
    try:

        async def send(ids: list[int], body: str = "") -> dict[str, object]:
            data = {
                "room_id": room["id"],
                "body": body,
                "client_msg_id": str(uuid.uuid4()),
                "attachment_ids": ids,
            }
            return await live.call("message:send", data)  # type: ignore[no-any-return]

        for ids in ([elsewhere["id"]], [bobs["id"]], [mine["id"]] * 2, list(range(1, 12)), []):
            ack = await send(ids)
            assert ack["error"]["code"] == "validation_error", (ids, ack)  # type: ignore[index]
        assert (await send([mine["id"]], "with a caption"))["ok"]
        await live.wait_until(lambda: bool(live.messages(room["id"])))  # linked by the worker
        assert (await send([mine["id"]]))["error"]["code"] == "validation_error"  # type: ignore[index]
    finally:
        await live.close()


async def test_guessed_ids_bad_signatures_and_non_members_are_refused(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    alice, stranger = await api_at(app_url).register(), await api_at(app_url).register()
    room = await alice.api.create_room()
    _, file = await upload(alice, room["id"], png(), "a.png")
    url = file["url"]
    other_id = url.replace(f"/{file['id']}?", f"/{file['id'] + 1}?")
    assert (await fetch(http, app_url, other_id))[0] in (403, 404)
    assert (await fetch(http, app_url, url.replace("sig=", "sig=0")))[0] == 403
    assert (await fetch(http, app_url, f"/api/v1/attachments/{file['id']}"))[0] == 401
    bare = f"/api/v1/attachments/{file['id']}"
    assert (await fetch(http, app_url, bare, stranger.token))[0] == 404
    assert (await fetch(http, app_url, bare, alice.token))[0] == 200
    assert (await fetch(http, app_url, "/api/v1/attachments/999999999", alice.token))[0] == 404


async def test_an_avatar_is_set_and_shown_by_its_url(
    app_url: str, api_at: Callable[[str], Api], http: aiohttp.ClientSession
) -> None:
    alice = await api_at(app_url).register()
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(jpeg_with_exif((900, 600))), filename="me.jpg")
    auth = {"Authorization": f"Bearer {alice.token}"}
    async with http.post(f"{app_url}/api/v1/users/me/avatar", data=form, headers=auth) as resp:
        assert resp.status == 200
        me = await resp.json()
    assert me["avatar_url"].startswith(f"/api/v1/users/{alice.id}/avatar/")
    _, again = await alice.api.call("GET", "/api/v1/users/me", expect=200)
    assert again["avatar_url"] == me["avatar_url"]
    status, headers, body = await fetch(http, app_url, me["avatar_url"])  # no token needed
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    assert max(Image.open(io.BytesIO(body)).size) == 320
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(b"<svg/>"), filename="me.svg")
    async with http.post(f"{app_url}/api/v1/users/me/avatar", data=form, headers=auth) as resp:
        assert resp.status == 422
