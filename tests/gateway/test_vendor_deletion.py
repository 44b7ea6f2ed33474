"""Each vendor's deletion call, as its API documents it (reference: privacy-anchors.md, section 5)."""

from __future__ import annotations

import base64

import orjson
import pytest

from gateway.vendor_deletion import MAX_ATTEMPTS, VENDORS, check, configured, identifiers_for, max_attempts
from policies.policy import Destination, Policy
from policies.table import PolicyError

IDS = {"userId": ["u-1"], "anonymousId": ["a-1"], "email": ["x@example.org"]}


CLOUD = {"segment": "https://api.segment.io", "amplitude": "https://api2.amplitude.com",
         "mixpanel": "https://api.mixpanel.com", "posthog": "https://vendor.example"}  # PostHog: self-hosted


def destination(protocol: str, deletion: dict, credentials: dict | None = None, endpoint: str | None = None
                ) -> Destination:
    return Destination("d", protocol, endpoint or CLOUD.get(protocol, ""), credentials or {}, ("analytics",),
                       deletion=deletion)


def test_segment_regulation_and_status() -> None:
    vendor = VENDORS["segment"]
    d = destination("segment", {"token": "tok"})
    call = vendor.submit(vendor.endpoint(d), d, identifiers_for(vendor, IDS))
    assert (call.method, call.url) == ("POST", "https://api.segmentapis.com/regulations")
    assert orjson.loads(call.body) == {"regulationType": "SUPPRESS_WITH_DELETE", "subjectType": "USER_ID",
                                       "subjectIds": ["u-1"]}
    assert call.headers["Authorization"] == "Bearer tok"
    assert vendor.job_id({"data": {"regulateId": "r-1"}}) == "r-1"
    assert vendor.poll(vendor.endpoint(d), d, "r-1").url == "https://api.segmentapis.com/regulations/r-1"
    assert vendor.job_state({"data": {"regulation": {"overallStatus": "FINISHED"}}}) == "done"
    assert vendor.job_state({"data": {"regulation": {"overallStatus": "RUNNING"}}}) == "running"
    assert vendor.job_state({"data": {"regulation": {"overallStatus": "FAILED"}}}) == "failed"


def test_amplitude_deletion_by_user_id_with_basic_auth() -> None:
    vendor = VENDORS["amplitude"]
    d = destination("amplitude", {"secret_key": "sec"}, {"api_key": "key"})
    call = vendor.submit(vendor.endpoint(d), d, identifiers_for(vendor, IDS))
    assert (call.method, call.url) == ("POST", "https://amplitude.com/api/2/deletions/users")
    assert base64.b64decode(call.headers["Authorization"].split()[1]) == b"key:sec"
    body = orjson.loads(call.body)
    assert body["user_ids"] == ["u-1"] and body["requester"] == "privacy-gateway"
    assert vendor.poll is None  # Amplitude stages deletions; there is no job to poll


def test_mixpanel_deletion_by_distinct_id_and_task_status() -> None:
    vendor = VENDORS["mixpanel"]
    d = destination("mixpanel", {"gdpr_token": "gdpr"}, {"token": "proj"})
    call = vendor.submit(vendor.endpoint(d), d, identifiers_for(vendor, IDS))
    assert call.url == "https://mixpanel.com/api/app/data-deletions/v3.0/?token=proj"
    assert orjson.loads(call.body) == {"distinct_ids": ["u-1", "a-1"], "compliance_type": "GDPR"}
    assert call.headers["Authorization"] == "Bearer gdpr"
    assert vendor.job_id({"status": "ok", "results": {"task_id": "t-9"}}) == "t-9"
    assert vendor.job_state({"results": {"status": "SUCCESS"}}) == "done"
    assert vendor.job_state({"results": {"status": "PENDING"}}) == "running"


def test_posthog_bulk_delete_of_persons_with_events_and_recordings() -> None:
    vendor = VENDORS["posthog"]
    d = destination("posthog", {"personal_api_key": "phx_k", "project_id": "42"})
    call = vendor.submit(vendor.endpoint(d), d, identifiers_for(vendor, IDS))
    assert call.url == "https://vendor.example/api/projects/42/persons/bulk_delete/"  # a self-hosted PostHog
    assert orjson.loads(call.body) == {"distinct_ids": ["u-1", "a-1"], "delete_events": True,
                                       "delete_recordings": True}
    assert call.headers["Authorization"] == "Bearer phx_k"


def test_a_destination_without_its_deletion_keys_is_not_configured() -> None:
    assert not configured(destination("posthog", {"personal_api_key": "phx_k"}))  # no project_id
    assert configured(destination("amplitude", {"secret_key": "s"}))
    assert not configured(destination("sink", {}))


@pytest.mark.parametrize(("protocol", "endpoint", "deletions_at"), [
    # The vendor's cloud, by region: the region's API host.
    ("segment", "https://api.segment.io", "https://api.segmentapis.com"),
    ("segment", "https://events.eu1.segmentapis.com/", "https://eu1.api.segmentapis.com"),
    ("amplitude", "https://api2.amplitude.com", "https://amplitude.com"),
    ("amplitude", "https://api.eu.amplitude.com", "https://analytics.eu.amplitude.com"),
    ("mixpanel", "https://api.mixpanel.com", "https://mixpanel.com"),
    ("mixpanel", "https://api-eu.mixpanel.com", "https://eu.mixpanel.com"),
    ("mixpanel", "https://api-in.mixpanel.com", "https://in.mixpanel.com"),
    ("posthog", "https://us.i.posthog.com", "https://us.posthog.com"),
    ("posthog", "https://eu.i.posthog.com", "https://eu.posthog.com"),
    # Another host of the vendor's: its default API host.
    ("mixpanel", "https://api-new.mixpanel.com", "https://mixpanel.com"),
    # A self-hosted PostHog, a relay in between: the destination's own endpoint.
    ("posthog", "https://posthog.internal.example:8000/", "https://posthog.internal.example:8000"),
    ("segment", "http://127.0.0.1:9999", "http://127.0.0.1:9999"),
    ("amplitude", "https://amplitude-relay.example", "https://amplitude-relay.example"),
])
def test_deletion_calls_go_where_the_destination_sends(protocol: str, endpoint: str, deletions_at: str) -> None:
    deletion = {"token": "t", "secret_key": "s", "gdpr_token": "g", "personal_api_key": "p", "project_id": "1"}
    assert VENDORS[protocol].endpoint(destination(protocol, deletion, endpoint=endpoint)) == deletions_at


def test_a_deletion_endpoint_in_the_policy_wins() -> None:
    d = destination("mixpanel", {"gdpr_token": "g", "endpoint": "https://proxy.example/mp/"},
                    endpoint="https://api-eu.mixpanel.com")
    assert VENDORS["mixpanel"].endpoint(d) == "https://proxy.example/mp"


def test_retries_are_bounded_by_max_attempts_which_must_be_a_number() -> None:
    assert max_attempts(destination("amplitude", {"secret_key": "s"})) == MAX_ATTEMPTS
    assert max_attempts(destination("amplitude", {"secret_key": "s", "max_attempts": "3"})) == 3
    policy = Policy("p.toml", (), (destination("amplitude", {"secret_key": "s", "max_attempts": "lots"}),))
    with pytest.raises(PolicyError, match=r"destinations\[0\]\.deletion\.max_attempts: expected a number"):
        check(policy)
    with pytest.raises(PolicyError, match="poll_interval_s"):
        check(Policy("p.toml", (), (destination("mixpanel", {"gdpr_token": "g", "poll_interval_s": "-1"}),)))
    check(Policy("p.toml", (), (destination("mixpanel", {"gdpr_token": "g", "poll_interval_s": "0.5"}),)))
