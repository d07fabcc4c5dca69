"""The gateway's check of a body renders it once, and a long one away from the event loop:
a burst of long bodies rendered on the loop stalled every other socket of the gateway."""

from __future__ import annotations

import threading

import pytest

from backend.content.sanitize import clean_message
from backend.inbound import send
from backend.shapes.errors import ValidationFailed

LONG_REFUSED = "[*" * 2000  # 11,000 characters once rendered and escaped
LONG_ACCEPTED = "![*" * 1333


@pytest.fixture
def render_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each rendering of the check ran in."""
    names: list[str] = []

    def recording(body: str) -> str:
        names.append(threading.current_thread().name)
        return clean_message(body)

    monkeypatch.setattr(send, "clean_message", recording)
    return names


async def test_a_long_body_renders_once_in_the_render_thread(render_threads: list[str]) -> None:
    await send.check_body(LONG_ACCEPTED)
    assert len(render_threads) == 1
    assert render_threads[0].startswith("render")


async def test_a_long_body_refused_once_rendered_is_refused_from_the_render_thread(
    render_threads: list[str],
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await send.check_body(LONG_REFUSED)
    assert "too long" in str(refused.value.details)
    assert [name.startswith("render") for name in render_threads] == [True]


async def test_a_short_body_renders_on_the_loop(render_threads: list[str]) -> None:
    await send.check_body("**short**")
    assert render_threads == [threading.current_thread().name]
