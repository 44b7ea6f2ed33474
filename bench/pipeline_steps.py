"""What the pipeline's runner costs, and where a request's time goes, step by step.

    .venv/bin/python bench/pipeline_steps.py [--rounds 200]

Runs the same steps over the same batches two ways, alternating round by round in one process:
- runner: `Pipeline.process`, which times every step, tells each stop which step made it and ends once nothing is left;
- bare: the same step functions called in a plain loop on the same kind of batch (with the same per-event records),
  with none of that.
Prints events/s for both (each batch's fastest round: the least disturbed by other work on the machine), the ratio
runner / bare, and each step's share of the runner's time as its own timings report it (mean over every round). No PII
scrubber (its cost would hide the runner's): the worst case for the ratio.
Events: realistic Segment track calls (bench/ingest_segment.py), 100 per batch, every id different; one opt-out source
with two destinations that both get every event, and one (unrelated) subject suppressed, so that every step has work.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest_segment import make_bodies  # noqa: E402

from gateway import consent_ledger, identity, suppression  # noqa: E402
from gateway.consent_ledger import ConsentLedger  # noqa: E402
from gateway.database import Database  # noqa: E402
from gateway.identity import Identity  # noqa: E402
from gateway.pipeline import Pipeline, Processed  # noqa: E402
from gateway.pipeline.batch import Batch  # noqa: E402
from gateway.pipeline.entry import Entry  # noqa: E402
from gateway.protocols import DESTINATION_PROTOCOLS, segment  # noqa: E402
from gateway.protocols.codec import Inbound  # noqa: E402
from gateway.suppression import Suppression  # noqa: E402
from policies.event import Event  # noqa: E402
from policies.loader import parse_policy  # noqa: E402
from policies.policy import Source  # noqa: E402

POLICY = """
[[sources]]
name = "web"
write_keys = ["bench-write-key"]
consent_model = "opt-out"
destinations = ["a", "b"]

[[destinations]]
name = "a"
protocol = "sink"
purposes = ["analytics"]

[[destinations]]
name = "b"
protocol = "sink"
purposes = ["analytics", "marketing"]
"""


def bare(pipeline: Pipeline, source: Source, events: list[Event]) -> Processed:
    """The pipeline's steps without the runner: the same batch, the steps called one after the other."""
    routes = pipeline.routes[source.name]
    entries = [Entry(event) for event in events]
    out = Processed(tuple(route.destination.name for route in routes), tuple(entries))
    batch = Batch(source, routes, {}, {}, entries, out)
    for step in pipeline.steps:
        step.run(batch)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    policy = parse_policy(POLICY, "bench.toml", DESTINATION_PROTOCOLS, {})
    source = policy.sources[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "db.sqlite3", [*identity.MIGRATIONS, *consent_ledger.MIGRATIONS,
                                                 *suppression.MIGRATIONS])
        suppressed = Suppression(db)
        db.write_sync(lambda conn: suppressed.add(conn, ["someone-deleted"], "bench"))
        encode = segment.CODEC.outbox_encoder()
        pipeline = Pipeline(policy, {"a": encode, "b": encode}, Identity(b"k" * 32), suppressed, ConsentLedger(db),
                            b"p" * 32)
        batches = [segment.decode(Inbound("batch", "POST", {}, {}, body)).events for body in make_bodies(10)]
        n_events = sum(map(len, batches))
        variants: dict[str, Callable[[list[Event]], Processed]] = {
            "runner": lambda events: pipeline.process(source, events, {}, {}),
            "bare": lambda events: bare(pipeline, source, events),
        }
        # Per batch, the fastest of its repeats: on a shared machine, other work only ever adds time. The order of the
        # two variants flips every round, so that neither always runs on a cache the other warmed.
        fastest = {name: [float("inf")] * len(batches) for name in variants}
        order = list(variants.items())
        per_step: dict[str, float] = defaultdict(float)
        for _ in range(rounds):
            order.reverse()
            for i, events in enumerate(batches):
                for name, run in order:
                    started = time.perf_counter()
                    processed = run(events)
                    fastest[name][i] = min(fastest[name][i], time.perf_counter() - started)
                    if name == "runner":
                        for step, spent in processed.timings:
                            per_step[step] += spent
        db.close()

    rate = {name: n_events / sum(times) for name, times in fastest.items()}
    print(f"{n_events} events in batches of 100, {rounds} rounds alternating, no scrubber; each batch's fastest round")
    print(f"runner {rate['runner']:>10,.0f} e/s   bare {rate['bare']:>10,.0f} e/s   "
          f"ratio {rate['runner'] / rate['bare']:.3f} (runner / bare)")
    total = sum(per_step.values())
    print("share of the runner's time by step (mean over every round): " + ", ".join(
        f"{step} {spent / total:.1%} ({spent / (n_events * rounds) * 1e6:.2f} µs/event)"
        for step, spent in per_step.items()))


if __name__ == "__main__":
    main()
