"""Counters and gauges, rendered in the Prometheus text format at /metrics.

Only counts and label values from the policy (source and destination names, reasons) go here: never payload data.
Counters are changed on the event loop only, so no lock is needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

HELP = {
    "gateway_events_received_total": "Events decoded from ingest requests, by source and protocol.",
    "gateway_events_rejected_total": "Events or requests refused at ingest, by source, protocol and reason.",
    "gateway_events_queued_total": "Event deliveries committed to the outbox, by source and destination.",
    "gateway_events_delivered_total": "Event deliveries accepted by their destination, by source and destination.",
    "gateway_events_retried_total": "Event deliveries sent again after a retryable failure, by source and destination.",
    "gateway_events_dead_lettered_total": "Event deliveries refused for good, moved to dead letters.",
    "gateway_outbox_depth": "Event deliveries waiting in the outbox, by destination.",
    "gateway_events_suppressed_total": "Events dropped at ingest because their subject asked to be deleted.",
    "gateway_consent_decisions_total": "Consent verdicts per event and destination: forward, anonymize or drop, why.",
    "gateway_consent_malformed_total": "Consent signals that could not be read (treated as no consent), by kind.",
    "gateway_pii_findings_total":
        "What the PII scrubber found and did, by entity type, rule and action (never values).",
    "gateway_outbox_full_total": "Ingest requests answered 503 because the outbox was full.",
}

Labels = tuple[tuple[str, str], ...]


class Metrics:
    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        self._counters[name][tuple(sorted(labels.items()))] += amount

    def value(self, name: str, **labels: str) -> float:
        return self._counters.get(name, {}).get(tuple(sorted(labels.items())), 0.0)

    def render(self, gauges: Mapping[str, Iterable[tuple[Mapping[str, str], float]]] = {}) -> str:
        lines: list[str] = []
        for name, kind, series in [
            *((n, "counter", s.items()) for n, s in sorted(self._counters.items())),
            *((n, "gauge", ((tuple(sorted(labels.items())), v) for labels, v in s)) for n, s in sorted(gauges.items())),
        ]:
            lines.append(f"# HELP {name} {HELP.get(name, name)}")
            lines.append(f"# TYPE {name} {kind}")
            for labels, value in series:
                lines.append(f"{name}{_labels(labels)} {_number(value)}")
        return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
