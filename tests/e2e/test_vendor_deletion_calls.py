"""A vendor's deletion API seen from a running gateway: the call goes to the destination's own host (here a
self-hosted or relayed vendor, at the fake vendor's address; no `deletion.endpoint` in the policy), and a vendor that
keeps failing is given up on after `max_attempts`: the request ends `failed`, the failure is counted, and the
compliance page shows why. (The issue this answers found calls sent to the vendors' public hosts, retried forever.)"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx
import pytest

from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.gateway_process import (
    ADMIN_TOKEN,
    FAST_RETRY,
    VENDOR_CREDENTIALS,
    VENDOR_ENV,
    GatewayProcess,
    sha256,
)
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

COMPLIANCE = "compliance-token"


def always_unavailable(request: Recorded) -> Answer | None:
    if request.path == "/api/2/deletions/users":
        return Answer(503, b'{"error":"try later"}')
    return None


def test_a_failing_vendor_deletion_call_goes_to_the_destinations_host_and_is_given_up_after_max_attempts(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    vendor.rule = always_unavailable
    policy = {
        "sources": [{"name": "web", "write_keys": ["wk"], "consent_model": "opt-out", "destinations": ["amplitude"]}],
        "destinations": [{
            "name": "amplitude", "protocol": "amplitude", "endpoint": vendor.url,
            "credentials": VENDOR_CREDENTIALS["amplitude"], "retry": FAST_RETRY,
            "deletion": {"secret_key": "amp-secret", "max_attempts": "3"},
        }],
        "access": {"tokens": [{"name": "tests", "role": "admin", "sha256": sha256(ADMIN_TOKEN)},
                              {"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)}]},
    }
    gateway = start_gateway(policy, env=VENDOR_ENV)
    auth = {"Authorization": f"Bearer {COMPLIANCE}"}
    filed = httpx.post(gateway.url + "/admin/v1/privacy/deletions", headers=auth, timeout=REQUEST_TIMEOUT_S,
                       json={"identifiers": {"userId": "user-4711"}, "reason": "ticket 1"})
    assert filed.status_code == 202, filed.text
    deletion_id = filed.json()["id"]

    def finished() -> dict | None:
        status = httpx.get(f"{gateway.url}/admin/v1/privacy/deletions/{deletion_id}", headers=auth,
                           timeout=REQUEST_TIMEOUT_S).json()
        return status if status["status"] in ("completed", "failed") else None

    status = wait_until(finished, timeout=60, what="the deletion request to finish")
    assert status["status"] == "failed"
    call = status["destinations"]["amplitude"]
    assert call["status"] == "failed" and call["attempts"] == 3
    assert call["error"] == "gave up after 3 failed attempts in a row; the last: HTTP 503"
    calls = [r for r in vendor.received() if r.path == "/api/2/deletions/users"]
    assert len(calls) == 3  # to the destination's own host, three times, then no more
    assert gateway.metrics()['gateway_vendor_deletion_failed_total{destination="amplitude"}'] == 1

    with httpx.Client(base_url=gateway.url, timeout=REQUEST_TIMEOUT_S) as browser:
        sign_in = browser.get("/ui/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', sign_in.text)
        assert csrf is not None
        browser.post("/ui/sign-in", data={"token": COMPLIANCE, "csrf": csrf.group(1)})
        page = html.unescape(browser.get(f"/ui/deletions/{deletion_id}").text)
    assert "gave up after 3 failed attempts in a row; the last: HTTP 503" in page
    assert 'class="pill status-failed">Failed</span>' in page


def test_a_vendor_refusal_that_echoes_the_subject_is_kept_without_the_identifiers(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    vendor.rule = lambda request: Answer(400, b'{"error":"unknown users","user_ids":["user-4711"]}') if (
        request.path == "/api/2/deletions/users") else None
    policy = {
        "sources": [{"name": "web", "write_keys": ["wk"], "consent_model": "opt-out", "destinations": ["amplitude"]}],
        "destinations": [{
            "name": "amplitude", "protocol": "amplitude", "endpoint": vendor.url,
            "credentials": VENDOR_CREDENTIALS["amplitude"], "retry": FAST_RETRY,
            "deletion": {"secret_key": "amp-secret"},
        }],
        "access": {"tokens": [{"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)}]},
    }
    gateway = start_gateway(policy, env=VENDOR_ENV)
    auth = {"Authorization": f"Bearer {COMPLIANCE}"}
    filed = httpx.post(gateway.url + "/admin/v1/privacy/deletions", headers=auth, timeout=REQUEST_TIMEOUT_S,
                       json={"identifiers": {"userId": "user-4711"}, "reason": "ticket 2"})
    deletion_id = filed.json()["id"]
    status = wait_until(lambda: (s := httpx.get(f"{gateway.url}/admin/v1/privacy/deletions/{deletion_id}",
                                                headers=auth,
                                                timeout=REQUEST_TIMEOUT_S).json())["status"] == "failed" and s,
                        timeout=60, what="the deletion request to fail")
    assert status["destinations"]["amplitude"]["error"] == (
        'HTTP 400: {"error":"unknown users","user_ids":["[identifier]"]}')
