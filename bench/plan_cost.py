"""What a tracking plan and the event catalog cost a request, in the pipeline the gateway runs (PII scrubber included).

    .venv/bin/python bench/plan_cost.py [--rounds 15]

Three pipelines over the same 100-event batches, alternating batch by batch in one process:
- base: the gateway's steps with the event catalog off;
- +catalog: the same with the catalog on (the default), counting each event's property shapes in memory;
- +plan: the same with a tracking plan on the source (naming style, required account, the event's JSON Schema;
  every event keeps to it, the common case; a violation adds its error collection and a stored row).
Events: realistic Segment track calls (bench/ingest_segment.py), every id different. Each pipeline has its own
scrubber, started on a batch not measured; the scrubber caches what it has seen, so the first round is cold (strings
new to it) and later rounds warm (the same strings again): both are printed, each as every batch's fastest time in that
state (on a shared machine, other work only ever adds time). The cost is +plan against +catalog, and +catalog against
base, in each state. An end-to-end figure over HTTP is in bench/ingest_segment.py (too noisy here for a few %).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import orjson  # noqa: E402
from ingest_segment import PLAN, make_bodies  # noqa: E402

from gateway import consent_ledger, identity, suppression  # noqa: E402
from gateway.catalog import Catalog  # noqa: E402
from gateway.consent_ledger import ConsentLedger  # noqa: E402
from gateway.database import Database  # noqa: E402
from gateway.identity import Identity  # noqa: E402
from gateway.pipeline import Pipeline  # noqa: E402
from gateway.protocols import DESTINATION_PROTOCOLS, segment  # noqa: E402
from gateway.protocols.codec import Inbound  # noqa: E402
from gateway.suppression import Suppression  # noqa: E402
from policies.event import Event  # noqa: E402
from policies.loader import parse_policy  # noqa: E402
from policies.pii.scrubber import Scrubber  # noqa: E402

POLICY = """
[[sources]]
name = "web"
write_keys = ["bench-write-key"]
consent_model = "opt-out"
destinations = ["a", "b"]
{plan}
[[destinations]]
name = "a"
protocol = "sink"

[[destinations]]
name = "b"
protocol = "sink"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "plan.json").write_bytes(orjson.dumps(PLAN))
        file = str(Path(tmp) / "bench.toml")
        plain = parse_policy(POLICY.format(plan=""), file, DESTINATION_PROTOCOLS, {})
        planned = parse_policy(POLICY.format(plan='tracking_plan = "plan.json"'), file, DESTINATION_PROTOCOLS, {})
        db = Database(Path(tmp) / "db.sqlite3", [*identity.MIGRATIONS, *consent_ledger.MIGRATIONS,
                                                 *suppression.MIGRATIONS])
        encode = segment.CODEC.outbox_encoder()
        ids, suppressed, ledger = Identity(b"k" * 32), Suppression(db), ConsentLedger(db)

        def pipeline(policy: object, catalog: bool) -> Pipeline:
            # A scrubber of its own: its caches must not warm for another variant.
            scrubber = Scrubber(plain.pii, b"s" * 32, Path(tmp))
            return Pipeline(policy, {"a": encode, "b": encode}, ids, suppressed, ledger,  # type: ignore[arg-type]
                            b"p" * 32, scrubber, catalog=Catalog(db, "properties.account_id", str) if catalog else None)

        variants: dict[str, Callable[[list[Event]], object]] = {}
        for name, policy, catalog in (("base", plain, False), ("+catalog", plain, True), ("+plan", planned, True)):
            built, source = pipeline(policy, catalog), policy.sources[0]
            variants[name] = lambda events, p=built, s=source: p.process(s, events, {}, {})
        bodies = make_bodies(13)
        # The engine's one-time start (models, recognizers) is not what cold means: one batch each, not measured.
        for run in variants.values():
            run(segment.decode(Inbound("batch", "POST", {}, {}, bodies[-1])).events)
        bodies = bodies[:-1]
        # Each variant gets its own copy of the events: the scrubber rewrites them in place.
        copies = {name: [[segment.decode(Inbound("batch", "POST", {}, {}, body)).events for body in bodies]
                         for _ in range(rounds)] for name in variants}
        cold = {name: 0.0 for name in variants}
        warm = {name: [float("inf")] * len(bodies) for name in variants}
        order = list(variants.items())
        for r in range(rounds):
            for i in range(len(bodies)):
                order.reverse()
                for name, run in order:
                    started = time.process_time()
                    run(copies[name][r][i])
                    spent = time.process_time() - started
                    if r == 0:
                        cold[name] += spent
                    else:
                        warm[name][i] = min(warm[name][i], spent)
        db.close()

    n = 100 * len(bodies)
    print(f"{n} events in batches of 100, {rounds} rounds, PII scrubber on; CPU time of this process")
    for state, times in (("cold", cold), ("warm", {k: sum(v) for k, v in warm.items()})):
        rates = {name: n / spent for name, spent in times.items()}
        print(f"{state}: " + "   ".join(f"{name} {rate:>8,.0f} e/s" for name, rate in rates.items()))
        print(f"      catalog costs {times['+catalog'] / times['base'] - 1:+.1%} of base; "
              f"plan costs {times['+plan'] / times['+catalog'] - 1:+.1%} of +catalog "
              f"({(times['+plan'] - times['+catalog']) / n * 1e6:.1f} µs/event)")


if __name__ == "__main__":
    main()
