"""What every gateway write shares: the sender's message rate, admission, and the durable queue.

Sends, edits, deletes (the author's or a moderator's) and reactions are checked here in one
order — rate first, then (once valid and allowed) admission, then the queue — so a new
operation cannot forget one of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from redis.exceptions import RedisError

from backend.inbound.admission import Admission
from backend.infra.limits import Limits
from backend.queue.envelope import InboundMessage
from backend.queue.port import InboundQueue, QueueFull
from backend.shapes.errors import Unavailable

log = structlog.get_logger("chatty.send")

# A queue that does not answer within this is treated as away: the sender gets `unavailable`
# (and retries with the same client_msg_id, which can never store the message twice).
PUBLISH_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class WritePath:
    queue: InboundQueue
    limits: Limits
    admission: Admission | None = None  # None: never refuse for load (unit tests)

    async def charge(self, user_id: int) -> None:
        """Counts a write against the sender's message rate (`rate_limited` past it)."""
        await self.limits.message(user_id)

    async def publish(self, inbound: InboundMessage, *, paid: bool = True) -> None:
        """Valid and allowed: refused now if it could not be delivered in time, else queued
        (`paid=False`: once the sender's message rate is paid, in the same step)."""
        if self.admission is not None:
            self.admission.check(inbound.room_id)
        toll = None if paid else self.limits.message_toll(inbound.sender_id)
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                await self.queue.publish(inbound.encode(), toll, room_id=inbound.room_id)
        except QueueFull as exc:
            raise Unavailable("too many messages waiting; try again shortly") from exc
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            log.warning("inbound_queue_unavailable", error=str(exc))
            raise Unavailable("message queue unavailable; try again shortly") from exc
