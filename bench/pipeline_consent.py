"""What consent costs the pipeline: events/s through `Pipeline.process` with consent decisions, next to the same work
without them (subjects and encoding only) in the same run.

    .venv/bin/python bench/pipeline_consent.py [--rounds 30]

Events: realistic Segment track calls (about 18 strings each), in batches of 100, one source sending to two
destinations (so two verdicts and two encodings per event). Scenarios: no consent signal at all (the common case),
a Segment consent object in every event, a subject with stored user consent in the ledger, and a device with stored
device consent (what a browser's banner records through the public key: looked up by the event's device id as well).
Each batch's fastest round, the two variants alternating.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest_segment import make_bodies  # noqa: E402

from gateway import consent_ledger, identity, suppression  # noqa: E402
from gateway.consent_ledger import ConsentLedger  # noqa: E402
from gateway.database import Database  # noqa: E402
from gateway.identity import Identity  # noqa: E402
from gateway.outbox.store import Delivery  # noqa: E402
from gateway.pipeline import Pipeline  # noqa: E402
from gateway.protocols import DESTINATION_PROTOCOLS, segment  # noqa: E402
from gateway.protocols.codec import Inbound  # noqa: E402
from gateway.suppression import Suppression  # noqa: E402
from policies.loader import parse_policy  # noqa: E402

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
on_missing_consent = "anonymize"
"""


def without_consent(pipeline: Pipeline, source_name: str, events: list) -> list[Delivery]:
    """The pipeline's work minus consent: subjects, links, and one encoding per destination."""
    subjects = [pipeline.identity.subjects(e) for e in events]
    pipeline.identity.new_links(subjects)
    return [Delivery(route.destination.name, source_name, e.message_id, route.encode(e), " ".join(ids))
            for route in pipeline.routes[source_name] for e, ids in zip(events, subjects, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-devices", action="store_true",
                        help="no device-scoped record in the ledger (the pipeline then looks up no device ids)")
    args = parser.parse_args()
    rounds = args.rounds
    policy = parse_policy(POLICY, "bench.toml", DESTINATION_PROTOCOLS, {})
    source = policy.sources[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "db.sqlite3", [*identity.MIGRATIONS, *consent_ledger.MIGRATIONS,
                                                 *suppression.MIGRATIONS])
        ids = Identity(b"k" * 32)
        ledger = ConsentLedger(db)
        encode = segment.CODEC.outbox_encoder()
        pipeline = Pipeline(policy, {"a": encode, "b": encode}, ids, Suppression(db), ledger, b"p" * 32)
        bodies = make_bodies(20)

        def batches(transform=None):
            out = []
            for body in bodies:
                if transform:
                    data = orjson.loads(body)
                    for item in data["batch"]:
                        transform(item)
                    body = orjson.dumps(data)
                out.append(segment.decode(Inbound("batch", "POST", {}, {}, body)).events)
            return out

        def with_segment_consent(item: dict) -> None:
            item["context"]["consent"] = {"categoryPreferences": {"Analytics": True, "Advertising": False}}

        stored_users = batches()
        users = {ids.hash(e.user_id) for events in stored_users for e in events if e.user_id}
        db.write_sync(lambda c: ledger.record(c, users, ["analytics"], ["marketing"], scope="subject",
                                              provenance="server", source="web", via="bench"))
        stored_devices = batches()
        devices = {h for events in stored_devices for e in events for h in ids.subjects_and_devices(e)[1]}
        scenarios = {
            "no signal": batches(),
            "segment consent object": batches(with_segment_consent),
            "stored consent (ledger)": stored_users,
        }
        if not args.no_devices:
            db.write_sync(lambda c: ledger.record(c, devices, ["analytics"], ["marketing"], scope="device",
                                                  provenance="public", source="web", via="bench"))
            scenarios["stored device consent"] = stored_devices
        n_events = sum(len(b) for b in bodies and scenarios["no signal"])
        print(f"{n_events} events in batches of 100, {rounds} rounds alternating, two destinations; each batch's "
              "fastest round")
        print(f"{'scenario':<26}{'with consent':>16}{'without':>14}{'ratio':>8}")
        for name, data in scenarios.items():
            variants = [("with", lambda events: pipeline.process(source, events, {}, {})),
                        ("without", lambda events: without_consent(pipeline, source.name, events))]
            # Per batch, the fastest of its rounds, the two variants alternating in order: on a shared machine other
            # work only ever adds time, and neither variant always runs on a cache the other warmed.
            fastest = {label: [float("inf")] * len(data) for label, _ in variants}
            for _ in range(rounds):
                variants.reverse()
                for i, events in enumerate(data):
                    for label, run in variants:
                        started = time.perf_counter()
                        run(events)
                        fastest[label][i] = min(fastest[label][i], time.perf_counter() - started)
            timings = {label: n_events / sum(times) for label, times in fastest.items()}
            print(f"{name:<26}{timings['with']:>12,.0f} e/s{timings['without']:>10,.0f} e/s"
                  f"{timings['with'] / timings['without']:>8.2f}")
        db.close()


if __name__ == "__main__":
    main()
