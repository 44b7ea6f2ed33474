"""Counters, histograms and gauges, rendered in the Prometheus text format at /metrics.

Only counts, durations and label values from the policy or the code (source and destination names, reasons, step
names) go here: never payload data. They are changed on the event loop only, so no lock is needed.
"""

from __future__ import annotations

from bisect import bisect_left
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
    "gateway_pipeline_step_seconds": "Time each pipeline step took per request (a batch of events), by step.",
}

# Upper bounds of the histogram buckets, in seconds: a pipeline step takes from microseconds (a lookup over a small
# batch) to seconds (scrubbing a large batch of new text on a loaded machine).
BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]


class Histogram:
    """One series: observations per bucket (the last one above every bound), their sum and their count."""

    __slots__ = ("buckets", "count", "sum")

    def __init__(self) -> None:
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.buckets[bisect_left(BUCKETS, value)] += 1
        self.sum += value
        self.count += 1

    def samples(self, name: str, labels: Labels) -> list[str]:
        """The series in the text format: cumulative buckets up to le="+Inf", then _sum and _count."""
        lines = []
        cumulative = 0
        for bound, n in zip((*map(_number, BUCKETS), "+Inf"), self.buckets, strict=True):
            cumulative += n
            lines.append(f"{name}_bucket{_labels((*labels, ('le', bound)))} {cumulative}")
        lines.append(f"{name}_sum{_labels(labels)} {_number(self.sum)}")
        lines.append(f"{name}_count{_labels(labels)} {self.count}")
        return lines


class Metrics:
    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        self._histograms: dict[str, dict[Labels, Histogram]] = defaultdict(lambda: defaultdict(Histogram))

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        self._counters[name][tuple(sorted(labels.items()))] += amount

    def observe(self, name: str, value: float, **labels: str) -> None:
        """Add `value` (a duration in seconds) to the histogram `name`."""
        self._histograms[name][tuple(sorted(labels.items()))].observe(value)

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
        for name, histograms in sorted(self._histograms.items()):
            lines.append(f"# HELP {name} {HELP.get(name, name)}")
            lines.append(f"# TYPE {name} histogram")
            for labels, histogram in histograms.items():
                lines.extend(histogram.samples(name, labels))
        return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
