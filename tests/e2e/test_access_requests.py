"""Access requests as compliance officers handle them (issue 18): filed with identifiers that are kept only as keyed
hashes, due `[privacy] response_days` later, the export downloaded from the gateway's current data, delivered on the
first download, and shown overdue when the due date passed without it."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable

import httpx
import pytest

from gateway.schema import DATABASE_FILE
from tests.e2e.test_replay_native import post_events, replay_policy
from tests.replay.streams import E, Recording
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, GatewayProcess, sha256
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.e2e

DAY_S = 86400
SUPPORT_TOKEN = "pgw_access_support"


def post(gateway: GatewayProcess, path: str, body: object) -> httpx.Response:
    return httpx.post(gateway.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                      timeout=REQUEST_TIMEOUT_S)


def a_recording() -> list[dict]:
    rec = Recording()
    rec.page(1000, "https://shop.example/account", E("button", "Save"))
    rec.wait(3000)
    return rec.events


def test_an_access_request_is_filed_due_downloaded_and_delivered(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = replay_policy(vendor.url)
    policy["privacy"] = {"response_days": 10}
    policy["access"]["tokens"].append({"name": "agent", "role": "support", "sha256": sha256(SUPPORT_TOKEN)})
    gateway = start_gateway(policy)
    assert post_events(gateway, "s-4711", {"events": a_recording(), "userId": "user-4711"}).status_code == 200

    before = time.time()
    filed = post(gateway, "/admin/v1/privacy/access-requests",
                 {"identifiers": {"userId": "user-4711"}, "reference": "ticket 4711"})
    assert filed.status_code == 201, filed.text
    item = filed.json()
    assert item["status"] == "open" and not item["overdue"] and item["days_left"] == 9  # 10 days, less a moment
    assert before + 10 * DAY_S <= item["due_at"] <= time.time() + 10 * DAY_S

    detail = gateway.admin(f"/admin/v1/privacy/access-requests/{item['id']}").json()
    assert detail["holds"]["replay_sessions"] == 1

    export = gateway.admin(f"/admin/v1/privacy/access-requests/{item['id']}/export")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    assert [s["session_id"] for s in export.json()["replay_sessions"]] == ["s-4711"]
    listed = gateway.admin("/admin/v1/privacy/access-requests").json()
    assert listed["response_days"] == 10
    assert listed["requests"][0]["status"] == "delivered" and listed["requests"][0]["delivered_by"] == "tests"

    # Identifiers are kept as hashes only, and never written to the audit log.
    with sqlite3.connect(gateway.data_dir / DATABASE_FILE) as conn:
        dump = "\n".join(conn.iterdump())
    assert "user-4711" not in dump
    assert "user-4711" not in json.dumps(gateway.admin("/admin/v1/audit").json())
    actions = [e["action"] for e in gateway.admin("/admin/v1/audit").json()["entries"]]
    assert {"access_request.create", "access_request.read", "subject.export"} <= set(actions)

    assert post(gateway, "/admin/v1/privacy/access-requests", {"identifiers": {}}).status_code == 400
    refused = httpx.get(gateway.url + "/admin/v1/privacy/access-requests",
                        headers={"Authorization": f"Bearer {SUPPORT_TOKEN}"}, timeout=REQUEST_TIMEOUT_S)
    assert refused.status_code == 403


def test_a_request_past_its_due_date_is_overdue_until_delivered(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(replay_policy(vendor.url))
    item = post(gateway, "/admin/v1/privacy/access-requests", {"identifiers": {"email": "late@example.com"}}).json()
    assert item["due_at"] - item["created_at"] == 30 * DAY_S  # the default: one month
    gateway.stop()
    with sqlite3.connect(gateway.data_dir / DATABASE_FILE) as conn:  # filed 33 days ago
        conn.execute("UPDATE access_requests SET created_at = created_at - ?, due_at = due_at - ?",
                     (33 * DAY_S, 33 * DAY_S))
    gateway.start()
    late = gateway.admin(f"/admin/v1/privacy/access-requests/{item['id']}").json()
    assert late["overdue"] and late["status"] == "open" and late["days_left"] == -3
    gateway.admin(f"/admin/v1/privacy/access-requests/{item['id']}/export")
    done = gateway.admin(f"/admin/v1/privacy/access-requests/{item['id']}").json()
    assert done["status"] == "delivered" and not done["overdue"] and done["delivered_late"]
