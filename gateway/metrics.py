"""The gateway's metrics, served at /metrics in the Prometheus text format by prometheus-client.

Every family is declared in FAMILIES with its help text and its label names: an undeclared name is a programming
error, caught by the first test that reaches it. The series whose labels the policy determines (per source, per
destination, per source and destination, per protocol) exist at zero from the start (`policy_series`), so a dashboard
or an alert reads 0 rather than "no data" before the first event. Beside the gateway's own families: the process
(CPU, memory, open files), the Python runtime and its garbage collector, and the build (`gateway_build_info`).

Only counts, durations and label values from the policy or the code (source and destination names, route templates,
reasons, step names) go here: never payload data. They are changed on the event loop only.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata

import prometheus_client
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from gateway.provenance import PROVENANCES
from policies.policy import Policy

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

# Upper bounds of the histogram buckets, in seconds: a pipeline step takes from microseconds (a lookup over a small
# batch) to seconds (scrubbing a large batch of new text on a loaded machine); a request from a fraction of a
# millisecond (a refusal) to seconds (a large batch waiting for its commit on a busy disk).
BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# The reasons ingest refuses a request for (ProtocolError codes) before it knows the source: the label sets of
# gateway_events_rejected_total that exist at zero.
INGEST_REFUSALS = ("invalid_request", "payload_too_large", "unauthorized")
UNKNOWN_SOURCE = "unknown"


@dataclass(frozen=True, slots=True)
class Family:
    kind: type[Counter] | type[Gauge] | type[Histogram]
    help: str
    labels: tuple[str, ...]  # sorted: the order in which /metrics lists them


def _counter(help_text: str, *labels: str) -> Family:
    return Family(Counter, help_text, tuple(sorted(labels)))


def _gauge(help_text: str, *labels: str) -> Family:
    return Family(Gauge, help_text, tuple(sorted(labels)))


def _histogram(help_text: str, *labels: str) -> Family:
    return Family(Histogram, help_text, tuple(sorted(labels)))


FAMILIES: dict[str, Family] = {
    # HTTP
    "gateway_http_request_duration_seconds": _histogram(
        "Time from a request's arrival to the end of its answer, by route template (never the raw path).", "route"),
    "gateway_http_responses_total": _counter(
        "Answers sent, by route template and HTTP status; 4xx and 5xx are also logged with their reason.",
        "route", "status"),
    # Ingest
    "gateway_events_received_total": _counter(
        "Events decoded from ingest requests and committed, by source and protocol.", "source", "protocol"),
    "gateway_events_rejected_total": _counter(
        "Ingest requests refused (nothing stored), by source ('unknown' before the write key is known), protocol "
        "and reason.", "source", "protocol", "reason"),
    "gateway_events_queued_total": _counter(
        "Event deliveries committed to the outbox, by source and destination.", "source", "destination"),
    "gateway_outbox_full_total": _counter(
        "Ingest requests answered 503 with Retry-After because the outbox held [outbox] max_events.", "source"),
    "gateway_requests_shed_total": _counter(
        "Ingest requests refused at once with 503 and Retry-After by admission control ([http] max_queue_wait_s), "
        "by kind (events, replay).", "kind"),
    "gateway_events_suppressed_total": _counter(
        "Events dropped at ingest because their subject asked to be deleted, by source.", "source"),
    # The pipeline
    "gateway_scrub_workers_busy": _gauge("Scrub worker processes ([http] scrub_workers) scrubbing a request now."),
    "gateway_scrub_queue": _gauge("Requests waiting for a free scrub worker."),
    "gateway_scrub_worker_restarts_total": _counter("Scrub workers that exited and were replaced."),
    "gateway_scrub_worker_timeouts_total": _counter(
        "Scrub workers killed for not answering a job within [http] scrub_job_timeout_s (then replaced)."),
    "gateway_pipeline_step_seconds": _histogram(
        "Time each pipeline step took per request (a batch of events), by step; _count is the requests that "
        "reached the step.", "step"),
    "gateway_consent_decisions_total": _counter(
        "Consent verdicts per event and destination: forward, anonymize or drop, and why.",
        "destination", "action", "reason"),
    "gateway_consent_malformed_total": _counter(
        "Consent signals that could not be read (treated as no consent), by source and kind.", "source", "kind"),
    "gateway_pii_findings_total": _counter(
        "What the PII scrubber found and did, by entity type, rule and action (never values).",
        "entity", "rule", "action"),
    "gateway_plan_violations_total": _counter(
        "Tracking plan violations, by source, rule and what was done (never values).", "source", "rule", "action"),
    # Delivery
    "gateway_events_delivered_total": _counter(
        "Event deliveries accepted by their destination, by source and destination.", "source", "destination"),
    "gateway_events_retried_total": _counter(
        "Event deliveries sent again after a retryable failure (timeout, 429, 5xx), by source and destination.",
        "source", "destination"),
    "gateway_events_dead_lettered_total": _counter(
        "Event deliveries refused for good by their destination and moved to the dead letters.",
        "source", "destination"),
    "gateway_outbox_depth": _gauge("Event deliveries waiting in the outbox, by destination.", "destination"),
    "gateway_outbox_lag_seconds": _gauge(
        "Age of the oldest undelivered event, by destination (0 when none waits): how far delivery is behind. Read "
        "from the database, so with several nodes on PostgreSQL it is the cluster's, the same on every node.",
        "destination"),
    "gateway_destination_owner": _gauge(
        "1 when this node sends the destination's events (owns it), else 0. With one node (SQLite) always 1; with "
        "several on PostgreSQL, exactly one node has 1 per destination once ownership has settled.", "destination"),
    "gateway_deletion_backlog": _gauge(
        "Deletion requests accepted and not finished yet (local stores or vendor calls still to do)."),
    "gateway_deletion_backlog_age_seconds": _gauge(
        "Age of the oldest deletion request not finished yet (0 when none is): how long a subject has waited."),
    "gateway_dead_letters": _gauge(
        "Event deliveries in the dead letters, by destination: refused for good, waiting for an operator.",
        "destination"),
    # Faults (counted by branch ops's supervisor, storage health and vendor deletion calls; declared here so that
    # the two branches meet in one table).
    "gateway_database_writable": _gauge(
        "1 while database writes commit, 0 while they fail (disk full, I/O errors): ingest answers 503 meanwhile."),
    "gateway_task_restarts_total": _counter(
        "Restarts of a supervised task (a destination's sender, a background worker) after it failed, by task.",
        "task"),
    "gateway_storage_unavailable_total": _counter(
        "Ingest requests answered 503 because the database could not take writes, by path kind and reason.",
        "endpoint", "reason"),
    "gateway_vendor_deletion_failed_total": _counter(
        "Vendor deletion calls marked failed (retries exhausted, refused, or the vendor's job failed), by "
        "destination.", "destination"),
    "gateway_policy_reloads_total": _counter(
        "Policy reloads on SIGHUP (or, on PostgreSQL, another node's reload), by result: ok (the new policy runs) or "
        "failed (the old one stays; the log says why).", "result"),
    "gateway_policy_info": _gauge(
        "The running policy: a keyed fingerprint of its file's bytes (gateway.keys.policy_fingerprint) as the label "
        "of a constant 1. Nodes that should run the same policy show the same fingerprint.", "digest"),
    "posthog_passthrough_failed_total": _counter(
        "PostHog flag, config and static-file requests that could not reach the destination, by destination.",
        "destination"),
    "posthog_passthrough_refused_total": _counter(
        "PostHog flag, config and static-file requests refused before PostHog was asked (a path outside the "
        "allow-list or with escapes or dot segments, an unknown key, a body too large, too deep or too slow), by "
        "status.", "status"),
    # The consent API
    "gateway_consent_records_total": _counter(
        "Consent records written through the consent API, by source and provenance: public (a write key, for a "
        "device), server (a server key), token (a signed consent token) or admin.", "source", "provenance"),
    "gateway_consent_api_rejected_total": _counter("Consent API requests refused (nothing stored), by reason.",
                                                   "reason"),
    "gateway_consent_api_suppressed_total": _counter(
        "Consent API requests for a subject who asked to be deleted (acknowledged, nothing kept), by source.",
        "source"),
    "gateway_consent_withdrawn_events_removed_total": _counter(
        "Queued events removed because their subject withdrew a purpose their destination needs, by source.",
        "source"),
    # Replay
    "replay_requests_rejected_total": _counter("Recording requests refused (nothing stored), by reason.", "reason"),
    "replay_chunks_stored_total": _counter("Recording chunks stored, by source.", "source"),
    "replay_chunks_refused_total": _counter(
        "Recording chunks not stored for lack of consent or because the subject asked to be deleted, by source and "
        "reason.", "source", "reason"),
    "replay_raw_bytes_total": _counter("Bytes of rrweb JSON received in stored recording chunks, by source.",
                                       "source"),
    "replay_stored_bytes_total": _counter("Bytes stored for those chunks after compression, by source.", "source"),
    "replay_snapshots_queued_total": _counter(
        "Recording events queued for destinations that take recordings (PostHog $snapshot events), by source.",
        "source"),
    "replay_chunks_withheld_total": _counter(
        "Stored recording chunks not sent to a destination that takes recordings, as a purpose of the destination "
        "is not granted, by source and reason.", "source", "reason"),
}

Series = tuple[str, Mapping[str, str]]


def policy_series(policy: Policy, protocols: Iterable[str]) -> list[Series]:
    """The series that exist at zero before the first event: every label set the policy determines."""
    enabled = {d.name for d in policy.enabled_destinations}
    series: list[Series] = [("gateway_policy_reloads_total", {"result": r}) for r in ("ok", "failed")]
    series += [("gateway_requests_shed_total", {"kind": kind}) for kind in ("events", "replay")]
    for protocol in protocols:
        series += [("gateway_events_rejected_total", {"source": UNKNOWN_SOURCE, "protocol": protocol, "reason": r})
                   for r in INGEST_REFUSALS]
    for source in policy.sources:
        s = source.name
        series += [("gateway_events_received_total", {"source": s, "protocol": p}) for p in protocols]
        series += [(name, {"source": s}) for name in (
            "gateway_outbox_full_total", "gateway_events_suppressed_total",
            "gateway_consent_withdrawn_events_removed_total")]
        series += [("gateway_consent_records_total", {"source": s, "provenance": p}) for p in PROVENANCES
                   if p != "admin"]  # the admin API's records are counted under source "admin"
        series += [(name, {"source": s, "destination": d})
                   for d in source.destinations if d in enabled
                   for name in ("gateway_events_queued_total", "gateway_events_delivered_total",
                                "gateway_events_retried_total", "gateway_events_dead_lettered_total")]
        if policy.replay.enabled:
            series += [(name, {"source": s}) for name in (
                "replay_chunks_stored_total", "replay_raw_bytes_total", "replay_stored_bytes_total")]
    series += [("posthog_passthrough_failed_total", {"destination": d.name})
               for d in policy.enabled_destinations if d.protocol == "posthog"]
    for destination in sorted(enabled):
        series += [("gateway_task_restarts_total", {"task": f"sender:{destination}"}),
                   ("gateway_vendor_deletion_failed_total", {"destination": destination})]
    return series


def _build_info() -> dict[str, str]:
    try:
        version = metadata.version("privacy-gateway")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "unknown"
    return {"version": version, "python": platform.python_version()}


class Metrics:
    """The gateway's registry: its declared families (with `series` at zero), the process, runtime and build."""

    def __init__(self, series: Iterable[Series] = ()) -> None:
        # A counter's _created timestamp doubles every series for a figure no dashboard here uses.
        prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in 0.26
        self.registry = CollectorRegistry(auto_describe=True)
        self._families = {name: _family(name, family, self.registry) for name, family in FAMILIES.items()}
        # (family, labels as the caller orders them) -> child: prometheus-client checks the label names on every
        # .labels() call; a call site passes its labels in one order, so this finds its child without sorting.
        self._children: dict[tuple[str, tuple[tuple[str, str], ...]], Counter | Gauge | Histogram] = {}
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        Info("gateway_build", "The gateway's version and Python's, as labels of a constant 1.",
             registry=self.registry).info(_build_info())
        self.declare(series)

    def declare(self, series: Iterable[Series]) -> None:
        """Make `series` exist (at zero if new): those of a policy, at the start and after a reload."""
        for name, labels in series:
            self._child(name, labels)

    def _child(self, name: str, labels: Mapping[str, str]) -> Counter | Gauge | Histogram:
        key = (name, tuple(labels.items()))
        child = self._children.get(key)
        if child is None:
            family = self._families.get(name)
            if family is None:
                raise KeyError(f"metric {name!r} is not declared in gateway.metrics.FAMILIES")
            child = self._children[key] = family.labels(**labels) if labels else family  # a family without labels
        return child

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        child = self._child(name, labels)
        assert isinstance(child, Counter), name
        child.inc(amount)

    def observe(self, name: str, value: float, **labels: str) -> None:
        """Add `value` (a duration in seconds) to the histogram `name`."""
        child = self._child(name, labels)
        assert isinstance(child, Histogram), name
        child.observe(value)

    def value(self, name: str, **labels: str) -> float:
        """A counter's value (0 for a series that does not exist yet)."""
        return self.registry.get_sample_value(name, dict(labels)) or 0.0

    def render(self, gauges: Mapping[str, Iterable[tuple[Mapping[str, str], float]]] = {}) -> str:
        """Everything in the text format, with `gauges` (name -> (labels, value) pairs) as measured now: series not
        given are dropped (a destination taken out of the policy stops being listed)."""
        for name, values in gauges.items():
            gauge = self._families[name]
            assert isinstance(gauge, Gauge), name
            gauge.clear()
            for labels, value in values:
                (gauge.labels(**labels) if labels else gauge).set(value)
        return generate_latest(self.registry).decode()


def _family(name: str, family: Family, registry: CollectorRegistry) -> Counter | Gauge | Histogram:
    if family.kind is Histogram:
        return Histogram(name, family.help, family.labels, registry=registry, buckets=BUCKETS)
    return family.kind(name, family.help, family.labels, registry=registry)
