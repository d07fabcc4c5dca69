"""The gateway's image pool: its own threads, so decoding never queues password hashing
(argon2 runs in asyncio's default pool, `backend.accounts.passwords`), and a semaphore of the
same size, so a burst of uploads waits here with only its staged files, not its pixels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class ImagePool:
    size: int
    _executor: ThreadPoolExecutor = field(init=False)
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="images")
        self._slots = asyncio.Semaphore(self.size)

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """`fn(*args, **kwargs)` on one of the pool's threads, once a slot is free."""
        async with self._slots:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    def close(self) -> None:
        """At shutdown: running jobs finish (their requests are being answered), none start."""
        self._executor.shutdown(wait=True, cancel_futures=True)
