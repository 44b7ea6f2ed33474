"""Consent decision cost per event, against a no-op step in the same run.

    python bench/consent.py [--events 2000] [--repeat 25]

Per event, the consent step of the pipeline: read_signals (the request's headers and query, the event), decide (with a
ledger state), and a verdict for each of three destinations (analytics, session_replay, advertising). Scenarios:

- none:     no consent information at all (an opt-in source's default);
- segment:  context.consent.categoryPreferences, as analytics.js with a CMP wrapper sends it;
- tcf:      a TC string in the query (the IAB spec's service-specific example, 104 characters) and gdpr=1;
- all:      Sec-GPC, categoryPreferences, RudderStack consentManagement, properties.$consent, a TC string and gcs.

Baselines, same loop, same events: a no-op step (one function call per event and per destination: the loop's own
cost), and encoding each delivery to Segment's wire JSON (what every delivery costs anyway), printed as ratios. Also
the cost of `anonymize` per anonymized delivery. The process is pinned to one CPU; each figure is the best of --repeat
short runs, taken in turns (consent, no-op, encode, consent, ...), so that a busy moment of the machine hits one run
and not one whole measurement.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from gateway.protocols.segment import event_from_wire, event_to_wire  # noqa: E402
from policies.consent import ConsentConfig, anonymize, decide, read_signals, verdict  # noqa: E402
from policies.event import Event  # noqa: E402

TC_STRING = "CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdfCKZuYJez-NQm0TBMYA4oCAAGQYIAAAAAAEAIAEgAA.argAC0gAAAAAAAAAAAA"
DESTINATIONS = (("analytics",), ("session_replay",), ("advertising",))
HEADERS = {"content-type": "application/json", "user-agent": "Mozilla/5.0", "origin": "https://www.example.com"}
KEY = b"bench-secret-key-0123456789"


def make_events(count: int, context_extra: dict, properties_extra: dict) -> list[Event]:
    events = []
    for i in range(count):
        wire = {
            "type": "track", "event": "Product Viewed", "messageId": f"m-{i}", "userId": f"user-{i % 2000}",
            "anonymousId": f"anon-{i % 3000}", "timestamp": "2026-03-14T10:00:00.000Z",
            "properties": {"product_id": f"p-{i % 97}", "price": 19.99, "currency": "EUR", **properties_extra},
            "context": {
                "ip": "203.0.113.9", "userAgent": "Mozilla/5.0 (X11; Linux x86_64)", "locale": "de-DE",
                "library": {"name": "analytics.js", "version": "next-1.70.0"},
                "page": {"path": "/p", "url": "https://www.example.com/p", "title": "Product"},
                **context_extra,
            },
        }
        events.append(event_from_wire(wire, None, "bench"))
    return events


SCENARIOS: dict[str, tuple[dict, dict, dict, dict]] = {  # context, properties, headers, query
    "none": ({}, {}, HEADERS, {}),
    "segment": ({"consent": {"categoryPreferences": {"Analytics": True, "Advertising": False, "Functional": True}}},
                {}, HEADERS, {}),
    "tcf": ({}, {}, HEADERS, {"gdpr": "1", "gdpr_consent": TC_STRING}),
    "all": (
        {"consent": {"categoryPreferences": {"Analytics": True, "Advertising": True}},
         "consentManagement": {"provider": "oneTrust", "resolutionStrategy": "and",
                               "allowedConsentIds": ["C0001", "C0002"], "deniedConsentIds": ["C0004"]}},
        {"$consent": {"analytics": True, "session_replay": False}},
        {**HEADERS, "sec-gpc": "1"},
        {"gdpr": "1", "gdpr_consent": TC_STRING, "gcs": "G101"},
    ),
}


def best_of(repeat: int, runs: dict[str, Callable[[], None]], events: int) -> dict[str, float]:
    """Nanoseconds per event of each run, best of `repeat` turns."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter_ns()
            run()
            best[name] = min(best[name], time.perf_counter_ns() - start)
    return {name: ns / events for name, ns in best.items()}


def noop(event: Event) -> Event:
    return event


def scenario_runs(
    events: list[Event], headers: dict[str, str], query: dict[str, str], config: ConsentConfig
) -> dict[str, Callable[[], None]]:
    """The consent step over `events` and its two baselines (a no-op step, encoding each delivery)."""
    ledger = {"analytics": True}

    def consent_step() -> None:
        for event in events:
            signals = read_signals(event, headers, query, config)
            consent = decide(signals, ledger, "opt-in", config)
            for purposes in DESTINATIONS:
                verdict(consent, purposes, "anonymize")

    def noop_step() -> None:
        for event in events:
            noop(event)
            for _ in DESTINATIONS:
                noop(event)

    def encode_step() -> None:
        for event in events:
            for _ in DESTINATIONS:
                orjson.dumps(event_to_wire(event))

    return {"consent": consent_step, "noop": noop_step, "encode": encode_step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    print(f"{args.events} events per run, best of {args.repeat}, one CPU, 3 destinations per event\n")
    print(f"{'scenario':<10} {'consent ns/event':>17} {'no-op ns/event':>15} {'ratio':>8} "
          f"{'encode ns/event':>16} {'vs encode':>10}")
    for name, (context, properties, headers, query) in SCENARIOS.items():
        events = make_events(args.events, context, properties)
        ns = best_of(args.repeat, scenario_runs(events, headers, query, ConsentConfig()), len(events))
        consent_ns, noop_ns, encode_ns = ns["consent"], ns["noop"], ns["encode"]
        print(f"{name:<10} {consent_ns:>17,.0f} {noop_ns:>15,.0f} {consent_ns / noop_ns:>8.1f} "
              f"{encode_ns:>16,.0f} {consent_ns / encode_ns:>10.2f}")

    events = make_events(args.events, SCENARIOS["all"][0], SCENARIOS["all"][1])
    day = date(2026, 3, 14)
    ns = best_of(args.repeat, {"anonymize": lambda: [anonymize(e, KEY, day) for e in events],
                               "noop": lambda: [noop(e) for e in events]}, len(events))
    anonymize_ns, noop_ns = ns["anonymize"], ns["noop"]
    print(f"\nanonymize: {anonymize_ns:,.0f} ns per anonymized delivery; no-op {noop_ns:,.0f} ns; "
          f"ratio {anonymize_ns / noop_ns:.1f}")


if __name__ == "__main__":
    main()
