"""What an operator watches: the lag per destination in /metrics and the admin API grows while a vendor is down and
falls to zero once it is back. A vendor down does not make the gateway not ready: its sender is running."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import orjson
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e
LAG = 'gateway_outbox_lag_seconds{destination="segment"}'


def test_lag_grows_while_the_vendor_is_down_and_returns_to_zero(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    assert gateway.metrics()[LAG] == 0
    assert gateway.metrics()['gateway_destination_owner{destination="segment"}'] == 1  # the only node sends it
    vendor.stop()
    body = {"writeKey": WRITE_KEY, "batch": [{"type": "track", "event": "Viewed", "userId": "u", "messageId": "m"}]}
    assert ingest.post(gateway.url + "/v1/batch", content=orjson.dumps(body)).status_code == 200
    wait_until(lambda: gateway.metrics()[LAG] >= 1.0, what="the lag to pass one second")
    [segment] = gateway.admin("/admin/v1/outbox").json()["destinations"]
    assert segment["queued"] == 1 and segment["lag_s"] >= 1.0
    assert httpx.get(gateway.url + "/readyz",
                     timeout=REQUEST_TIMEOUT_S).json() == {"status": "ready"}  # a vendor down is not the gateway's

    vendor.start()
    vendor.wait_for_message_ids({"m"})
    wait_until(lambda: gateway.metrics()[LAG] == 0, what="the lag back at zero")
    assert "# TYPE gateway_outbox_lag_seconds gauge" in httpx.get(gateway.url + "/metrics",
                                                                  timeout=REQUEST_TIMEOUT_S).text
