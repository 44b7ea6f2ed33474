"""Fan-out: one Segment batch in, the same events out to Amplitude, Mixpanel and PostHog, each in its own wire format,
with the ids, names, properties and user properties mapped by the field table, the dedup ids each vendor needs (the
same on every retry), and each destination's own credentials."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable

import pytest

from gateway.protocols.fields import derived_uuid
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import (
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    vendors_policy,
)
from tests.support.vendor_payloads import (
    amplitude_events,
    mixpanel_events,
    mixpanel_updates,
    posthog_events,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

IDS = {kind: str(uuid.uuid4()) for kind in ("identify", "group", "page", "alias")}
IDS["track"] = "msg_track#1"  # not a UUID, and not a valid Mixpanel $insert_id: both get the same uuid5
CONTEXT = {"ip": "198.51.100.4", "library": {"name": "analytics-python", "version": "2.4.0"}, "os": {"name": "Linux"}}
BATCH = {
    "writeKey": WRITE_KEY,
    "context": CONTEXT,
    "batch": [
        {"type": "track", "messageId": IDS["track"], "userId": "user-1", "anonymousId": "anon-1",
         "event": "Order Completed", "properties": {"order_id": "o-17", "total": 42.5},
         "timestamp": "2026-11-27T10:00:00.123Z"},
        {"type": "identify", "messageId": IDS["identify"], "userId": "user-1", "anonymousId": "anon-1",
         "traits": {"plan": "pro", "email": "a@example.com"}, "timestamp": "2026-11-27T10:00:01.000Z"},
        {"type": "group", "messageId": IDS["group"], "userId": "user-1", "groupId": "team-9", "traits": {"seats": 5},
         "timestamp": "2026-11-27T10:00:02.000Z"},
        {"type": "page", "messageId": IDS["page"], "userId": "user-1", "name": "Pricing",
         "properties": {"path": "/pricing"}, "timestamp": "2026-11-27T10:00:03.000Z"},
        {"type": "alias", "messageId": IDS["alias"], "userId": "user-1", "previousId": "anon-1",
         "timestamp": "2026-11-27T10:00:04.000Z"},
    ],
}
MS = 1795773600123  # 2026-11-27T10:00:00.123Z


def exactly(n: int, fetch: Callable[[], list], what: str) -> list:
    """Wait until `fetch()` returns n items, then return them."""

    def ready() -> list | None:
        items = fetch()
        return items if len(items) == n else None

    return wait_until(ready, what=what)


@pytest.fixture
def vendors() -> dict[str, FakeVendor]:
    started = {name: FakeVendor().start() for name in ("amplitude", "mixpanel", "posthog")}
    yield started
    for vendor in started.values():
        vendor.stop()


def mapping_policy(vendors: dict) -> dict:
    """The vendors' policy without PII scrubbing: this test is about the mapping (scrubbing has its own)."""
    policy = vendors_policy({name: v.url for name, v in vendors.items()})
    policy["pii"] = {"enabled": False}
    return policy


def test_one_segment_batch_reaches_three_vendors_each_in_its_own_format(
    vendors: dict[str, FakeVendor], start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(mapping_policy(vendors), env=VENDOR_ENV)
    response = ingest.post(gateway.url + "/v1/batch", json=BATCH)
    assert response.status_code == 200, response.text

    received = exactly(5, lambda: amplitude_events(vendors["amplitude"]), "5 events at Amplitude")
    amplitude = {e["insert_id"]: e for e in received}
    assert set(amplitude) == set(IDS.values())  # Amplitude takes any messageId as insert_id
    track = amplitude[IDS["track"]]
    assert (track["event_type"], track["user_id"], track["device_id"], track["time"]) == (
        "Order Completed", "user-1", "anon-1", MS)
    assert track["event_properties"] == {"order_id": "o-17", "total": 42.5}
    assert (track["ip"], track["library"], track["os_name"]) == ("198.51.100.4", "analytics-python/2.4.0", "Linux")
    assert amplitude[IDS["identify"]]["event_type"] == "$identify"
    assert amplitude[IDS["identify"]]["user_properties"] == {"$set": {"plan": "pro", "email": "a@example.com"}}
    group = amplitude[IDS["group"]]
    assert (group["event_type"], group["groups"], group["group_properties"]) == (
        "$groupidentify", {"company": "team-9"}, {"$set": {"seats": 5}})
    page = amplitude[IDS["page"]]
    assert page["event_type"] == "[Amplitude] Page Viewed"
    assert page["event_properties"] == {"path": "/pricing", "name": "Pricing"}
    alias = amplitude[IDS["alias"]]  # no alias in Amplitude's event API: an $identify linking the two ids
    assert (alias["event_type"], alias["user_id"], alias["device_id"]) == ("$identify", "user-1", "anon-1")
    for request in vendors["amplitude"].accepted():
        assert request.json()["api_key"] == VENDOR_ENV["AMPLITUDE_API_KEY"]

    received = exactly(3, lambda: mixpanel_events(vendors["mixpanel"]), "3 events at Mixpanel's /import")
    mixpanel = {e["properties"]["$insert_id"]: e for e in received}
    assert set(mixpanel) == {derived_uuid(IDS["track"]), IDS["page"], IDS["alias"]}
    track = mixpanel[derived_uuid(IDS["track"])]
    assert track["event"] == "Order Completed"
    assert track["properties"] == {
        "order_id": "o-17", "total": 42.5, "time": MS, "distinct_id": "user-1", "$user_id": "user-1",
        "$device_id": "anon-1", "$insert_id": derived_uuid(IDS["track"]), "ip": "198.51.100.4",
        "mp_lib": "analytics-python", "$lib_version": "2.4.0", "$os": "Linux",
    }
    assert mixpanel[IDS["page"]]["event"] == "$mp_web_page_view"
    assert mixpanel[IDS["page"]]["properties"]["name"] == "Pricing"
    alias = mixpanel[IDS["alias"]]["properties"]
    assert (mixpanel[IDS["alias"]]["event"], alias["distinct_id"], alias["alias"]) == (
        "$create_alias", "anon-1", "user-1")
    [person] = exactly(1, lambda: mixpanel_updates(vendors["mixpanel"], "/engage"), "the profile update at /engage")
    assert person == {"$distinct_id": "user-1", "$set": {"plan": "pro", "email": "a@example.com"},
                      "$ip": "198.51.100.4", "$time": MS + 877, "$token": VENDOR_ENV["MIXPANEL_TOKEN"]}
    [company] = exactly(1, lambda: mixpanel_updates(vendors["mixpanel"], "/groups"), "the group update at /groups")
    assert (company["$group_key"], company["$group_id"], company["$set"]) == ("company", "team-9", {"seats": 5})
    for request in vendors["mixpanel"].accepted():
        if request.path == "/import":
            user = base64.b64decode(request.headers["authorization"].split()[1]).decode()
            assert user == VENDOR_ENV["MIXPANEL_API_SECRET"] + ":"

    received = exactly(5, lambda: posthog_events(vendors["posthog"]), "5 events at PostHog")
    posthog = {e["uuid"]: e for e in received}
    assert set(posthog) == {derived_uuid(IDS["track"]), IDS["identify"], IDS["group"], IDS["page"], IDS["alias"]}
    track = posthog[derived_uuid(IDS["track"])]
    assert (track["event"], track["distinct_id"], track["timestamp"]) == (
        "Order Completed", "user-1", "2026-11-27T10:00:00.123Z")
    assert track["properties"] == {"order_id": "o-17", "total": 42.5, "$device_id": "anon-1", "$ip": "198.51.100.4",
                                   "$lib": "analytics-python", "$lib_version": "2.4.0", "$os": "Linux"}
    identify = posthog[IDS["identify"]]
    assert identify["event"] == "$identify"
    assert identify["properties"]["$set"] == {"plan": "pro", "email": "a@example.com"}
    assert identify["properties"]["$anon_distinct_id"] == "anon-1"  # PostHog merges the anonymous person into the user
    group = posthog[IDS["group"]]["properties"]
    assert (group["$group_type"], group["$group_key"], group["$group_set"]) == ("company", "team-9", {"seats": 5})
    assert posthog[IDS["page"]]["event"] == "$pageview"
    alias = posthog[IDS["alias"]]
    assert (alias["event"], alias["distinct_id"], alias["properties"]["alias"]) == ("$create_alias", "anon-1", "user-1")
    for request in vendors["posthog"].accepted():
        assert request.json()["api_key"] == VENDOR_ENV["POSTHOG_API_KEY"]

    for vendor in vendors.values():
        for request in vendor.accepted():
            assert WRITE_KEY.encode() not in request.body  # the app's write key is never forwarded


def test_a_retried_batch_carries_the_same_dedup_ids_at_every_vendor(
    vendors: dict[str, FakeVendor], start_gateway: Callable[..., GatewayProcess]
) -> None:
    for vendor in vendors.values():
        vendor.respond_with(503, times=1)  # the first attempt fails everywhere, the retry succeeds
    gateway = start_gateway(mapping_policy(vendors), env=VENDOR_ENV)
    track = {**BATCH, "batch": [BATCH["batch"][0]]}
    assert ingest.post(gateway.url + "/v1/batch", json=track).status_code == 200

    events_of = {"amplitude": lambda body: body["events"], "mixpanel": lambda body: body,
                 "posthog": lambda body: body["batch"]}
    for name, vendor in vendors.items():
        wait_until(vendor.accepted, what="the retry to be accepted")
        [failed, retried] = vendor.received()
        assert failed.status == 503
        # The same events, dedup ids included (PostHog's envelope has the time of each attempt as sent_at).
        assert events_of[name](failed.json()) == events_of[name](retried.json())
    assert amplitude_events(vendors["amplitude"])[0]["insert_id"] == IDS["track"]
    assert mixpanel_events(vendors["mixpanel"])[0]["properties"]["$insert_id"] == derived_uuid(IDS["track"])
    assert posthog_events(vendors["posthog"])[0]["uuid"] == derived_uuid(IDS["track"])
