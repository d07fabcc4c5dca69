"""The walk of one `message:send` through the pipeline enters each stage once (issue 32).

The folders are the stages (README "Layout"): receive (`backend/realtime/`, `backend/api/`) →
inbound (`backend/inbound/`: the gateway's half of a write) → queue (`backend/queue/`) → persist
(`worker/`) → fan out (`backend/fanout/`). The rest (shapes, settings, infra, accounts, rooms,
messages, files, the engine adapters) are layers any stage may call.

A profiler records, per asyncio task, every call from one stage into another during one send
and its delivery, through a real Socket.IO client to the gateway and its worker in this process
(PostgreSQL, the Redis stream). A stage is *entered* when one of its functions is called from
another stage (the nearest caller frame that belongs to a stage). In each task, each stage must be
entered from one stage only, and only forward (or down, where the worker reads the queue): a
write half that called back into the handlers, a queue that called up into the worker's apply
step, or a fan-out reached both from the handler and from the write half would show here.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict
from types import CodeType, FrameType
from typing import Any

from tests.support.clients import Api, Live

STAGES = (  # pipeline order; longest prefix wins
    ("backend.realtime.engine.emitter", "fanout"),
    ("backend.realtime.engine", None),
    ("backend.realtime", "receive"),
    ("backend.api", "receive"),
    ("backend.inbound", "inbound"),
    ("backend.queue", "queue"),
    ("worker", "persist"),
    ("backend.fanout", "fanout"),
)
ORDER = ["receive", "inbound", "queue", "persist", "fanout"]
# Calls down the layers that are not the message going forward: the worker reads the queue.
SIDE_CALLS = {("persist", "queue")}


def _stage(frame: FrameType) -> str | None:
    module = frame.f_globals.get("__name__", "")
    for prefix, stage in STAGES:
        if module == prefix or module.startswith(prefix + "."):
            return stage
    return None


def _caller_stage(frame: FrameType) -> str | None:
    caller = frame.f_back
    while caller is not None:
        stage = _stage(caller)
        if stage is not None:
            return stage
        caller = caller.f_back
    return None


class Walk:
    """Cross-stage calls, per task: (from stage, to stage) → the functions entered that way
    (kept for the failure message)."""

    def __init__(self) -> None:
        self.entries: dict[int, dict[tuple[str, str], set[CodeType]]] = defaultdict(
            lambda: defaultdict(set)
        )

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        stage = _stage(frame)
        if stage is None:
            return
        caller = _caller_stage(frame)
        if caller is None or caller == stage:
            return
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return
        self.entries[id(task)][(caller, stage)].add(frame.f_code)

    def edges(self) -> set[tuple[str, str]]:
        return {edge for per_task in self.entries.values() for edge in per_task}


async def test_one_send_enters_each_stage_once_and_only_forward(
    pg_app_url: str, api_at: Any
) -> None:
    api: Api = api_at(pg_app_url)
    alice = await api.register()
    room = await alice.api.create_room()
    live = await Live.connect(pg_app_url, alice.token)
    try:
        await live.send(room["id"], "warm-up: every module loaded, every pool open")
        await live.wait_until(lambda: len(live.messages(room["id"])) == 1)

        walk = Walk()
        sys.setprofile(walk)
        try:
            ack = await live.send(room["id"], "the walked message")
            await live.wait_until(lambda: len(live.messages(room["id"])) == 2)
        finally:
            sys.setprofile(None)
    finally:
        await live.close()

    assert "client_msg_id" in ack
    for per_task in walk.entries.values():
        callers: dict[str, set[str]] = defaultdict(set)
        for caller, stage in per_task:
            callers[stage].add(caller)
        described = {f"{a} → {b}": sorted(_name(c) for c in fs) for (a, b), fs in per_task.items()}
        for stage, sources in callers.items():
            assert len(sources) == 1, f"{stage} entered from {sorted(sources)}: {described}"
        for caller, stage in per_task:
            forward = ORDER.index(stage) > ORDER.index(caller)
            assert forward or (caller, stage) in SIDE_CALLS, f"{caller} → {stage}: {described}"
    # The whole path was walked: received, queued, read, stored, sent out.
    assert {("receive", "inbound"), ("inbound", "queue"), ("persist", "fanout")} <= walk.edges()


def _name(code: CodeType) -> str:
    return f"{'/'.join(code.co_filename.rsplit('/', 2)[-2:])}:{code.co_name}"
