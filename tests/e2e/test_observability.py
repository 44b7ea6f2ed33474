"""What an operator reads of a running gateway: its log (JSON or text, each line naming its request, refusals with a
reason and nothing the request carried, repeats counted rather than repeated) and /metrics (latency by route, the
lag of undelivered events, every counter a dashboard needs at zero from the start)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests.support import ingest
from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.gateway_process import (
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    segment_policy,
    vendors_policy,
)
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

EMAIL = "jane.doe@example.org"
WRONG_KEY = "wrong-write-key-4711"


def json_lines(gateway: GatewayProcess) -> list[dict[str, Any]]:
    """Every line of the gateway's output, each of which must be a JSON object."""
    return [orjson.loads(line) for line in gateway.log().splitlines() if line.strip()]


@pytest.fixture
def posthog() -> Iterator[FakeVendor]:
    vendor = FakeVendor().start()
    vendor.rule = lambda request: Answer(200, b'{"flags": {}}') if request.path.startswith("/flags") else None
    yield vendor
    vendor.stop()


def test_json_logs_name_each_request_and_its_id_goes_with_it_to_the_vendor(
    posthog: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = vendors_policy({"posthog": posthog.url})
    policy["http"] = {"trusted_proxies": ["127.0.0.1/32"]}  # the test connects as a proxy would
    gateway = start_gateway(policy, env=VENDOR_ENV, args=["--log-format", "json", "--log-level", "debug"])

    from_proxy = httpx.post(gateway.url + "/flags/?v=2", content=orjson.dumps({"token": WRITE_KEY}),
                            headers={"X-Request-ID": "lb-7f3a-0001"}, timeout=REQUEST_TIMEOUT_S)
    own = ingest.post(gateway.url + "/v1/track", json={"writeKey": WRITE_KEY, "event": "Signed Up", "userId": "u1"})

    assert from_proxy.status_code == 200 and from_proxy.headers["x-request-id"] == "lb-7f3a-0001"
    # The call the gateway made for that request carries its id, so PostHog's side can be matched with ours.
    flags: Recorded = next(r for r in posthog.received() if r.path.startswith("/flags"))
    assert flags.headers["x-request-id"] == "lb-7f3a-0001"
    generated = own.headers["x-request-id"]
    assert len(generated) == 32 and generated != "lb-7f3a-0001"

    def served(request_id: str) -> list[dict[str, Any]]:
        return [line for line in json_lines(gateway) if line.get("request_id") == request_id]

    proxied = wait_until(lambda: served("lb-7f3a-0001"), what="the proxied request's log line")
    assert proxied == [{**proxied[0], "message": "request served", "route": "/flags/", "status": 200}]
    assert wait_until(lambda: served(generated), what="the track request's line")[0]["route"] == "/v1/track"
    lines = json_lines(gateway)  # uvicorn's start-up lines too: every line parses
    assert {"uvicorn.error", "gateway.requests"} <= {line["logger"] for line in lines}
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert not [line for line in lines if line["logger"].startswith("presidio")]  # not even at debug: see gateway.logs


def test_refusals_are_logged_with_a_reason_once_per_interval_and_never_with_what_they_carried(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url), args=["--log-format", "json"])
    wrong_key = {"writeKey": WRONG_KEY, "batch": [{"type": "identify", "userId": EMAIL, "traits": {"email": EMAIL}}]}
    for _ in range(30):
        refused = ingest.post(gateway.url + f"/v1/batch?email={EMAIL}", content=orjson.dumps(wrong_key),
                              headers={"X-Contact": EMAIL})
        assert refused.status_code == 401
    assert ingest.post(gateway.url + f"/v1/replay/{EMAIL}", content=b"{not json " + EMAIL.encode()).status_code == 400
    assert httpx.post(gateway.url + "/v1/consent", json={"writeKey": WRITE_KEY, "userId": EMAIL},
                      timeout=REQUEST_TIMEOUT_S).status_code == 400
    assert httpx.get(gateway.url + f"/admin/v1/privacy/subjects/{EMAIL}", timeout=REQUEST_TIMEOUT_S).status_code == 401

    def refusals() -> list[tuple[str, int, str, str, int]]:
        return [(line["route"], line["status"], line["reason"], line["source"], line["count"])
                for line in json_lines(gateway) if line["message"].startswith("request refused")]

    first = [("/v1/batch", 401, "unauthorized", "unknown", 1), ("/v1/replay/{session_id}", 400, "invalid_request",
             "unknown", 1), ("/v1/consent", 400, "invalid_request", "unknown", 1), ("/admin/*", 401, "unauthorized",
             "unknown", 1)]
    wait_until(lambda: refusals() == first, what="one line per kind of refusal")
    gateway.stop()  # the other 29 refusals of the batch path are counted in one line as the gateway stops
    assert refusals() == [*first, ("/v1/batch", 401, "unauthorized", "unknown", 29)]
    assert EMAIL not in gateway.log() and WRONG_KEY not in gateway.log()


def metric(gateway: GatewayProcess, sample: str) -> float | None:
    return gateway.metrics().get(sample)


def test_metrics_start_at_zero_and_show_latency_by_route_and_the_lag_of_waiting_events(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    text = httpx.get(gateway.url + "/metrics", timeout=REQUEST_TIMEOUT_S).text
    # Before the first event, what a dashboard plots is there, at zero.
    for sample in ('gateway_events_received_total{protocol="segment",source="web"}',
                   'gateway_events_delivered_total{destination="segment",source="web"}',
                   'gateway_events_dead_lettered_total{destination="segment",source="web"}',
                   'gateway_events_rejected_total{protocol="segment",reason="unauthorized",source="unknown"}',
                   'gateway_outbox_full_total{source="web"}',
                   'gateway_outbox_lag_seconds{destination="segment"}',
                   'gateway_dead_letters{destination="segment"}'):
        assert f"{sample} 0.0\n" in text, sample
    assert "# HELP gateway_outbox_lag_seconds Age of the oldest undelivered event" in text
    assert "process_resident_memory_bytes " in text and "gateway_build_info{" in text

    vendor.stop()  # the vendor is down: what is acknowledged waits, and the lag grows
    events = [{"type": "track", "event": "Report Exported", "userId": "u1", "messageId": f"m-{i}"} for i in range(3)]
    for event in events:
        assert ingest.post(gateway.url + "/v1/batch", json={"writeKey": WRITE_KEY, "batch": [event]}).status_code == 200
    lag = 'gateway_outbox_lag_seconds{destination="segment"}'
    wait_until(lambda: (metric(gateway, lag) or 0) > 0.5, what="the lag to grow while the vendor is down")
    assert metric(gateway, 'gateway_outbox_depth{destination="segment"}') == 3

    vendor.start()
    vendor.wait_for_message_ids({"m-0", "m-1", "m-2"})
    wait_until(lambda: metric(gateway, lag) == 0, what="the lag to fall to 0 once everything is delivered")
    assert metric(gateway, 'gateway_http_request_duration_seconds_count{route="/v1/batch"}') == 3
    assert metric(gateway, 'gateway_http_request_duration_seconds_bucket{le="+Inf",route="/v1/batch"}') == 3
    assert metric(gateway, 'gateway_http_responses_total{route="/v1/batch",status="200"}') == 3
    assert metric(gateway, 'gateway_events_delivered_total{destination="segment",source="web"}') == 3
