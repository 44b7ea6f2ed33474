"""The scan budget's clock: this thread's CPU time, without the garbage collector's pauses."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from policies.pii import scan_clock


def _heap_of_cycles(n: int) -> list[list[object]]:
    cycles: list[list[object]] = []
    for _ in range(n):
        cell: list[object] = []
        cell.append(cell)
        cycles.append(cell)
    return cycles


def test_a_collection_during_a_scan_is_not_counted() -> None:
    # A full collection over a large heap, in the middle of a "scan": the thread's CPU clock counts it, the budget's
    # clock leaves it out (but for the callbacks' own cost).
    heap = _heap_of_cycles(300_000)
    before, cpu_before = scan_clock.now(), time.thread_time()
    gc.collect()
    counted, spent = scan_clock.now() - before, time.thread_time() - cpu_before
    del heap
    assert spent > 0
    assert counted < spent / 10


def test_work_outside_collections_is_counted() -> None:
    gc.disable()
    try:
        before, cpu_before = scan_clock.now(), time.thread_time()
        total = sum(i * i for i in range(2_000_000))
        counted, spent = scan_clock.now() - before, time.thread_time() - cpu_before
    finally:
        gc.enable()
    assert total > 0
    assert counted == pytest.approx(spent, abs=0.001)  # the two clocks are read a moment apart


def test_a_collection_in_another_thread_is_not_subtracted_here() -> None:
    # No automatic collection here (an explicit one in the other thread still runs and calls the callbacks).
    gc.disable()
    try:
        before, cpu_before = scan_clock.now(), time.thread_time()
        other = threading.Thread(target=lambda: (_heap_of_cycles(200_000), gc.collect()))
        other.start()
        other.join()
        counted, spent = scan_clock.now() - before, time.thread_time() - cpu_before
    finally:
        gc.enable()
    assert counted == pytest.approx(spent, abs=0.001)
