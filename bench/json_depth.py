"""What the nesting limit costs on every request body: `policies.json_depth.within` (one encode of the parsed value,
wrapped in as many lists as orjson has levels to spare) next to the parse it follows (orjson.loads, the baseline) and
next to the obvious alternative, a walk of the parsed value in Python.

    .venv/bin/python bench/json_depth.py [--turns 30]

Bodies: a Segment batch of 100 events as analytics.js sends it, and each recording of the replay corpus
(fixtures/replay-corpus, rrweb events as the native endpoint takes them). Every string of the Segment batch is fresh
(ids, URLs, values: nothing repeats); the recordings are as recorded. Measured in alternating turns on one core; prints
the median turn of each, per body, and the ratios within / loads and walk / loads.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.json_depth import MAX_DEPTH, within  # noqa: E402


def walk(value: Any, limit: int = MAX_DEPTH) -> bool:
    """The alternative: every container visited in Python."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children = item.values() if type(item) is dict else item
        stack.extend((child, depth + 1) for child in children if type(child) is dict or type(child) is list)
    return True


def segment_batch(events: int) -> bytes:
    def fresh() -> str:
        return uuid.uuid4().hex

    batch = [{
        "type": "track", "event": f"Viewed {fresh()[:8]}", "messageId": fresh(), "anonymousId": fresh(),
        "userId": fresh(), "timestamp": "2026-11-27T10:00:00.000Z",
        "properties": {"product_id": fresh(), "price": i * 1.5, "tags": [fresh(), fresh()], "url": f"https://{fresh()}"},
        "context": {"library": {"name": "analytics.js", "version": "next-1.84.3"},
                    "page": {"path": f"/{fresh()}", "url": f"https://shop.example/{fresh()}"},
                    "userAgent": f"Mozilla/5.0 {fresh()}", "ip": "203.0.113.7"},
    } for i in range(events)]
    return orjson.dumps({"writeKey": "bench", "batch": batch})


def bodies() -> dict[str, bytes]:
    found = {"segment batch of 100": segment_batch(100)}
    for path in sorted((ROOT / "fixtures" / "replay-corpus").glob("sess_*.json"))[:3]:
        found[f"recording {path.stem}"] = orjson.dumps(orjson.loads(path.read_bytes())["events"])
    return found


def median_turn(turns: int, runs: dict[str, Callable[[], object]], per_turn: int) -> dict[str, float]:
    """Seconds per call of each function, the median of `turns` alternating turns."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(turns):
        for name, run in runs.items():
            start = time.perf_counter()
            for _ in range(per_turn):
                run()
            times[name].append((time.perf_counter() - start) / per_turn)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=30)
    args = parser.parse_args()
    print(f"{'body':<32} {'KB':>6} {'loads µs':>9} {'within µs':>10} {'walk µs':>8} {'within/loads':>13} "
          f"{'walk/loads':>11}")
    for name, body in bodies().items():
        value = orjson.loads(body)
        assert within(value) and walk(value)
        per_turn = max(1, 2_000_000 // len(body))
        t = median_turn(args.turns, {"loads": lambda b=body: orjson.loads(b), "within": lambda v=value: within(v),
                                     "walk": lambda v=value: walk(v)}, per_turn)
        print(f"{name:<32} {len(body) / 1024:>6.0f} {t['loads'] * 1e6:>9.1f} {t['within'] * 1e6:>10.1f} "
              f"{t['walk'] * 1e6:>8.1f} {t['within'] / t['loads']:>13.2f} {t['walk'] / t['loads']:>11.2f}")


if __name__ == "__main__":
    main()
