"""A poison value never makes a log line or a parked entry big (issue 31, item 3).

'😀' + 9,000 variation selectors once failed the worker's batch 5 times with a 58 KB traceback
each and was parked at 58 KB; whatever an error quotes, every value of a line and every parked
entry is now bounded. No database: the worker runs on the in-process queue.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence

import orjson
import pytest
import structlog
from structlog.testing import capture_logs

from backend.fanout.events import Notifier
from backend.infra.logs import LOG_VALUE_MAX, bounded, clip, configure
from backend.queue.envelope import REACTION_ADD, InboundMessage
from backend.queue.memory import MemoryQueue
from backend.queue.parking import PARK_PAYLOAD_MAX, PARK_REASON_MAX, bounded_park
from backend.queue.port import Delivery
from backend.settings.config import Settings
from tests.support.recording import RecordingEmitter
from worker.apply.outcome import Outcome
from worker.consumer import Worker

POISON = "😀" + "\ufe0f" * 9000


def test_clip_keeps_both_ends_and_says_how_much_was_cut() -> None:
    assert clip("short") == "short"
    cut = clip("a" * 10_000 + "THE ERROR", 200)
    assert len(cut) <= 200
    assert cut.startswith("aaa")
    assert cut.endswith("THE ERROR")
    assert "chars cut" in cut


def test_bounded_reaches_nested_values_and_long_lists() -> None:
    value = bounded({"k": [POISON] * 500, "n": 3, "b": POISON.encode()})
    assert value["n"] == 3
    assert len(value["k"]) == 51
    assert all(len(v) <= LOG_VALUE_MAX for v in value["k"][:50])
    assert len(value["b"]) <= LOG_VALUE_MAX


@pytest.fixture
def stderr_lines() -> Iterator[io.StringIO]:
    """The configured JSON logging, into a buffer; the previous handlers put back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure(Settings.from_env({}, log_format="json"))
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_a_log_line_with_a_huge_value_and_traceback_stays_bounded(
    stderr_lines: io.StringIO,
) -> None:
    log = structlog.get_logger("chatty.test")
    try:
        raise ValueError(POISON * 3)
    except ValueError:
        log.exception("persist_failed", body=POISON, items=list(range(10_000)))
    line = stderr_lines.getvalue().strip()
    record = orjson.loads(line)
    assert record["event"] == "persist_failed"
    assert len(record["body"]) <= LOG_VALUE_MAX
    assert len(record["exception"]) <= LOG_VALUE_MAX
    assert record["exception"].rstrip().endswith("\ufe0f")  # the error's last line survives
    assert len(line.encode()) < 5 * LOG_VALUE_MAX * 3  # 3 values, UTF-8 at most 3 bytes each


def test_a_parked_entry_is_bounded() -> None:
    huge = Delivery("1-0", b"x" * (PARK_PAYLOAD_MAX * 4), 5)
    kept, reason = bounded_park(huge, "failed: " + POISON)
    assert len(kept.payload) == PARK_PAYLOAD_MAX
    assert len(reason) <= PARK_REASON_MAX
    assert "bytes cut" in reason
    small = Delivery("2-0", b"{}", 1)
    assert bounded_park(small, "not_found") == (small, "not_found")


async def test_a_poison_entry_logs_its_traceback_once_and_parks_bounded() -> None:
    async def persist(batch: Sequence[InboundMessage]) -> list[Outcome]:
        raise RuntimeError(f"value too long: {batch[0].body}")

    queue = MemoryQueue(max_len=10)
    worker = Worker(
        queue=queue, notifier=Notifier(RecordingEmitter()), persist=persist, max_deliveries=5
    )
    entry = InboundMessage(
        room_id=1, sender_id=2, client_msg_id="abcdefgh", body=POISON, op=REACTION_ADD
    ).encode()
    with capture_logs() as logs:
        for attempt in range(1, 6):  # the claims after each claim time, as Redis would count
            await worker.handle([Delivery("1-0", entry, attempt)])
    failed = [e for e in logs if e["event"] == "persist_failed"]
    assert [e["attempt"] for e in failed] == [1, 2, 3, 4, 5]
    assert [bool(e.get("exc_info")) for e in failed] == [False] * 4 + [True]
    [(parked, reason)] = queue.parked
    assert reason.startswith("failed: value too long")
    assert len(reason) <= PARK_REASON_MAX
    assert parked.payload == entry  # a gateway's entry is kept whole
