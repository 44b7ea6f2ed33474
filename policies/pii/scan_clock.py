"""The clock of a scan's time budget (`max_scan_ms`): this thread's CPU time, without the garbage collector's pauses.

The budget guards against costly input: a string whose analysis uses that much CPU time is "[UNSCANNED]". CPU time, not
wall time, so that a busy machine descheduling the thread does not count; and without the collector's pauses, which
CPython runs in whichever thread allocates when a generation fills up. A full collection over a large heap takes tens
to hundreds of milliseconds and says nothing about the string being scanned when it happens; counted, it made ordinary
strings "[UNSCANNED]" now and then. The collections a scan's own allocations cause are left out too: they are
proportional to what it allocates, so the budget still bounds a costly string's work, within a constant factor.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any


class _Collections(threading.local):
    """This thread's time in collections: CPython collects in the thread that allocated, holding the GIL."""

    started = -1.0
    total = 0.0


_collections = _Collections()


def _on_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _collections.started = time.thread_time()
    elif _collections.started >= 0:
        _collections.total += time.thread_time() - _collections.started
        _collections.started = -1.0


gc.callbacks.append(_on_collection)


def now() -> float:
    """Seconds of this thread's CPU time outside collections: the difference of two readings is what a scan cost."""
    return time.thread_time() - _collections.total
