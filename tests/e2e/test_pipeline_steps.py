"""The pipeline's per-step timing in /metrics, through the real server: one histogram series per step, whose count
says how many requests reached that step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy

pytestmark = pytest.mark.e2e

STEP_COUNT = 'gateway_pipeline_step_seconds_count{step="%s"}'


def batch(gateway: GatewayProcess, *events: dict[str, Any]) -> httpx.Response:
    body = {"writeKey": WRITE_KEY, "batch": [{"type": "track", "event": "Report Exported", **e} for e in events]}
    return ingest.post(gateway.url + "/v1/batch", content=orjson.dumps(body))


def test_each_step_is_timed_for_every_request_that_reaches_it(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["consent_model"] = "opt-in"
    gateway = start_gateway(policy)
    consented = {"context": {"consent": {"categoryPreferences": {"Analytics": True}}}}

    assert batch(gateway, {"userId": "alice", "messageId": "m-1", **consented},
                 {"userId": "bob", "messageId": "m-2", **consented}).status_code == 200
    # Nobody consented, at an opt-in source: every event stops at consent, so nothing is left to scrub or route.
    assert batch(gateway, {"userId": "carol", "messageId": "m-3"}).status_code == 200
    vendor.wait_for_message_ids({"m-1", "m-2"})

    metrics = gateway.metrics()
    reached = {step: metrics.get(STEP_COUNT % step, 0) for step in
               ("subjects", "suppression", "links", "consent", "scrub", "route")}
    assert reached == {"subjects": 2, "suppression": 2, "links": 2, "consent": 2, "scrub": 1, "route": 1}
    assert metrics['gateway_pipeline_step_seconds_bucket{le="+Inf",step="route"}'] == 1
    assert metrics['gateway_pipeline_step_seconds_sum{step="scrub"}'] > 0
    assert vendor.message_ids() == {"m-1", "m-2"}
