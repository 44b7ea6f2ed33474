"""What a stranger can do with only a source's public write key (it sits in every web page), tried as an attacker
would, against a real gateway process with fake vendors on loopback.

A public key may send events, record consent for the device it names and claim identity links. It may not decide a
user's consent, reach another person's data through a claimed link, or append to someone else's recording.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.test_replay_native import SESSIONS, post_events
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor, running_vendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy, serving, sha256
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

VICTIM, VICTIM_DEVICE = "victim-user-1001", "victim-device-1001"
ATTACKER_DEVICE = "attacker-device-666"
COMPLIANCE = "compliance-token"
FAR_FUTURE = "2100-01-01T00:00:00Z"


def consent(gateway: GatewayProcess, **body: Any) -> httpx.Response:
    return httpx.post(gateway.url + "/v1/consent", json={"writeKey": WRITE_KEY, **body}, timeout=REQUEST_TIMEOUT_S)


def send(gateway: GatewayProcess, *events: dict[str, Any]) -> None:
    response = ingest.post(gateway.url + "/v1/batch", content=orjson.dumps({"writeKey": WRITE_KEY, "batch": events}),
                           timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 200, response.text


def track(message_id: str, **ids: str) -> dict[str, Any]:
    return {"type": "track", "event": "Viewed", "messageId": message_id, **ids}


def opt_in_policy(vendor_url: str) -> dict[str, Any]:
    policy = segment_policy(vendor_url)
    policy["sources"][0]["consent_model"] = "opt-in"
    return policy


def delivered_after_marker(gateway: GatewayProcess, vendor: FakeVendor, marker_device: str) -> set[str]:
    """What the vendor got once a marker event, sent after everything else, has arrived: senders deliver in order of
    arrival, so anything not delivered by then was not going to be. The marker's device has granted analytics
    itself, through the public key, as a browser would. (One marker per device: the tests share a gateway.)"""
    assert consent(gateway, anonymousId=marker_device, granted=["analytics"]).status_code == 200
    marker = f"marker-of-{marker_device}"
    send(gateway, track(marker, anonymousId=marker_device))
    vendor.wait_for_message_ids({marker})
    return vendor.message_ids()


@pytest.fixture(scope="module")
def opt_in_vendor() -> Iterator[FakeVendor]:
    yield from running_vendor()


@pytest.fixture(scope="module")
def opt_in_gateway(tmp_path_factory: pytest.TempPathFactory, opt_in_vendor: FakeVendor) -> Iterator[GatewayProcess]:
    """One opt-in gateway for the tests of consent through the public key: each uses its own devices and events."""
    yield from serving(tmp_path_factory.mktemp("opt-in"), opt_in_policy(opt_in_vendor.url))


@pytest.mark.parametrize(
    ("grant_at", "withdraw_at"),
    [
        (FAR_FUTURE, None),  # an attacker's grant stamped in 2100, then the real withdrawal
        ("+3600", None),  # a consent tool whose clock runs an hour fast
        (None, "-3600"),  # a withdrawal from a clock an hour slow, after a grant from a good one
        (None, "1970-01-02T00:00:00Z"),  # a withdrawal stamped far in the past
    ],
    ids=["far-future-grant", "grant-clock-1h-fast", "withdrawal-clock-1h-slow", "far-past-withdrawal"],
)
def test_a_withdrawal_wins_over_an_earlier_grant_whatever_the_clocks_say(
    opt_in_vendor: FakeVendor, opt_in_gateway: GatewayProcess, grant_at: str | None, withdraw_at: str | None,
    request: pytest.FixtureRequest,
) -> None:
    gateway, case = opt_in_gateway, request.node.callspec.id
    device, sent = f"{VICTIM_DEVICE}-{case}", f"after-withdrawal-{case}"

    def stamp(value: str | None) -> Any:
        if value is None:
            return None
        if value[0] in "+-":
            return int((time.time() + int(value)) * 1000)  # epoch milliseconds, as SDK clocks send them
        return value

    granted = consent(gateway, anonymousId=device, granted=["analytics"], timestamp=stamp(grant_at))
    assert granted.status_code == 200
    withdrawn = consent(gateway, anonymousId=device, denied=["analytics"], timestamp=stamp(withdraw_at))
    assert withdrawn.status_code == 200
    answer = withdrawn.json()
    assert answer["withdrawn"] == ["analytics"]
    assert answer["state"]["analytics"] == "denied"  # the resulting state, per purpose

    send(gateway, track(sent, anonymousId=device))
    assert sent not in delivered_after_marker(gateway, opt_in_vendor, f"marker-device-{case}")


def test_a_forged_grant_for_another_users_id_does_not_release_their_events(
    opt_in_vendor: FakeVendor, opt_in_gateway: GatewayProcess,
) -> None:
    gateway = opt_in_gateway  # the victim never granted analytics

    forged = [
        consent(gateway, userId=VICTIM, granted=["analytics"]),
        # Naming the victim's user id beside the attacker's own device records consent for that device only; naming
        # the victim's user id as if it were a device id reaches only events whose device id is that value.
        consent(gateway, userId=VICTIM, anonymousId=ATTACKER_DEVICE, granted=["analytics"]),
        consent(gateway, anonymousId=VICTIM, granted=["analytics"]),
    ]
    send(gateway, track("victim-1", userId=VICTIM, anonymousId=VICTIM_DEVICE), track("victim-2", userId=VICTIM))
    delivered = delivered_after_marker(gateway, opt_in_vendor, "marker-device-forged-grant")
    assert not {"victim-1", "victim-2"} & delivered

    assert forged[0].status_code == 403
    assert "server key" in forged[0].json()["message"]
    assert [f.json()["scope"] for f in forged[1:]] == ["device", "device"]


def test_a_forged_withdrawal_for_another_user_leaves_their_acknowledged_events_queued_for_delivery(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess],
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))  # opt-out: the victim's events flow
    vendor.stop()  # the vendor is down: the victim's acknowledged events wait in the outbox
    send(gateway, *(track(f"victim-{i}", userId=VICTIM, anonymousId=VICTIM_DEVICE) for i in range(3)))

    forged_user = consent(gateway, userId=VICTIM, denied=["analytics"])
    forged_device = consent(gateway, anonymousId=VICTIM, denied=["analytics"])

    vendor.start()
    vendor.wait_for_message_ids({"victim-0", "victim-1", "victim-2"})
    assert forged_user.status_code == 403
    assert forged_device.status_code == 200 and forged_device.json()["removed_queued_events"] == 0


def test_a_forged_identify_link_widens_neither_an_access_export_nor_a_deletion(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    policy = segment_policy("http://127.0.0.1:9")
    policy["sources"][0]["destinations"] = ["local-sink"]
    policy["destinations"] = [{"name": "local-sink", "protocol": "sink", "purposes": ["analytics"]}]
    policy["access"]["tokens"].append({"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)})
    gateway = start_gateway(policy)

    def compliance(method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, gateway.url + path, headers={"Authorization": f"Bearer {COMPLIANCE}"},
                             timeout=REQUEST_TIMEOUT_S, **kwargs)

    def sink_ids() -> set[str]:
        return {e["message_id"] for e in gateway.admin("/admin/v1/sink").json()["events"]}

    # The victim browses and is recorded.
    send(gateway, track("victim-1", userId=VICTIM, anonymousId=VICTIM_DEVICE))
    recording = json.loads(SESSIONS[0].read_text())["events"]
    assert post_events(gateway, "victim-session", {"events": recording, "userId": VICTIM,
                                                   "anonymousId": VICTIM_DEVICE}).status_code == 200
    # The attacker joins the victim's user id to their own device with one identify, and sends an event of their own.
    send(gateway, {"type": "identify", "userId": VICTIM, "anonymousId": ATTACKER_DEVICE, "messageId": "forged-link"},
         track("attacker-1", anonymousId=ATTACKER_DEVICE))
    wait_until(lambda: {"victim-1", "forged-link", "attacker-1"} <= sink_ids(), what="every event in the sink")

    # An access request for the attacker's device: their own events, none of the victim's, no victim recording.
    export = compliance("POST", "/admin/v1/privacy/subjects/export",
                        json={"identifiers": {"anonymousId": ATTACKER_DEVICE}}).json()
    exported = {e["message_id"] for e in export["sink_events"] + export["pending_events"]}
    assert "attacker-1" in exported and "victim-1" not in exported
    assert export["replay_sessions"] == []
    assert export["claimed_links"] == 1  # found, counted, not followed
    # A compliance officer may follow claimed links on purpose; that choice is in the audit log.
    widened = compliance("POST", "/admin/v1/privacy/subjects/export",
                         json={"identifiers": {"anonymousId": ATTACKER_DEVICE}, "include_claimed": True}).json()
    assert "victim-1" in {e["message_id"] for e in widened["sink_events"] + widened["pending_events"]}
    exports = gateway.admin("/admin/v1/audit?action=subject.export").json()["entries"]
    assert sorted(e["details"]["include_claimed"] for e in exports) == [False, True]

    # A deletion for the attacker's device: the victim's events and recording stay.
    deletion_id = compliance("POST", "/admin/v1/privacy/deletions",
                             json={"identifiers": {"anonymousId": ATTACKER_DEVICE}}).json()["id"]
    status = wait_until(lambda: (s := compliance("GET", f"/admin/v1/privacy/deletions/{deletion_id}").json())[
        "status"] == "completed" and s, what="the attacker's deletion to complete")
    assert status["claimed_links"] == 1
    assert "attacker-1" not in sink_ids() and "victim-1" in sink_ids()
    assert gateway.admin("/admin/v1/replay/sessions/victim-session").status_code == 200
    send(gateway, track("victim-2", userId=VICTIM, anonymousId=VICTIM_DEVICE))  # the victim is not suppressed
    wait_until(lambda: "victim-2" in sink_ids(), what="the victim's next event in the sink")


def test_a_chunk_naming_other_identifiers_is_refused_from_a_victims_recording(
    start_gateway: Callable[..., GatewayProcess], vendor: FakeVendor,
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    recording = json.loads(SESSIONS[0].read_text())["events"]
    victim = {"userId": VICTIM, "anonymousId": VICTIM_DEVICE}
    assert post_events(gateway, "victim-session", {"events": recording[:40], **victim}).status_code == 200
    before = gateway.admin("/admin/v1/replay/sessions/victim-session/events").json()

    forged = [{**e, "timestamp": e["timestamp"] + 1} for e in recording[40:60]]
    for identifiers in ({"anonymousId": ATTACKER_DEVICE}, {"userId": "attacker"}, {}):
        refused = post_events(gateway, "victim-session", {"events": forged, **identifiers})
        assert refused.status_code == 409, (identifiers, refused.text)
        assert "other identifiers" in refused.json()["message"]

    assert gateway.admin("/admin/v1/replay/sessions/victim-session/events").json() == before  # nothing stored
    # The victim's own next chunk is still taken.
    assert post_events(gateway, "victim-session", {"events": recording[40:60], **victim}).status_code == 200
