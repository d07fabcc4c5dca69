"""The garbage collector's policy for a long-lived server that holds thousands of sockets.

CPython makes a full collection, a pass over every object the process holds, each time the
long-lived heap has grown by a quarter. A gateway's heap grows with its sockets (~150 tracked
objects each), so a burst of connects set one off every few hundred connects: while 5,000
sockets connected to one gateway it ran 13-15 full collections of ~0.5 s each (timed with
`gc.callbacks` in `make bench`'s connections scenario), a fifth of its CPU, and every socket
on it stalled half a second each time. Two standard remedies, applied once start-up is done:
the objects made at start-up (modules, models, the app: ~200,000) are frozen out of every
collection, and the young generation holds 10,000 objects instead of 700, so the older ones
are examined far less often while a young pass stays short (~4 ms, traced in that scenario).
Reference counting still frees everything acyclic at once; cycles are still collected, later.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION = 10_000


def settle() -> None:
    """Call when start-up is over: what exists now lives as long as the process."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, old)
