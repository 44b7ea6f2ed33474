"""Event names: what a track call says it did reaches every vendor, so it is checked and scrubbed like any text.

- A name that is not a string (`{"event": {"x": [1]}}`) is refused by each vendor's endpoint with a 400 in that
  vendor's own shape, and nothing of the request is forwarded.
- An e-mail planted in a name reaches no vendor, and no file, log line or metric of the gateway: names are scrubbed
  as free text, except those the policy keeps as they are (`[pii] event_names_kept`) and the tracking plan's own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from urllib.parse import urlencode

import httpx
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import VENDOR_ENV, WRITE_KEY, GatewayProcess, vendors_policy
from tests.support.plans import write_plan
from tests.support.vendor_payloads import amplitude_events, mixpanel_events, posthog_events
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

EMAIL = "jane.doe@example.com"
PLANTED = f"Newsletter {EMAIL}"
KEPT = "Promo 12345678 Viewed"  # the free-text class would make the digits [NUMBER]: the policy keeps this name
PLANNED = "Coupon 87654321 Redeemed"  # and this one is the tracking plan's own
BROKEN = {"x": [1]}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GatewayProcess, dict[str, FakeVendor]]]:
    vendors = {name: FakeVendor().start() for name in ("segment", "amplitude", "mixpanel", "posthog")}
    policy = vendors_policy({name: vendor.url for name, vendor in vendors.items()})
    policy["pii"] = {"event_names_kept": [KEPT]}
    workdir = tmp_path_factory.mktemp("names")
    plan = {"name": "web", "allow_unplanned_events": True, "events": {PLANNED: {}}}
    policy["sources"][0] |= {"tracking_plan": write_plan(workdir, plan), "on_violation": "allow"}
    gateway = GatewayProcess(workdir, policy,
                             env={**VENDOR_ENV, "VENDOR_WRITE_KEY": "seg-dest-key"}).start()
    yield gateway, vendors
    gateway.close()
    for vendor in vendors.values():
        vendor.stop()


def refused(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 400, response.text
    return response


def test_each_vendor_refuses_a_name_that_is_not_a_string_in_its_own_shape(setup) -> None:
    gateway, _ = setup
    url = gateway.url

    segment = refused(ingest.post(url + "/v1/batch", json={"writeKey": WRITE_KEY, "batch": [
        {"type": "track", "event": BROKEN, "userId": "user-1"}]}))
    assert segment.json() == {"success": False, "code": "invalid_request", "message": "batch[0].event must be a string"}

    amplitude = refused(ingest.post(url + "/2/httpapi", json={"api_key": WRITE_KEY, "events": [
        {"event_type": BROKEN, "user_id": "user-12345"}]}))
    assert amplitude.json()["code"] == 400 and amplitude.json()["error"] == "Invalid field values on some events"
    assert amplitude.json()["events_with_invalid_fields"] == {"event_type": [0]}

    data = json.dumps([{"event": BROKEN, "properties": {"token": WRITE_KEY, "distinct_id": "user-1"}}])
    mixpanel = refused(ingest.post(url + "/track?verbose=1", content=urlencode({"data": data}),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"}))
    assert mixpanel.json() == {"status": 0, "error": "data[0].event must be a non-empty string"}

    posthog = refused(ingest.post(url + "/batch/", json={"api_key": WRITE_KEY, "batch": [
        {"event": BROKEN, "distinct_id": "user-1", "properties": {}}]}))
    assert posthog.headers["content-type"].startswith("text/plain")
    assert posthog.text.endswith(".event must be a non-empty string")


def test_an_email_in_an_event_name_reaches_no_vendor_and_kept_names_pass_as_they_are(setup) -> None:
    gateway, vendors = setup
    batch = {"writeKey": WRITE_KEY, "batch": [
        {"type": "track", "event": PLANTED, "userId": "user-1", "messageId": "planted-1"},
        {"type": "track", "event": KEPT, "userId": "user-1", "messageId": "kept-1"},
        {"type": "track", "event": PLANNED, "userId": "user-1", "messageId": "planned-1"},
    ]}
    assert ingest.post(gateway.url + "/v1/batch", json=batch).status_code == 200

    names = {
        "segment": lambda: [e["event"] for e in vendors["segment"].segment_events()],
        "amplitude": lambda: [e["event_type"] for e in amplitude_events(vendors["amplitude"])],
        "mixpanel": lambda: [e["event"] for e in mixpanel_events(vendors["mixpanel"])],
        "posthog": lambda: [e["event"] for e in posthog_events(vendors["posthog"])],
    }
    for vendor, read in names.items():
        # Exactly these three: nothing of the refused requests above (same module) was forwarded either.
        received = wait_until(lambda read=read: (found := read()) and len(found) >= 3 and found,
                              what=f"{vendor} received the batch")
        assert received == ["Newsletter [EMAIL]", KEPT, PLANNED], vendor
        assert all(EMAIL.encode() not in request.body for request in vendors[vendor].received()), vendor
    # Nor is it kept anywhere by the gateway: its metrics, and, once it has stopped (the event catalog writes what it
    # counted then, if not before), its database (WAL included) and its log. The catalog counts the scrubbed name.
    assert EMAIL not in httpx.get(gateway.url + "/metrics", timeout=REQUEST_TIMEOUT_S).text
    gateway.stop()
    for path in gateway.data_dir.rglob("*"):
        assert not path.is_file() or EMAIL.encode() not in path.read_bytes(), path
    assert EMAIL not in gateway.log()
    (database,) = gateway.data_dir.glob("*.sqlite3")
    with closing(sqlite3.connect(database)) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM catalog_events WHERE type = 'track'")}
    assert names == {"Newsletter [EMAIL]", KEPT, PLANNED}
