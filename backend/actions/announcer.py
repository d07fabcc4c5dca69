"""What actions use to tell others: one per gateway, built by the composition root
(`backend.gateway.wiring`) and handed to the REST routes, socket handlers and presence loop."""

from __future__ import annotations

from dataclasses import dataclass

from backend.fanout.events import Notifier
from backend.infra.limits import Limits
from backend.realtime.engine.membership import MembershipSync
from backend.realtime.engine.presence import Presence


@dataclass(frozen=True, slots=True)
class Announcer:
    notifier: Notifier
    membership: MembershipSync  # every socket of a user, on every node, enters or leaves
    presence: Presence
    limits: Limits  # a read receipt's: the read and live-event limits
