"""What live analysis (replay.live) costs and how soon it answers, on a long recording, beside the idle pass alone.

    python bench/replay_live.py [--minutes 20]

The recording is bench/detect.py's synthetic hour (heavier than a typical one: 1,600-node pages, mouse batches every
500 ms, a ticker mutating the DOM), cut to --minutes and stored in 2 s chunks as posthog-js flushes them, into a real
replay store. Time is simulated at the recording's own pace: chunk i arrives at 2 i seconds. Live analysis follows
replay.live's rules with the default policy: a chunk makes its session due `analyze_live_delay_s` later, and a session
waits `COST_FACTOR` times its last analysis before the next. Each analysis is real (replay.analysis.analyze_stored on
the chunks stored by then) and its process CPU time is what the simulated clock advances by.

Printed: the number of live analyses, their CPU in all and as a share of the recording's duration (what one busy
session costs the worker), the last one's CPU, and the lag from a chunk's arrival to the end of the first analysis
that includes it (mean, 95th percentile, max). Beside them, the baseline: the idle pass alone analyses once, after
`analyze_after_idle_s` (300 s) of quiet, so its CPU is one analysis and its lag is at least 300 s for every chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from detect import SyntheticHour, chunks_of  # noqa: E402

from gateway.database import Database  # noqa: E402
from gateway.schema import DATABASE_FILE, MIGRATIONS  # noqa: E402
from policies.detect import DetectConfig  # noqa: E402
from policies.replay import ReplayPolicy  # noqa: E402
from replay.analysis import analyze_stored  # noqa: E402
from replay.compression import Compressor  # noqa: E402
from replay.live import COST_FACTOR  # noqa: E402
from replay.shredding import KeyRing  # noqa: E402
from replay.store import ChunkIn, ReplayStore  # noqa: E402
from replay.summary import summarize  # noqa: E402

MASTER_KEY = bytes(range(32))  # not a secret: the benchmark's master key

CHUNK_S = 2.0


def analyse(store: ReplayStore, config: DetectConfig) -> float:
    started = time.process_time()
    analyze_stored(store, "sess_hour", config)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    policy, config = ReplayPolicy(), DetectConfig()
    events = SyntheticHour().build()
    cutoff = events[0]["timestamp"] + args.minutes * 60_000
    chunks = chunks_of([e for e in events if e["timestamp"] < cutoff])
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / DATABASE_FILE, MIGRATIONS)
        store = ReplayStore(db, Compressor(policy.compression_level), KeyRing(MASTER_KEY))
        try:
            due: float | None = None
            not_before = 0.0
            free_at = 0.0  # when the worker is done with its current analysis
            waiting: list[float] = []  # arrival times of chunks no analysis has included yet
            lags: list[float] = []
            costs: list[float] = []

            def run_due(until: float) -> None:
                nonlocal due, not_before, free_at
                while due is not None and max(due, free_at) <= until:
                    start = max(due, free_at)
                    due = None
                    cost = analyse(store, config)
                    costs.append(cost)
                    free_at = start + cost
                    lags.extend(free_at - arrived for arrived in waiting)
                    waiting.clear()
                    not_before = free_at + COST_FACTOR * cost

            for i, chunk in enumerate(chunks):
                arrival = i * CHUNK_S
                run_due(arrival)  # what was due before this chunk arrived ran on the chunks stored so far
                asyncio.run(store.add("bench", [ChunkIn("sess_hour", "main", (), chunk, summarize(chunk))]))
                waiting.append(arrival)
                if due is None:
                    due = max(arrival + policy.analyze_live_delay_s, not_before)
            run_due(float("inf"))
            idle_cost = analyse(store, config)
        finally:
            db.close()
    duration = len(chunks) * CHUNK_S
    lags.sort()
    print(f"{len(chunks)} chunks of {CHUNK_S:g} s ({duration / 60:.0f} min, {sum(map(len, chunks)):,} events); "
          f"delay {policy.analyze_live_delay_s:g} s, cost factor {COST_FACTOR:g}")
    print(f"{'':<34}{'analyses':>9}{'CPU s':>9}{'share':>8}{'lag mean':>10}{'p95':>8}{'max':>8}")
    print(f"{'baseline: idle pass alone':<34}{1:>9}{idle_cost:>9.2f}{idle_cost / duration:>8.1%}"
          f"{'>= ' + format(policy.analyze_after_idle_s, 'g'):>10}{'':>8}{'':>8}")
    print(f"{'live (replay.live)':<34}{len(costs):>9}{sum(costs):>9.2f}{sum(costs) / duration:>8.1%}"
          f"{statistics.mean(lags):>10.2f}{lags[int(0.95 * (len(lags) - 1))]:>8.2f}{lags[-1]:>8.2f}")
    print(f"last live analysis {costs[-1]:.3f} s CPU; live CPU / idle pass CPU = {sum(costs) / idle_cost:.1f}x")


if __name__ == "__main__":
    main()
