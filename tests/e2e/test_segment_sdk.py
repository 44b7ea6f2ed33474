"""End to end: the official segment-analytics-python SDK, pointed at the gateway, reaches a Segment-compatible
vendor."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from segment.analytics import Client

from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import (
    VENDOR_WRITE_KEY,
    WRITE_KEY,
    GatewayProcess,
    segment_policy,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_sdk_calls_of_every_type_arrive_at_the_vendor_in_segment_batch_format(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], gzip: bool
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    errors: list[Exception] = []
    client = Client(WRITE_KEY, host=gateway.url, gzip=gzip, on_error=lambda e, batch: errors.append(e),
                    upload_interval=0.05)
    client.track(user_id="user-1", event="Order Completed", properties={"order_id": "o-17", "total": 42.5},
                 message_id="m-track")
    client.identify(user_id="user-1", traits={"plan": "pro"}, message_id="m-identify")
    client.page(user_id="user-1", category="Docs", name="Quick start", properties={"path": "/docs"},
                message_id="m-page")
    client.group(user_id="user-1", group_id="team-9", traits={"seats": 5}, message_id="m-group")
    client.alias(previous_id="anon-3", user_id="user-1", message_id="m-alias")
    client.shutdown()
    assert errors == []

    vendor.wait_for_message_ids({"m-track", "m-identify", "m-page", "m-group", "m-alias"})
    events = {e["messageId"]: e for e in vendor.segment_events()}
    assert events["m-track"]["type"] == "track"
    assert events["m-track"]["event"] == "Order Completed"
    assert events["m-track"]["properties"] == {"order_id": "o-17", "total": 42.5}
    assert events["m-track"]["context"]["library"]["name"] == "analytics-python"
    assert events["m-identify"]["traits"] == {"plan": "pro"}
    assert events["m-page"]["name"] == "Quick start" and events["m-page"]["category"] == "Docs"
    assert events["m-group"]["groupId"] == "team-9"
    assert events["m-alias"]["previousId"] == "anon-3"

    for request in vendor.accepted():
        assert request.path == "/v1/batch"
        user, _, _ = base64.b64decode(request.headers["authorization"].split()[1]).decode().partition(":")
        assert user == VENDOR_WRITE_KEY  # the destination's credentials, not the app's write key
        assert WRITE_KEY.encode() not in request.body

    delivered = 'gateway_events_delivered_total{destination="segment",source="web"}'
    metrics = wait_until(lambda: (m := gateway.metrics()).get(delivered) == 5 and m, what="delivery counted")
    assert metrics['gateway_events_received_total{protocol="segment",source="web"}'] == 5
