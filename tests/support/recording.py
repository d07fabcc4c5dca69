"""An emitter that records what would have reached Socket.IO rooms, for in-process tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.fanout.events import Emission


@dataclass
class RecordingEmitter:
    """What would have reached Socket.IO rooms: (event, payload, room, skip_sid)."""

    sent: list[tuple[str, Any, Any, str | None]] = field(default_factory=list)

    async def emit(self, event: str, data: Any, *, room: Any, skip_sid: str | None = None) -> None:
        self.sent.append((event, data, room, skip_sid))

    async def emit_many(self, emissions: Sequence[Emission]) -> None:
        for e in emissions:
            await self.emit(e.event, e.data, room=e.room, skip_sid=e.skip_sid)

    async def close(self) -> None:
        return None

    def events(self, name: str) -> list[tuple[Any, Any]]:
        return [(data, room) for event, data, room, _ in self.sent if event == name]
