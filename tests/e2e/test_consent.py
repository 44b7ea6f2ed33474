"""Consent through the real server: the fake vendors receive exactly what the policy allows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest
from segment.analytics import Client

from tests.e2e.test_replay_native import SESSIONS, post_events
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import FAST_RETRY, SERVER_KEY, WRITE_KEY, GatewayProcess, segment_policy, sha256
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.e2e

# IAB's own decoder tests (iabtcf-java TCStringV2Test): purposes 2 and 10 consented, no purpose 1.
TC_WITHOUT_PURPOSE_1 = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"


def two_destinations(strict_url: str, anonymizing_url: str, consent_model: str = "opt-in",
                     strict_purposes: list[str] | None = None) -> dict[str, Any]:
    """`strict` drops what lacks consent; `anon` gets it anonymized. Both need analytics."""
    policy = segment_policy(strict_url)
    policy["sources"][0]["consent_model"] = consent_model
    policy["sources"][0]["destinations"] = ["segment", "anon"]
    policy["destinations"][0]["purposes"] = strict_purposes or ["analytics"]
    policy["destinations"].append({
        "name": "anon", "protocol": "segment", "endpoint": anonymizing_url, "purposes": ["analytics"],
        "on_missing_consent": "anonymize", "credentials": {"write_key": "${VENDOR_WRITE_KEY}"}, "retry": FAST_RETRY,
    })
    return policy


def grant(gateway: GatewayProcess, **body: Any) -> httpx.Response:
    """A consent record as a browser's consent tool sends it: with the page's public write key."""
    return httpx.post(gateway.url + "/v1/consent", json={"writeKey": WRITE_KEY, **body}, timeout=REQUEST_TIMEOUT_S)


def record_from_backend(gateway: GatewayProcess, **body: Any) -> httpx.Response:
    """A consent record as the customer's backend sends it: with the source's server key, as the Basic-auth user
    (how Segment's server SDKs send their key)."""
    return httpx.post(gateway.url + "/v1/consent", json=body, auth=(SERVER_KEY, ""), timeout=REQUEST_TIMEOUT_S)


def post(gateway: GatewayProcess, body: dict[str, Any], path: str = "/v1/batch", **kwargs: Any) -> httpx.Response:
    return ingest.post(gateway.url + path, content=orjson.dumps({"writeKey": WRITE_KEY, **body}), **kwargs)


def test_a_real_sdk_with_one_consenting_and_one_silent_subject(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    strict, anon = FakeVendor().start(), FakeVendor().start()
    try:
        gateway = start_gateway(two_destinations(strict.url, anon.url))
        recorded = record_from_backend(gateway, userId="alice", granted=["analytics"]).json()
        assert (recorded["status"], recorded["scope"], recorded["provenance"]) == ("ok", "subject", "server")

        client = Client(WRITE_KEY, host=gateway.url, upload_interval=0.05)
        client.track(user_id="alice", event="Viewed", properties={"plan": "pro"}, message_id="alice-1",
                     context={"ip": "203.0.113.5"})
        client.track(user_id="bob", event="Viewed", properties={"plan": "free"}, message_id="bob-1",
                     context={"ip": "198.51.100.9"})
        client.shutdown()

        anon.wait_for_message_ids({"alice-1", "bob-1"})
        strict.wait_for_message_ids({"alice-1"})
        marker = post(gateway, {"batch": [{"type": "track", "event": "marker", "userId": "alice", "messageId": "m"}]})
        assert marker.status_code == 200
        strict.wait_for_message_ids({"m"})
        assert strict.message_ids() == {"alice-1", "m"}  # bob never granted analytics: dropped here

        received = {e["messageId"]: e for e in anon.segment_events()}
        assert received["alice-1"]["userId"] == "alice"
        assert received["alice-1"]["context"]["ip"] == "203.0.113.0"  # consented, and truncated by the PII defaults
        bob = received["bob-1"]
        assert bob["userId"] != "bob" and bob["userId"]  # a keyed pseudonym
        assert "ip" not in bob["context"]
        assert bob["properties"] == {"plan": "free"}

        metrics = gateway.metrics()
        decisions = "gateway_consent_decisions_total"
        assert metrics[decisions + '{action="drop",destination="segment",reason="default_opt_in"}'] == 1
        assert metrics[decisions + '{action="anonymize",destination="anon",reason="default_opt_in"}'] == 1
    finally:
        strict.stop()
        anon.stop()


def test_a_withdrawal_stops_new_events_and_the_acknowledged_queued_ones_are_delivered(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))  # opt-out: allowed until denied; on_withdrawal: stop_new
    vendor.stop()
    events = [{"type": "track", "event": "Viewed", "userId": "carol", "messageId": f"carol-{i}"} for i in range(3)]
    assert post(gateway, {"batch": events}).status_code == 200

    answer = record_from_backend(gateway, userId="carol", denied=["analytics"]).json()
    assert answer["withdrawn"] == ["analytics"] and answer["removed_queued_events"] == 0
    assert answer["state"] == {"analytics": "denied", "session_replay": "unset", "marketing": "unset",
                               "advertising": "unset"}
    later = {"type": "track", "event": "Later", "userId": "carol", "messageId": "carol-x"}
    assert post(gateway, {"batch": [later]}).status_code == 200

    vendor.start()
    vendor.wait_for_message_ids({"carol-0", "carol-1", "carol-2"})  # accepted under the consent then in force
    marker = post(gateway, {"batch": [{"type": "track", "event": "marker", "userId": "dave", "messageId": "m"}]})
    assert marker.status_code == 200
    vendor.wait_for_message_ids({"m"})
    assert "carol-x" not in vendor.message_ids()


def test_with_purge_queued_a_users_withdrawal_also_removes_their_queued_events(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["consent"] = {"on_withdrawal": "purge_queued"}
    gateway = start_gateway(policy)
    vendor.stop()
    events = [{"type": "track", "event": "Viewed", "userId": "carol", "messageId": f"carol-{i}"} for i in range(5)]
    events.append({"type": "track", "event": "Viewed", "userId": "dave", "messageId": "dave-1"})
    assert post(gateway, {"batch": events}).status_code == 200

    answer = record_from_backend(gateway, userId="carol", denied=["analytics"]).json()
    assert (answer["withdrawn"], answer["removed_queued_events"]) == (["analytics"], 5)
    assert post(gateway, {"batch": [{"type": "track", "event": "Later", "userId": "carol", "messageId": "carol-x"}]}
                ).status_code == 200

    vendor.start()
    vendor.wait_for_message_ids({"dave-1"})
    marker = post(gateway, {"batch": [{"type": "track", "event": "marker", "userId": "dave", "messageId": "m"}]})
    assert marker.status_code == 200
    vendor.wait_for_message_ids({"m"})
    assert vendor.message_ids() == {"dave-1", "m"}


def test_device_consent_follows_the_device_after_identify_and_never_reaches_the_user_id_alone(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["consent_model"] = "opt-in"
    gateway = start_gateway(policy)
    assert grant(gateway, anonymousId="anon-77", granted=["analytics"]).json()["scope"] == "device"
    identify = {"type": "identify", "userId": "erin", "anonymousId": "anon-77", "messageId": "identify-1"}
    on_the_device = {"type": "track", "event": "Bought", "userId": "erin", "anonymousId": "anon-77",
                     "messageId": "erin-1"}
    elsewhere = {"type": "track", "event": "Bought", "userId": "erin", "messageId": "erin-2"}  # e.g. her phone
    assert post(gateway, {"batch": [identify]}).status_code == 200
    assert post(gateway, {"batch": [on_the_device, elsewhere]}).status_code == 200
    vendor.wait_for_message_ids({"identify-1", "erin-1"})
    assert grant(gateway, anonymousId="marker-device", granted=["analytics"]).status_code == 200
    assert post(gateway, {"batch": [{"type": "track", "event": "m", "anonymousId": "marker-device",
                                     "messageId": "m"}]}).status_code == 200
    vendor.wait_for_message_ids({"m"})
    assert "erin-2" not in vendor.message_ids()  # the identify was a claim: the device's consent stays the device's


@pytest.fixture(scope="module")
def sale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GatewayProcess, FakeVendor, FakeVendor]]:
    """An opt-out source sending to analytics and to advertising (a sale purpose): the gateway, the analytics vendor
    and the advertising one, shared by the tests of opt-outs of sale (each with its own people and events)."""
    analytics, ads = FakeVendor().start(), FakeVendor().start()
    gateway = GatewayProcess(tmp_path_factory.mktemp("consent-sale"), two_destinations(
        ads.url, analytics.url, consent_model="opt-out", strict_purposes=["advertising"])).start()
    yield gateway, analytics, ads
    gateway.close()
    analytics.stop()
    ads.stop()


def test_gpc_opts_out_of_sale_purposes_and_is_recorded_on_the_event(
    sale: tuple[GatewayProcess, FakeVendor, FakeVendor],
) -> None:
    gateway, analytics, ads = sale
    body = {"batch": [{"type": "track", "event": "Viewed", "userId": "frank", "messageId": "gpc-1"}]}
    assert post(gateway, body, headers={"Sec-GPC": "1"}).status_code == 200
    analytics.wait_for_message_ids({"gpc-1"})
    [event] = [e for e in analytics.segment_events() if e["messageId"] == "gpc-1"]
    assert event["context"]["consent"]["gpc"] is True
    assert event["userId"] == "frank"  # analytics is not a sale purpose: forwarded as it is
    marker = {"batch": [{"type": "track", "event": "marker", "userId": "x", "messageId": "gpc-marker"}]}
    assert post(gateway, marker).status_code == 200
    ads.wait_for_message_ids({"gpc-marker"})
    assert "gpc-1" not in ads.message_ids()


def test_a_us_privacy_opt_out_of_sale_keeps_events_from_sale_purposes_only(
    sale: tuple[GatewayProcess, FakeVendor, FakeVendor],
) -> None:
    gateway, analytics, ads = sale
    opted_out = {"type": "track", "event": "Viewed", "userId": "hana", "messageId": "usp-out"}
    in_context = {"type": "track", "event": "Viewed", "userId": "ivan", "messageId": "usp-ctx",
                  "context": {"us_privacy": "1YYY"}}
    not_opted_out = {"type": "track", "event": "Viewed", "userId": "jun", "messageId": "usp-in",
                     "context": {"us_privacy": "1YNN"}}
    assert post(gateway, {"batch": [opted_out]}, params={"us_privacy": "1YYN"}).status_code == 200
    assert post(gateway, {"batch": [in_context, not_opted_out]}).status_code == 200
    analytics.wait_for_message_ids({"usp-out", "usp-ctx", "usp-in"})  # analytics is not a sale purpose
    ads.wait_for_message_ids({"usp-in"})
    marker_batch = {"batch": [{"type": "track", "event": "marker", "userId": "x", "messageId": "usp-marker"}]}
    assert post(gateway, marker_batch).status_code == 200
    ads.wait_for_message_ids({"usp-marker"})
    assert not {"usp-out", "usp-ctx"} & ads.message_ids()


@pytest.fixture(scope="module")
def opt_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GatewayProcess, FakeVendor]]:
    """A gateway with an opt-out source and its vendor, shared by the tests that send each their own people and events
    (or record nothing)."""
    vendor = FakeVendor().start()
    gateway = GatewayProcess(tmp_path_factory.mktemp("consent-opt-out"), segment_policy(vendor.url)).start()
    yield gateway, vendor
    gateway.close()
    vendor.stop()


@pytest.mark.parametrize(
    ("query", "context"),
    [
        ({"gdpr": "1", "gdpr_consent": TC_WITHOUT_PURPOSE_1}, {}),  # a real TC string without purpose 1
        ({"gcs": "G100"}, {}),  # Consent Mode: analytics_storage denied
        ({}, {"consent": {"categoryPreferences": {"Analytics": False}}}),  # Segment's consent object
        ({}, {"consent": {"categoryPreferences": "yes"}}),  # malformed: treated as no consent
        ({}, {"consent": {"tcString": "not-a-tc-string"}}),  # malformed TC string
        ({"us_privacy": "1YYQ"}, {}),  # malformed US Privacy string
    ],
    ids=["tcf", "consent-mode", "segment-denied", "malformed-segment", "malformed-tcf", "malformed-us-privacy"],
)
def test_signals_that_deny_analytics_keep_the_event_from_an_analytics_destination(
    opt_out: tuple[GatewayProcess, FakeVendor], query: dict, context: dict, request: pytest.FixtureRequest
) -> None:
    gateway, vendor = opt_out  # everything flows unless a signal says no
    case = request.node.callspec.id
    denied, marker = f"denied-{case}", f"marker-{case}"
    malformed_before = malformed(gateway)
    event = {"type": "track", "event": "Viewed", "userId": f"gina-{case}", "messageId": denied, "context": context}
    assert post(gateway, {"batch": [event]}, params=query).status_code == 200
    marker_batch = {"batch": [{"type": "track", "event": "marker", "userId": "x", "messageId": marker}]}
    assert post(gateway, marker_batch).status_code == 200
    vendor.wait_for_message_ids({marker})
    assert denied not in vendor.message_ids()
    if "yes" in str(context) or "not-a-tc" in str(context):
        assert malformed(gateway) > malformed_before


def malformed(gateway: GatewayProcess) -> float:
    return sum(v for k, v in gateway.metrics().items() if k.startswith("gateway_consent_malformed_total"))


def test_the_consent_api_refuses_what_it_cannot_record(opt_out: tuple[GatewayProcess, FakeVendor]) -> None:
    gateway, _ = opt_out
    assert grant(gateway, granted=["analytics"]).status_code == 400  # no identifier
    assert grant(gateway, anonymousId="u", granted=["telepathy"]).status_code == 400
    assert grant(gateway, anonymousId="u", granted=["analytics"], denied=["analytics"]).status_code == 400
    assert grant(gateway, userId="u", granted=["analytics"]).status_code == 403  # a user's consent: not a public key
    assert grant(gateway, anonymousId="u", token="a.b.c").status_code == 400  # no token key in this policy
    assert httpx.post(gateway.url + "/v1/consent", json={"writeKey": "nope", "userId": "u", "granted": ["analytics"]},
                      timeout=REQUEST_TIMEOUT_S).status_code == 401
    assert httpx.post(gateway.url + "/v1/consent", content=b"{", timeout=REQUEST_TIMEOUT_S).status_code == 400


def test_a_devices_consent_to_session_replay_admits_its_recordings_and_no_one_elses(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["consent_model"] = "opt-in"
    gateway = start_gateway(policy)
    events = orjson.loads(SESSIONS[0].read_bytes())["events"][:30]
    assert grant(gateway, anonymousId="device-5", granted=["session_replay"]).status_code == 200

    admitted = post_events(gateway, "s-device", {"events": events, "anonymousId": "device-5"}).json()
    assert (admitted["stored"], admitted["refused_consent"]) == (1, 0)
    # The same string as a user id is not that device.
    refused = post_events(gateway, "s-user", {"events": events, "userId": "device-5"}).json()
    assert (refused["stored"], refused["refused_consent"]) == (0, 1)


def test_a_compliance_officer_records_a_users_consent_through_the_admin_api(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["consent_model"] = "opt-in"
    policy["access"]["tokens"] += [{"name": "dpo", "role": "compliance", "sha256": sha256("dpo-token")},
                                   {"name": "agent", "role": "support", "sha256": sha256("agent-token")}]
    gateway = start_gateway(policy)
    body = {"userId": "frida", "granted": ["analytics"]}

    def as_role(token: str) -> httpx.Response:
        return httpx.post(gateway.url + "/admin/v1/consent", json=body, timeout=REQUEST_TIMEOUT_S,
                          headers={"Authorization": f"Bearer {token}"})

    assert as_role("agent-token").status_code == 403
    answer = as_role("dpo-token").json()
    assert (answer["scope"], answer["provenance"], answer["state"]["analytics"]) == ("subject", "admin", "granted")
    [entry] = gateway.admin("/admin/v1/audit?action=consent.recorded").json()["entries"]
    assert entry["actor"] == "dpo" and "frida" not in orjson.dumps(entry).decode()
    assert post(gateway, {"batch": [{"type": "track", "event": "Viewed", "userId": "frida", "messageId": "frida-1"}]}
                ).status_code == 200
    vendor.wait_for_message_ids({"frida-1"})
