"""Give freed memory back to the operating system after a burst of large replies.

CPython frees a large reply with `free()`, but glibc keeps what it freed in its heap (its mmap
threshold grows after big frees), so a gateway's RSS stays at the peak of a `sync` flood long
after the replies are gone. `malloc_trim(0)` returns it; where there is no glibc, nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_freed_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
