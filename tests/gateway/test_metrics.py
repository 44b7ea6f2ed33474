"""/metrics in the Prometheus text format: every family declared with its help text, the series the policy
determines at zero before the first event, the per-step timing histograms, the process and build, as Prometheus's
own parser (prometheus-client) reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from gateway.metrics import BUCKETS, FAMILIES, Metrics, policy_series
from gateway.protocols import DESTINATION_PROTOCOLS, PROTOCOLS
from policies.loader import parse_policy

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

    families = {f.name: f for f in text_string_to_metric_families(
        metrics.render({"gateway_outbox_depth": [({"destination": "segment"}, 7)]}))}

    assert families["gateway_events_received"].type == "counter"
    assert families["gateway_outbox_depth"].type == "gauge"
    assert families[STEP_SECONDS].type == "histogram"
    received = families["gateway_events_received"].samples
    assert [(s.labels, s.value) for s in received] == [({"source": "web", "protocol": "segment"}, 3)]
    assert families["gateway_outbox_depth"].samples[0].value == 7


def test_every_family_is_listed_with_its_help_text_before_anything_happens() -> None:
    families = {f.name: f for f in text_string_to_metric_families(Metrics().render())}

    for name, family in FAMILIES.items():
        listed = families[name.removesuffix("_total")]
        assert listed.documentation == family.help
        assert len(family.help) > 30 and name not in family.help, f"{name}: say what it counts and by what"


POLICY = """
[[sources]]
name = "web"
write_keys = ["web-key"]
destinations = ["segment", "posthog"]

[[sources]]
name = "backend"
write_keys = ["backend-key"]
destinations = ["segment", "old"]

[[destinations]]
name = "segment"
protocol = "segment"
endpoint = "https://api.segment.io"
credentials = { write_key = "s" }
purposes = ["analytics"]

[[destinations]]
name = "posthog"
protocol = "posthog"
endpoint = "https://eu.i.posthog.com"
credentials = { api_key = "p" }
purposes = ["analytics"]

[[destinations]]
name = "old"
protocol = "amplitude"
endpoint = "https://api2.amplitude.com"
credentials = { api_key = "a" }
purposes = ["analytics"]
enabled = false
"""


def test_the_series_a_dashboard_needs_exist_at_zero_from_the_policy() -> None:
    policy = parse_policy(POLICY, "metrics.toml", DESTINATION_PROTOCOLS, {})
    text = Metrics(policy_series(policy, PROTOCOLS)).render()
    values = {(s.name, tuple(sorted(s.labels.items()))): s.value
              for family in text_string_to_metric_families(text) for s in family.samples}

    def zero(name: str, **labels: str) -> bool:
        return values.get((name, tuple(sorted(labels.items())))) == 0

    for source, destination in [("web", "segment"), ("web", "posthog"), ("backend", "segment")]:
        for name in ("queued", "delivered", "retried", "dead_lettered"):
            assert zero(f"gateway_events_{name}_total", source=source, destination=destination)
    for source in ("web", "backend"):
        assert zero("gateway_outbox_full_total", source=source)
        for protocol in PROTOCOLS:
            assert zero("gateway_events_received_total", source=source, protocol=protocol)
    for protocol in PROTOCOLS:
        assert zero("gateway_events_rejected_total", source="unknown", protocol=protocol, reason="unauthorized")
    assert zero("posthog_passthrough_failed_total", destination="posthog")
    for destination in ("segment", "posthog"):
        assert zero("gateway_task_restarts_total", task=f"sender:{destination}")
        assert zero("gateway_vendor_deletion_failed_total", destination=destination)
    for result in ("ok", "failed"):
        assert zero("gateway_policy_reloads_total", result=result)
    # A disabled destination gets nothing, so it has no series.
    assert not any(dict(labels).get("destination") == "old" for _, labels in values)


def test_a_reloaded_policys_new_series_join_at_zero_and_counts_so_far_stay() -> None:
    before = parse_policy(POLICY, "metrics.toml", DESTINATION_PROTOCOLS, {})
    metrics = Metrics(policy_series(before, PROTOCOLS))
    metrics.inc("gateway_events_delivered_total", 5, source="web", destination="segment")
    after = parse_policy(POLICY.replace('destinations = ["segment", "old"]', 'destinations = ["segment", "posthog"]'),
                         "metrics.toml", DESTINATION_PROTOCOLS, {})

    metrics.declare(policy_series(after, PROTOCOLS))

    delivered = samples(metrics.render())["gateway_events_delivered"]
    assert {(s.labels["source"], s.labels["destination"]): s.value for s in delivered} == {
        ("web", "segment"): 5, ("web", "posthog"): 0, ("backend", "segment"): 0, ("backend", "posthog"): 0}


def test_the_process_the_runtime_and_the_build_are_described() -> None:
    families = {f.name: f for f in text_string_to_metric_families(Metrics().render())}

    assert families["process_cpu_seconds"].samples[0].value > 0
    assert families["process_resident_memory_bytes"].samples[0].value > 0
    assert families["python_info"].samples
    assert families["python_gc_collections"].samples
    build = families["gateway_build_info"].samples[0]
    assert build.labels["version"] and build.labels["python"] and build.value == 1


def test_a_gauge_lists_only_what_was_measured_last() -> None:
    metrics = Metrics()
    metrics.render({"gateway_outbox_lag_seconds": [({"destination": "a"}, 3.5), ({"destination": "b"}, 0)]})

    text = metrics.render({"gateway_outbox_lag_seconds": [({"destination": "b"}, 12.25)]})

    lag = samples(text)["gateway_outbox_lag_seconds"]
    assert [(s.labels, s.value) for s in lag] == [({"destination": "b"}, 12.25)]


def test_an_undeclared_metric_or_label_is_refused() -> None:
    metrics = Metrics()
    with pytest.raises(KeyError, match="not declared"):
        metrics.inc("gateway_made_up_total", source="web")
    with pytest.raises(ValueError, match="label"):
        metrics.inc("gateway_events_received_total", source="web")  # no protocol


ROOT = Path(__file__).resolve().parents[2]
# metrics.inc("name", ...), .observe("name", ...) and a gate's count("name", ...). (The gauges /metrics measures are
# given to render(), which refuses an undeclared one the first time /metrics is read.)
USED = re.compile(r'(?:\.inc|\.observe|\.count)\(\s*"([a-z_]+)"')


def test_every_metric_the_code_names_is_declared() -> None:
    """A family added without a declaration would fail only when first reached; here it fails at once."""
    used = set()
    for path in [*ROOT.glob("gateway/**/*.py"), *ROOT.glob("replay/**/*.py")]:
        if path.name != "metrics.py":
            used |= set(USED.findall(path.read_text()))
    assert used, "the pattern no longer finds the metric names"
    assert sorted(used - set(FAMILIES)) == []
