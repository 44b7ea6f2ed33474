"""Each vendor's deletion call, as its API documents it (reference: privacy-anchors.md, section 5)."""

from __future__ import annotations

import base64

import orjson

from gateway.vendor_deletion import VENDORS, configured, identifiers_for
from policies.policy import Destination

IDS = {"userId": ["u-1"], "anonymousId": ["a-1"], "email": ["x@example.org"]}


def destination(protocol: str, deletion: dict, credentials: dict | None = None) -> Destination:
    return Destination("d", protocol, "https://vendor.example", credentials or {}, ("analytics",), deletion=deletion)


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
    assert call.url == "https://vendor.example/api/projects/42/persons/bulk_delete/"
    assert orjson.loads(call.body) == {"distinct_ids": ["u-1", "a-1"], "delete_events": True,
                                       "delete_recordings": True}
    assert call.headers["Authorization"] == "Bearer phx_k"


def test_a_destination_without_its_deletion_keys_is_not_configured() -> None:
    assert not configured(destination("posthog", {"personal_api_key": "phx_k"}))  # no project_id
    assert configured(destination("amplitude", {"secret_key": "s"}))
    assert not configured(destination("sink", {}))
