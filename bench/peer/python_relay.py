"""The plain Python peer: python-socketio + aiohttp, as a Python team would write it first.

It relays `message:send` (acked) → `message:new` to the room on every node through
`AsyncRedisManager`, persists nothing and checks nothing. Rooms come from the handshake's auth
payload (`{"user_id": …, "rooms": [room ids]}`), the trivial join mechanism the peers share.
Library defaults throughout: stdlib json, the default asyncio loop.

    python -m bench.peer.python_relay --port 8091 --redis redis://127.0.0.1:6379/13 --channel x
"""

from __future__ import annotations

import argparse
import itertools
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import socketio
from aiohttp import web


def create_app(redis_url: str, channel: str) -> web.Application:
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=socketio.AsyncRedisManager(redis_url, channel=channel),
        cors_allowed_origins="*",
    )
    app = web.Application()
    sio.attach(app)
    ids = itertools.count(1)
    seqs: dict[int, int] = defaultdict(int)

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        user_id = int(auth.get("user_id", 0))
        sender = {"id": user_id, "username": f"u{user_id}", "display_name": f"u{user_id}"}
        await sio.save_session(sid, {"sender": sender})
        for room in auth.get("rooms", []):
            await sio.enter_room(sid, f"room:{room}")

    @sio.on("message:send")  # type: ignore[untyped-decorator]
    async def send(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        session = await sio.get_session(sid)
        room_id = int(data["room_id"])
        seqs[room_id] += 1
        message = {
            "id": next(ids),
            "room_id": room_id,
            "seq": seqs[room_id],
            "sender": session["sender"],
            "body": str(data["body"]),
            "client_msg_id": data["client_msg_id"],
            "created_at": datetime.now(UTC).isoformat(),
            "edited_at": None,
            "deleted": False,
        }
        await sio.emit("message:new", message, room=f"room:{room_id}")
        return {"ok": True, "client_msg_id": data["client_msg_id"]}

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--channel", default="bench.python")
    args = parser.parse_args()
    web.run_app(
        create_app(args.redis, args.channel), host=args.host, port=args.port, access_log=None
    )


if __name__ == "__main__":
    main()
