"""A support agent in headless Chromium finds the sessions of a ticket's e-mail, and walks the queue with "Next
flagged session" (issue 18). Recordings and the identify that links the e-mail to them go through the real endpoints
of a real gateway, which analyses them itself. Screenshots go to tests/browser/screenshots/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_ui_accessibility import check_keyboard, check_page
from tests.browser.test_ui_flows import screenshot, sign_in, ui_policy
from tests.e2e.test_replay_native import post_events
from tests.e2e.test_replay_search import EMAIL, SESSIONS, identify, recording
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import SERVER_KEY, GatewayProcess
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    vendor = FakeVendor().start()
    process = GatewayProcess(tmp_path_factory.mktemp("ui-find"), ui_policy(vendor.url)).start()
    try:
        for session_id, (ids, start, rage) in SESSIONS.items():
            assert post_events(process, session_id, {"events": recording(start, rage=rage), **ids}).status_code == 200
        identify(process, SERVER_KEY, {"userId": "user-anna", "anonymousId": "anon-7f3",
                                        "traits": {"email": "anna.berg@example.com"}})
        wait_until(lambda: process.admin("/admin/v1/replay/sessions?flagged=1").json()["total"] == 3,
                   what="three flagged sessions")
        yield process
    finally:
        process.close()
        vendor.stop()



def test_a_support_agent_finds_a_session_by_the_e_mail_of_a_ticket(browser_page: Any,
                                                                   gateway: GatewayProcess) -> None:
    page = browser_page
    sign_in(page, gateway, "support")
    page.get_by_label("Identifier").select_option("email")
    page.get_by_label("Value").fill(EMAIL)
    page.get_by_role("button", name="Find sessions").click()
    page.wait_for_url("**/ui/sessions/find")
    assert page.locator("#found-total").inner_text() == "2 sessions"
    rows = page.locator("table.data td.primary-cell a").all_inner_texts()
    assert rows == ["s-anna-signed-in", "s-anna-anonymous"]  # the anonymous visit is found through the identify
    assert "anna" not in page.url.lower()  # the e-mail was posted, not put in the address
    screenshot(page, "support-find-by-email")
    check_page(page)  # landmarks, labels and contrast, as every page of the UI
    check_keyboard(page)

    assert not page.locator("#claimed-note").count()  # the backend linked them: nothing left out

    page.get_by_role("link", name="s-anna-anonymous").click()
    page.wait_for_url("**/ui/sessions/s-anna-anonymous")
    assert page.locator(".signal[data-kind=rage_click]").count() == 1

    audit = gateway.admin("/admin/v1/audit?action=replay.search_person").json()["entries"]
    assert audit and audit[0]["actor"] == "Sam Rivera" and "anna" not in str(audit).lower()


def test_a_support_agent_walks_the_queue_with_next_flagged_session(browser_page: Any,
                                                                   gateway: GatewayProcess) -> None:
    page = browser_page
    sign_in(page, gateway, "support")
    page.get_by_label("Sort by").select_option("time")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/ui/sessions?order=time*")
    assert page.locator("#queue-total").inner_text() == "3 flagged sessions"
    page.locator("table.data td.primary-cell a").first.click()
    page.wait_for_url("**/ui/sessions/s-carl?order=time")

    visited = ["s-carl"]
    while page.get_by_role("link", name="Next flagged session").count():
        page.get_by_role("link", name="Next flagged session").click()
        page.wait_for_load_state()
        visited.append(page.locator("h1 .mono").inner_text())
        if len(visited) == 2:
            screenshot(page, "support-next-flagged")
    # Newest first, flagged only: s-anna-signed-in (no signal) is not on the way.
    assert visited == ["s-carl", "s-bob", "s-anna-anonymous"]
    assert page.get_by_text("No further flagged session in this queue.").is_visible()

    page.get_by_role("link", name="Previous flagged session").click()
    page.wait_for_url("**/ui/sessions/s-bob?order=time")
    # Reviewing keeps the agent in the queue's order.
    page.get_by_label("Reviewed").check()
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url("**/ui/sessions/s-bob?order=time&saved=reviewed")
    assert page.get_by_role("link", name="Next flagged session").get_attribute("href").endswith(
        "/sessions/s-anna-anonymous?order=time")
