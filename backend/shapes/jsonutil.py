"""orjson behind the `json` module interface python-socketio and aiohttp expect (str out)."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(obj: Any, **_: Any) -> str:
    try:
        return orjson.dumps(obj).decode()
    except TypeError:  # integers beyond 64 bits, which stdlib json writes
        return json.dumps(obj, separators=(",", ":"))


def loads(data: str | bytes, **_: Any) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # orjson refuses integers beyond 64 bits; they are still JSON: validation refuses them.
        return json.loads(data)


def dumpb(obj: Any) -> bytes:
    return orjson.dumps(obj)
