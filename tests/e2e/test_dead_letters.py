"""Dead letters as an operator handles them: find what a destination refused and why, read one (audited), fix the
cause, redrive, purge; through the admin API, the `privacy-gateway dead-letters` command and the UI's page."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from tests.support import ingest
from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.gateway_process import (
    ADMIN_TOKEN,
    ROOT,
    SERVER_KEY,
    WRITE_KEY,
    GatewayProcess,
    segment_policy,
    sha256,
)
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e


def refuse_poison(request: Recorded) -> Answer | None:
    if b'"poison":true' in request.body:
        return Answer(400, b'{"code":"invalid","message":"property poison is not allowed"}')
    return None


def send(gateway: GatewayProcess, prefix: str, n: int, poisoned: set[int], user: str = "u-1") -> None:
    body = {"writeKey": WRITE_KEY, "batch": [
        {"type": "track", "event": "Viewed", "userId": user, "messageId": f"{prefix}-{i}",
         "properties": {"poison": True} if i in poisoned else {}} for i in range(n)]}
    assert ingest.post(gateway.url + "/v1/batch", content=orjson.dumps(body)).status_code == 200


def dead_letters(gateway: GatewayProcess, query: str = "") -> dict[str, Any]:
    answer = gateway.admin("/admin/v1/dead-letters" + query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_for_dead_letters(gateway: GatewayProcess, n: int) -> list[dict[str, Any]]:
    def found() -> list[dict[str, Any]] | None:
        listed: list[dict[str, Any]] = dead_letters(gateway)["dead_letters"]
        return listed if len(listed) == n else None

    return wait_until(found, what=f"{n} dead letters")


def admin_post(gateway: GatewayProcess, path: str, body: Any) -> httpx.Response:
    return httpx.post(gateway.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                      timeout=REQUEST_TIMEOUT_S)


def cli(gateway: GatewayProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", "dead-letters", *args[:1], "--url", gateway.url,
                           "--token", ADMIN_TOKEN, *args[1:]], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          check=False)


def test_find_read_redrive_and_purge_through_the_api_and_the_command(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    vendor.rule = refuse_poison
    gateway = start_gateway(segment_policy(vendor.url))
    send(gateway, "e", 10, poisoned={2, 5, 8})
    vendor.wait_for_message_ids({f"e-{i}" for i in range(10)} - {"e-2", "e-5", "e-8"})
    listed = wait_for_dead_letters(gateway, 3)
    assert [d["message_id"] for d in listed] == ["e-8", "e-5", "e-2"]  # newest first
    assert all(d["status"] == 400 and "HTTP 400" in d["reason"] for d in listed)
    assert all("event" not in d and "reply" not in d for d in listed)  # the list holds no personal data

    shown = cli(gateway, "list")
    assert shown.returncode == 0, shown.stderr
    assert "dead letters: segment 3" in shown.stdout
    assert shown.stdout.count("HTTP 400") == 3

    one = gateway.admin(f"/admin/v1/dead-letters/{listed[0]['id']}").json()
    assert one["event"]["messageId"] == "e-8" and one["event"]["properties"] == {"poison": True}
    assert "property poison is not allowed" in one["reply"]
    reads = gateway.admin("/admin/v1/audit?action=dead_letters.read").json()["entries"]
    assert [(e["actor"], e["target"]) for e in reads] == [("tests", str(listed[0]["id"]))]

    vendor.rule = None  # the cause is fixed (say, the vendor's schema now allows the property)
    redriven = cli(gateway, "redrive", "--id", str(listed[2]["id"]))
    assert redriven.returncode == 0, redriven.stderr
    assert json.loads(redriven.stdout)["redriven"] == 1
    vendor.wait_for_message_ids({"e-2"})
    answer = admin_post(gateway, "/admin/v1/dead-letters/redrive", {"destination": "segment"})
    assert answer.json() == {"redriven": 2, "by_destination": {"segment": 2}, "kept": {}, "remaining": 0}
    vendor.wait_for_message_ids({f"e-{i}" for i in range(10)})
    assert dead_letters(gateway)["counts"] == {}

    vendor.rule = refuse_poison
    send(gateway, "f", 4, poisoned={0, 1})
    wait_for_dead_letters(gateway, 2)
    purged = cli(gateway, "purge", "--all")
    assert purged.returncode == 0, purged.stderr
    assert json.loads(purged.stdout) == {"purged": 2, "remaining": 0}
    assert dead_letters(gateway)["dead_letters"] == []
    actions = [e["action"] for e in gateway.admin("/admin/v1/audit?action=dead_letters.purge").json()["entries"]]
    assert actions == ["dead_letters.purge"]


def test_a_bad_selection_is_refused_and_others_roles_may_not_touch_dead_letters(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["access"]["tokens"].append({"name": "agent", "role": "support", "sha256": sha256("support-token")})
    gateway = start_gateway(policy)
    for body in ({}, {"ids": []}, {"ids": ["1"]}, {"all": False}, {"ids": [1], "all": True}, [1]):
        refused = admin_post(gateway, "/admin/v1/dead-letters/purge", body)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_request", body
    assert gateway.admin("/admin/v1/dead-letters", token="support-token").status_code == 403
    assert gateway.admin("/admin/v1/dead-letters/1").status_code == 404
    missing = cli(gateway, "redrive")
    assert missing.returncode != 0 and "one of the arguments" in missing.stderr


def test_a_dead_letter_whose_subject_withdrew_consent_since_is_not_redriven(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    vendor.rule = refuse_poison
    gateway = start_gateway(segment_policy(vendor.url))  # opt-out: allowed until denied
    send(gateway, "kept", 1, poisoned={0}, user="withdrawing")
    send(gateway, "goes", 1, poisoned={0}, user="staying")
    wait_for_dead_letters(gateway, 2)
    # The customer's backend records the user's choice (a public key may record a device's only).
    denial = httpx.post(gateway.url + "/v1/consent", json={"writeKey": SERVER_KEY, "userId": "withdrawing",
                                                           "denied": ["analytics"]}, timeout=REQUEST_TIMEOUT_S)
    assert denial.status_code == 200
    vendor.rule = None
    answer = admin_post(gateway, "/admin/v1/dead-letters/redrive", {"all": True}).json()
    assert answer["redriven"] == 1 and answer["kept"] == {"consent withdrawn": 1}
    vendor.wait_for_message_ids({"goes-0"})
    assert [d["message_id"] for d in dead_letters(gateway)["dead_letters"]] == ["kept-0"]
    assert "kept-0" not in vendor.message_ids()


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no form with a CSRF token on the page"
    return match.group(1)


def test_the_ui_page_lists_opens_and_redrives_dead_letters_for_admins_only(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    vendor.rule = refuse_poison
    policy = segment_policy(vendor.url)
    policy["access"]["tokens"].append({"name": "agent", "role": "support", "sha256": sha256("support-token")})
    gateway = start_gateway(policy)
    send(gateway, "ui", 3, poisoned={1, 2})
    [second, first] = wait_for_dead_letters(gateway, 2)

    with httpx.Client(base_url=gateway.url, timeout=REQUEST_TIMEOUT_S) as browser:
        sign_in = browser.get("/ui/sign-in")
        assert browser.post("/ui/sign-in", data={"token": "support-token", "csrf": csrf_of(sign_in.text)}
                            ).status_code == 303
        assert browser.get("/ui/dead-letters").status_code == 403  # a support agent: not their page

    with httpx.Client(base_url=gateway.url, timeout=REQUEST_TIMEOUT_S) as browser:
        sign_in = browser.get("/ui/sign-in")
        browser.post("/ui/sign-in", data={"token": ADMIN_TOKEN, "csrf": csrf_of(sign_in.text)})
        page = browser.get("/ui/dead-letters")
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert '<a href="/ui/dead-letters" aria-current="page">Dead letters</a>' in page.text  # in the admin's menu
        assert f'href="/ui/dead-letters/{first["id"]}"' in page.text and "HTTP 400" in text
        assert "property poison" not in text  # the reply is shown only on the dead letter's own page

        detail = html.unescape(browser.get(f"/ui/dead-letters/{first['id']}").text)
        assert "property poison is not allowed" in detail and '"messageId": "ui-1"' in detail

        vendor.rule = None
        done = browser.post("/ui/dead-letters/redrive", data={"csrf": csrf_of(page.text), "id": [str(first["id"])]})
        assert done.status_code == 303 and "redriven=1" in done.headers["location"]
        notice = html.unescape(browser.get(done.headers["location"]).text)
        assert "1 redriven." in notice
        vendor.wait_for_message_ids({"ui-1"})

        purge = browser.post("/ui/dead-letters/purge", data={"csrf": csrf_of(page.text), "destination": "segment"})
        assert purge.status_code == 303 and "purged=1" in purge.headers["location"]
        assert dead_letters(gateway)["counts"] == {}
        forged = browser.post("/ui/dead-letters/purge", data={"csrf": "forged", "all": "1"})
        assert forged.status_code == 403

    reads = gateway.admin("/admin/v1/audit?action=dead_letters.read").json()["entries"]
    assert [(e["actor"], e["target"]) for e in reads] == [("tests", str(first["id"]))]
    assert second["message_id"] == "ui-2"
