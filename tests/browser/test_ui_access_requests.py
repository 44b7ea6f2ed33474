"""A compliance officer in headless Chromium handles access requests end to end (issue 18): sees an overdue one
marked in the list, files a new one with the person's e-mail, follows its due date, downloads the export (which holds
the person's recorded session) and sees it delivered. Screenshots go to tests/browser/screenshots/ (git-ignored)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.schema import DATABASE_FILE
from tests.browser.test_ui_accessibility import check_keyboard, check_page
from tests.browser.test_ui_flows import TOKENS, screenshot, sign_in, ui_policy
from tests.e2e.test_access_requests import a_recording
from tests.e2e.test_replay_native import post_events
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, GatewayProcess
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.browser

DAY_S = 86400
EMAIL = "rosa.diaz@example.com"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    vendor = FakeVendor().start()
    process = GatewayProcess(tmp_path_factory.mktemp("ui-access"), ui_policy(vendor.url)).start()
    try:
        assert post_events(process, "s-rosa", {"events": a_recording(), "userId": EMAIL}).status_code == 200
        # A request filed 35 days ago and never answered.
        old = httpx.post(process.url + "/admin/v1/privacy/access-requests", timeout=REQUEST_TIMEOUT_S,
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                         json={"identifiers": {"userId": "user-old"}, "reference": "ticket 1001"})
        assert old.status_code == 201
        process.stop()
        with sqlite3.connect(process.data_dir / DATABASE_FILE) as conn:
            conn.execute("UPDATE access_requests SET created_at = created_at - ?, due_at = due_at - ?",
                         (35 * DAY_S, 35 * DAY_S))
        process.start()
        yield process
    finally:
        process.close()
        vendor.stop()



def test_a_compliance_officer_answers_an_access_request_before_its_due_date(browser_page: Any,
                                                                           gateway: GatewayProcess) -> None:
    page = browser_page
    sign_in(page, gateway, "compliance")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access requests").click()
    page.wait_for_url("**/ui/access-requests")
    assert page.locator("#overdue-count").inner_text() == "1 overdue"
    overdue = page.locator("table.data tbody tr.overdue")
    assert overdue.count() == 1 and "5 days late" in overdue.inner_text()
    screenshot(page, "compliance-access-requests-overdue")
    check_page(page)
    check_keyboard(page)

    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Reference").fill("GDPR Art. 15, ticket 2002")
    page.get_by_role("button", name="File access request").click()
    page.wait_for_url("**/ui/access-requests/acc_*?filed=1")
    assert EMAIL not in page.url
    assert "29 days left" in page.locator(".steps").inner_text()  # 30 days, less the moments since filing
    assert page.locator(".page-head .status-open").is_visible()
    screenshot(page, "compliance-access-request-filed")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the export (JSON)").click()
    export = json.loads(Path(download_info.value.path()).read_text())
    assert [s["session_id"] for s in export["replay_sessions"]] == ["s-rosa"]

    page.reload()
    assert page.locator(".page-head .status-delivered").inner_text() == "Delivered"
    assert "Chloe Martin" in page.locator(".steps").inner_text()
    screenshot(page, "compliance-access-request-delivered")

    audit = httpx.get(gateway.url + "/admin/v1/audit", headers={"Authorization": f"Bearer {TOKENS['compliance']}"},
                      timeout=REQUEST_TIMEOUT_S)
    assert EMAIL not in audit.text and "subject.export" in audit.text
