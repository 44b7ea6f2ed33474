"""End to end: the official posthog SDK, pointed at the gateway, reports no error for any call, and a
PostHog-compatible vendor receives the events in PostHog's batch format with the destination's project key.

One gateway and one fake PostHog serve the module: each test finds its own events by the uuids its SDK client made,
and what every test checks of every request (the destination's key, never the app's) holds of all of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from posthog import Posthog

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor, running_vendor
from tests.support.gateway_process import (
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    serving,
    vendors_policy,
)
from tests.support.vendor_payloads import posthog_events
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def vendor() -> Iterator[FakeVendor]:
    yield from running_vendor()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, vendor: FakeVendor) -> Iterator[GatewayProcess]:
    yield from serving(tmp_path_factory.mktemp("posthog-sdk"), vendors_policy({"posthog": vendor.url}), VENDOR_ENV)


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_sdk_calls_arrive_in_posthog_format_and_the_sdk_reports_no_error(
    vendor: FakeVendor, gateway: GatewayProcess, gzip: bool
) -> None:
    errors: list[Exception] = []
    client = Posthog(WRITE_KEY, host=gateway.url, gzip=gzip, flush_interval=0.05, max_retries=0,
                     on_error=lambda error, batch: errors.append(error))
    ids = {
        "track": client.capture("Order Completed", distinct_id="user-1",
                                properties={"order_id": "o-17", "total": 42.5}),
        "set": client.set(distinct_id="user-1", properties={"plan": "pro"}),
        "group": client.group_identify("org", "acme", {"seats": 5}, distinct_id="user-1"),
        "alias": client.alias("anon-3", "user-1"),
        "page": client.capture("$pageview", distinct_id="user-1", properties={"$current_url": "https://x.test/docs"}),
    }
    client.flush()
    client.shutdown()
    assert errors == []
    assert all(ids.values())

    wait_until(lambda: {e["uuid"] for e in posthog_events(vendor)} >= set(ids.values()),
               what="the events at the vendor")
    events = {e["uuid"]: e for e in posthog_events(vendor)}
    track = events[ids["track"]]
    assert (track["event"], track["distinct_id"]) == ("Order Completed", "user-1")
    assert track["properties"]["order_id"] == "o-17" and track["properties"]["$lib"] == "posthog-python"
    assert events[ids["set"]]["event"] == "$set" and events[ids["set"]]["$set"] == {"plan": "pro"}
    group = events[ids["group"]]["properties"]
    assert (group["$group_type"], group["$group_key"], group["$group_set"]) == ("org", "acme", {"seats": 5})
    alias = events[ids["alias"]]
    assert (alias["distinct_id"], alias["properties"]["alias"]) == ("anon-3", "user-1")
    assert events[ids["page"]]["properties"]["$current_url"] == "https://x.test/docs"

    for request in vendor.accepted():
        assert request.path == "/batch/"
        assert request.json()["api_key"] == VENDOR_ENV["POSTHOG_API_KEY"]  # the destination's key, not the app's
        assert WRITE_KEY.encode() not in request.body


@pytest.mark.parametrize("compression", ["none", "gzip", "deflate", "zstd"])
def test_capture_v1_from_the_python_sdk_arrives_and_the_sdk_reports_every_event_delivered(
    vendor: FakeVendor, gateway: GatewayProcess, compression: str
) -> None:
    """posthog-python's `capture_mode='v1'` posts to /i/v1/analytics/events with Bearer auth and reads a result per
    event; a 404 there (as before the gateway took the path) makes it drop every event."""
    errors: list[Exception] = []
    client = Posthog(WRITE_KEY, host=gateway.url, capture_mode="v1", capture_compression=compression,
                     flush_interval=0.05, max_retries=0, on_error=lambda error, batch: errors.append(error))
    ids = {
        "track": client.capture("Order Completed", distinct_id="user-1", properties={"order_id": "o-17"}),
        "set": client.set(distinct_id="user-1", properties={"plan": "pro"}),
        "session": client.capture("Played", distinct_id="user-1",
                                  properties={"$session_id": "s-1", "$process_person_profile": False}),
    }
    client.flush()
    client.shutdown()
    assert errors == []

    wait_until(lambda: {e["uuid"] for e in posthog_events(vendor)} >= set(ids.values()),
               what="the events at the vendor")
    events = {e["uuid"]: e for e in posthog_events(vendor)}
    track = events[ids["track"]]
    assert (track["event"], track["distinct_id"]) == ("Order Completed", "user-1")
    assert track["properties"]["order_id"] == "o-17"
    assert (track["properties"]["$lib"], track["properties"]["$lib_version"]) == ("posthog-python", "7.91.1")
    assert events[ids["set"]]["properties"]["$set"] == {"plan": "pro"}
    session = events[ids["session"]]["properties"]
    assert (session["$session_id"], session["$process_person_profile"]) == ("s-1", False)
    for request in vendor.accepted():
        assert request.json()["api_key"] == VENDOR_ENV["POSTHOG_API_KEY"]


def test_capture_v1_answers_a_result_per_event_and_refuses_in_its_own_json_shape(gateway: GatewayProcess) -> None:
    url = gateway.url + "/i/v1/analytics/events"
    batch = {"created_at": "2026-12-01T10:00:00+00:00", "batch": [
        {"event": "A", "uuid": "0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e6f", "distinct_id": "u1",
         "timestamp": "2026-12-01T10:00:00+00:00", "options": {}, "properties": {}}]}
    ok = ingest.post(url, json=batch, headers={"Authorization": f"Bearer {WRITE_KEY}"})
    assert ok.status_code == 200
    assert ok.json() == {"results": {"0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e6f": {"result": "ok"}}}
    unknown = ingest.post(url, json=batch, headers={"Authorization": "Bearer phc_not_ours"})
    assert unknown.status_code == 401 and unknown.json()["error"] == "unauthorized"
    no_uuid = {**batch, "batch": [{k: v for k, v in batch["batch"][0].items() if k != "uuid"}]}
    refused = ingest.post(url, json=no_uuid, headers={"Authorization": f"Bearer {WRITE_KEY}"})
    assert refused.status_code == 400 and "uuid" in refused.json()["error_description"]
