"""End to end: the official posthog SDK, pointed at the gateway, reports no error for any call, and a
PostHog-compatible vendor receives the events in PostHog's batch format with the destination's project key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from posthog import Posthog

from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import (
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    vendors_policy,
)
from tests.support.vendor_payloads import posthog_events
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_sdk_calls_arrive_in_posthog_format_and_the_sdk_reports_no_error(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], gzip: bool
) -> None:
    gateway = start_gateway(vendors_policy({"posthog": vendor.url}), env=VENDOR_ENV)
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
