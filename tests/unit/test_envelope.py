"""The versioned inbound envelope: known operations round-trip, anything else is refused."""

from __future__ import annotations

import orjson
import pytest

from backend.queue.envelope import DELETE, EDIT, SEND, InboundMessage, UnknownOperation


@pytest.mark.parametrize("op", [SEND, EDIT, DELETE])
def test_every_known_operation_round_trips(op: str) -> None:
    entry = InboundMessage(room_id=1, sender_id=2, client_msg_id="abcdefgh", body="hi", op=op)
    assert InboundMessage.decode(entry.encode()) == entry


def test_send_v2_carries_attachment_ids_and_v1_stays_readable_by_older_workers() -> None:
    v2 = InboundMessage(
        room_id=1, sender_id=2, client_msg_id="abcdefgh", body="", v=2, attachment_ids=(7, 8)
    )
    assert InboundMessage.decode(v2.encode()) == v2
    v1 = InboundMessage(room_id=1, sender_id=2, client_msg_id="abcdefgh", body="hi")
    assert "attachment_ids" not in orjson.loads(v1.encode())


def test_an_entry_written_before_versions_existed_is_version_1() -> None:
    legacy = {"room_id": 1, "sender_id": 2, "client_msg_id": "abcdefgh", "body": "hi"}
    decoded = InboundMessage.decode(orjson.dumps({**legacy, "op": "edit", "message_id": 9}))
    assert (decoded.op, decoded.v, decoded.message_id) == (EDIT, 1, 9)
    assert InboundMessage.decode(orjson.dumps(legacy)).op == SEND


@pytest.mark.parametrize(("op", "version"), [("poll.vote", 1), ("kick", 1), (SEND, 3), (EDIT, 0)])
def test_an_unknown_operation_or_version_is_refused_not_guessed(op: str, version: int) -> None:
    raw = {"room_id": 1, "sender_id": 2, "client_msg_id": "abcdefgh", "body": "x", "op": op}
    with pytest.raises(UnknownOperation, match=op):
        InboundMessage.decode(orjson.dumps({**raw, "v": version}))


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"op": "send"}', b'{"room_id": "x", "sender_id": 1}', b'{"v": "z"}'],
)
def test_a_malformed_entry_is_a_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError, match="malformed"):
        InboundMessage.decode(raw)


def test_the_gateways_rendering_travels_so_the_worker_does_not_render_again() -> None:
    heavy = "![*" * 1333
    entry = InboundMessage(room_id=1, sender_id=2, client_msg_id="abcdefgh", body=heavy, html="H")
    decoded = InboundMessage.decode(entry.encode())
    assert decoded.html == "H"
    assert decoded.cleaned() == "H"  # what the worker stores: not rendered a second time


def test_an_entry_without_the_rendering_is_rendered_by_the_worker_and_stays_as_it_was() -> None:
    entry = InboundMessage(room_id=1, sender_id=2, client_msg_id="abcdefgh", body="**hi**")
    assert b"html" not in entry.encode()  # older workers read exactly what they read before
    assert InboundMessage.decode(entry.encode()).cleaned() == "<strong>hi</strong>"
