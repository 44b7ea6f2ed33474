"""/metrics in the Prometheus text format: counters, gauges and the per-step timing histograms, as Prometheus's own
parser (prometheus-client) reads them."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from gateway.metrics import BUCKETS, Metrics

STEP_SECONDS = "gateway_pipeline_step_seconds"


def samples(text: str) -> dict[str, list[Sample]]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def test_a_step_timing_histogram_has_cumulative_buckets_a_sum_and_a_count() -> None:
    metrics = Metrics()
    for seconds in (0.00005, 0.0003, 0.0003, 0.02, 30.0):  # the last one is above every bucket
        metrics.observe(STEP_SECONDS, seconds, step="scrub")
    metrics.observe(STEP_SECONDS, 0.001, step="consent")

    text = metrics.render()
    assert f"# TYPE {STEP_SECONDS} histogram" in text
    scrub = [s for s in samples(text)[STEP_SECONDS] if s.labels.get("step") == "scrub"]
    buckets = {float(s.labels["le"]): s.value for s in scrub if s.name.endswith("_bucket")}
    assert list(buckets) == [*BUCKETS, float("inf")]
    assert buckets[0.0001] == 1
    assert buckets[0.00025] == 1
    assert buckets[0.0005] == 3
    assert buckets[0.025] == 4
    assert buckets[10.0] == 4
    assert buckets[float("inf")] == 5
    totals = {s.name: s.value for s in scrub if not s.name.endswith("_bucket")}
    assert totals == {f"{STEP_SECONDS}_count": 5, f"{STEP_SECONDS}_sum": 0.00005 + 0.0003 + 0.0003 + 0.02 + 30.0}


def test_a_value_on_a_bucket_bound_counts_in_that_bucket() -> None:
    """Prometheus buckets are `le`: less than or equal to the bound."""
    metrics = Metrics()
    metrics.observe(STEP_SECONDS, 0.001, step="route")

    buckets = {s.labels["le"]: s.value for s in samples(metrics.render())[STEP_SECONDS] if "le" in s.labels}
    assert buckets["0.0005"] == 0
    assert buckets["0.001"] == 1


def test_counters_gauges_and_histograms_render_together_and_parse() -> None:
    metrics = Metrics()
    metrics.inc("gateway_events_received_total", 3, source="web", protocol="segment")
    metrics.observe(STEP_SECONDS, 0.002, step="consent")

    families = {f.name: f.type for f in text_string_to_metric_families(
        metrics.render({"gateway_outbox_depth": [({"destination": "segment"}, 7)]}))}

    assert families == {"gateway_events_received": "counter", "gateway_outbox_depth": "gauge",
                        STEP_SECONDS: "histogram"}
