"""A scrub worker's CPU per cold event with the collector at CPython's defaults (before) against gateway.heap's
settings (start-up heap frozen, collections batched: what gateway/scrub_worker.py now runs under), in alternating
rounds of one run (bench/alternate.py), in this process, the worker's own loop (frames' rows -> events -> scrub ->
rows).

    .venv/bin/python bench/scrub_worker_heap.py [--batches 20] [--rounds 2]

Cold events (bench/scrub_pool.py's: every id, email, name and text new). Prints CPU us per event and the part the
collector took (timed with gc.callbacks), and the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from alternate import in_rounds  # noqa: E402
from scrub_pool import HASH_KEY, batches  # noqa: E402

from gateway import heap  # noqa: E402
from gateway.scrub_worker import build, from_rows, to_rows  # noqa: E402
from policies.pii import PiiConfig, Scrubber  # noqa: E402


def measure(scrubber: Scrubber, rows: list[list[tuple[Any, ...]]]) -> tuple[float, float]:
    """CPU seconds for the jobs `rows`, and the collector's share of it."""
    collecting, started_at = [0.0], [0.0]

    def timer(phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            started_at[0] = time.process_time()
        else:
            collecting[0] += time.process_time() - started_at[0]

    gc.callbacks.append(timer)
    started = time.process_time()
    for job in rows:
        events = from_rows(job)
        scrubber.scrub_events(events)
        to_rows(events)
    spent = time.process_time() - started
    gc.callbacks.remove(timer)
    return spent, collecting[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    scrubber = build(PiiConfig(), HASH_KEY, None)
    events = args.batches * 100
    print(f"load average {os.getloadavg()[0]:.2f}; {events:,} cold events per measurement")

    def under(mode: str) -> tuple[float, float]:
        rows = [to_rows(batch) for batch in batches(args.batches)]
        gc.collect()
        with heap.long_lived() if mode == "gateway.heap" else contextlib.nullcontext():
            return measure(scrubber, rows)

    for number, results in in_rounds(args.rounds, ["defaults", "gateway.heap"], under):
        for mode, (spent, collecting) in results.items():
            print(f"round {number}: {mode:<12} {1e6 * spent / events:6.0f} us CPU per event, of which the "
                  f"collector {1e6 * collecting / events:4.0f} us")
        print(f"round {number}: gateway.heap {results['defaults'][0] / results['gateway.heap'][0]:.2f}x less")
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
