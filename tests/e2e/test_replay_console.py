"""`GET /admin/v1/replay/sessions/{id}/console`: a session's console and network timeline, from posthog-js's `$snapshot`
events at /s/ (console plugin and network plugin records), scrubbed on ingest, read by the review roles only, every read
audited."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.e2e.test_replay_native import replay_policy
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, sha256
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

T = 1_795_000_000_000
SESSION = "ph-console-1"
EMAIL = "jane.roe@example.org"
TOKENS = {"ux": "pgw_console_ux", "analyst": "pgw_console_analyst"}


def recording() -> list[dict[str, Any]]:
    button = {"type": 2, "id": 3, "tagName": "button", "attributes": {"type": "button"},
              "childNodes": [{"type": 3, "id": 4, "textContent": "Pay now"}]}
    return [
        {"type": 4, "timestamp": T, "data": {"href": "https://shop.example/checkout", "width": 1280, "height": 800}},
        {"type": 2, "timestamp": T + 1, "data": {"initialOffset": {"top": 0, "left": 0}, "node": {
            "type": 0, "id": 1, "childNodes": [{"type": 2, "id": 2, "tagName": "body", "attributes": {},
                                                 "childNodes": [button]}]}}},
        {"type": 3, "timestamp": T + 1000, "data": {"source": 2, "type": 2, "id": 3, "x": 40, "y": 20}},
        {"type": 6, "timestamp": T + 1200, "data": {"plugin": "rrweb/network@1", "payload": {"requests": [
            {"name": f"https://shop.example/api/pay?email={EMAIL}", "method": "POST", "status": 502,
             "startTime": 1000, "endTime": 1180, "timestamp": T + 1010, "initiatorType": "fetch",
             "requestHeaders": {"authorization": "Bearer sk_live_51H8"}, "requestBody": json.dumps({"email": EMAIL})},
        ]}}},
        {"type": 6, "timestamp": T + 1250, "data": {"plugin": "rrweb/console@1", "payload": {
            "level": "error", "trace": ["pay (https://shop.example/app.js:9:3)"],
            "payload": [json.dumps(f"Payment failed for {EMAIL}")]}}},
        {"type": 3, "timestamp": T + 5000, "data": {"source": 1, "positions": [{"x": 1, "y": 1, "id": 2,
                                                                               "timeOffset": 0}]}},
    ]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    vendor = FakeVendor().start()
    policy = replay_policy(vendor.url)
    policy["access"]["tokens"] += [{"name": role, "role": role, "sha256": sha256(token)}
                                   for role, token in TOKENS.items()]
    process = GatewayProcess(tmp_path_factory.mktemp("replay-console"), policy).start()
    body = [{"event": "$snapshot", "distinct_id": "someone", "properties": {
        "$snapshot_data": recording(), "$session_id": SESSION, "$window_id": "w-1", "token": WRITE_KEY}}]
    response = ingest.post(f"{process.url}/s/?compression=gzip-js&ver=1.449.2",
                           content=gzip.compress(orjson.dumps(body)), headers={"Content-Type": "text/plain"})
    assert response.status_code == 200, response.text
    wait_until(lambda: process.admin(f"/admin/v1/replay/sessions/{SESSION}").json()["signals"].get("error_click"),
               what="the error click found by the live analysis")
    yield process
    process.close()
    vendor.stop()


def test_the_timeline_has_the_request_and_the_error_of_the_error_click_scrubbed(gateway: GatewayProcess) -> None:
    answer = gateway.admin(f"/admin/v1/replay/sessions/{SESSION}/console")
    assert answer.status_code == 200
    request, error = answer.json()["entries"]
    assert request == {"timestamp": T + 1010, "kind": "network", "level": "error",
                       "message": "POST https://shop.example/api/pay?email=[EMAIL]", "source": "fetch", "status": 502,
                       "duration_ms": 180, "error_click": "", "signal_id": ""}
    assert error["message"] == "Payment failed for [EMAIL]" and error["source"] == "pay (https://shop.example/app.js:9:3)"
    assert error["error_click"] == 'button[type=button] "Pay now"' and error["signal_id"]
    assert answer.json()["counts"] == {"network_error": 1, "console_error": 1}
    # What the timeline does not show is not stored either: no header, no body, no address.
    stored = gateway.admin(f"/admin/v1/replay/sessions/{SESSION}/events").content
    assert EMAIL.encode() not in stored and b"sk_live" not in stored and b"requestBody" not in stored


def test_review_roles_read_it_audited_and_others_are_refused(gateway: GatewayProcess) -> None:
    assert gateway.admin(f"/admin/v1/replay/sessions/{SESSION}/console", token=TOKENS["ux"]).status_code == 200
    assert gateway.admin(f"/admin/v1/replay/sessions/{SESSION}/console", token=TOKENS["analyst"]).status_code == 403
    assert gateway.admin("/admin/v1/replay/sessions/no-such-session/console").status_code == 404
    reads = gateway.admin(f"/admin/v1/audit?action=replay.read_console&target={SESSION}").json()["entries"]
    assert {e["actor"] for e in reads} >= {"ux", "tests"}
