"""The worker's per-batch log details, apart from the loop that reads and persists batches."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import structlog

from worker.apply.outcome import Outcome

if TYPE_CHECKING:
    from worker.consumer import Batch

log = structlog.get_logger("chatty.worker")


def log_stored(outcome: Outcome) -> None:
    log.debug(
        "message_stored",
        client_msg_id=outcome.inbound.client_msg_id,
        room_id=outcome.inbound.room_id,
        seq=outcome.message["seq"] if outcome.message else None,
        created=outcome.created,
        error=outcome.error,
    )


def lag_ms(batch: Batch) -> float:
    return round((time.time() - min(m.queued_at for _, m in batch)) * 1000, 1)
