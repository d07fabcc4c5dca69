"""orjson behind the `json` module interface python-socketio and aiohttp expect (str out)."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(obj: Any, **_: Any) -> str:
    return orjson.dumps(obj).decode()


def loads(data: str | bytes, **_: Any) -> Any:
    return orjson.loads(data)


def dumpb(obj: Any) -> bytes:
    return orjson.dumps(obj)
