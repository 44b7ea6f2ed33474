"""The web UI in headless Chromium, one flow per role, against a real gateway with recordings ingested through the
real endpoint and analysed by the gateway itself.

- a support agent opens a flagged session from the queue, the player loads it and seeks to the rage click (typed text
  still masked), and the agent marks the session reviewed;
- a UX designer opens the frustration report and downloads its CSV;
- a compliance officer files a deletion request and sees it complete, then downloads the receipt;
- a support token gets 403 on the compliance pages.

Every page visited is saved as a screenshot in tests/browser/screenshots/ (git-ignored), to look at.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_replay_native import SESSIONS, post_events, replay_policy
from tests.support.browser import skip_or_fail
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, ROOT, GatewayProcess, sha256
from tests.support.sessions import fully_analysed
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).parent / "screenshots"
PLAYER_ASSET = ROOT / "gateway" / "ui" / "static" / "vendor" / "rrweb-player" / "rrweb-player.min.js"
TOKENS = {"support": "pgw_ui_support_e2e", "ux": "pgw_ui_ux_e2e", "compliance": "pgw_ui_compliance_e2e",
          "analyst": "pgw_ui_analyst_e2e"}
NAMES = {"support": "Sam Rivera", "ux": "Uma Chen", "compliance": "Chloe Martin", "analyst": "Ana Lyst"}
HOMES = {"support": "/ui/sessions", "ux": "/ui/reports/frustration", "compliance": "/ui/deletions",
         "analyst": "/ui/data-quality"}
DAY_MS = 24 * 3600 * 1000
SUBJECT = "user-4711"  # the person whose deletion the compliance flow files
LEAD_IN_MS = 1000  # gateway.ui.pages_support.SEEK_LEAD_IN_MS


def ui_policy(vendor_url: str) -> dict[str, Any]:
    policy = replay_policy(vendor_url, analyze_after_idle_s=0.3)
    policy["access"]["tokens"] += [{"name": NAMES[role], "role": role, "sha256": sha256(token)}
                                   for role, token in TOKENS.items()]
    return policy


def ingest_week(gateway: GatewayProcess) -> int:
    """The whole corpus on its own day, a rotating third of it again on each of the six days before (so the
    report's trend has a week), and one session of a known user (for the deletion flow). Returns how many."""
    count = 0
    for days_before in range(7):
        for i, path in enumerate(SESSIONS):
            if days_before and (i + days_before) % 3:
                continue
            recording = json.loads(path.read_text())
            events = copy.deepcopy(recording["events"])
            for event in events:
                event["timestamp"] -= days_before * DAY_MS
            session_id = recording["session_id"] + (f"-{days_before}" if days_before else "")
            assert post_events(gateway, session_id, events).status_code == 200
            count += 1
    known = json.loads(SESSIONS[0].read_text())
    assert post_events(gateway, "sess_of_" + SUBJECT, {"events": known["events"], "userId": SUBJECT}).status_code == 200
    return count + 1


def admin_get(gateway: GatewayProcess, path: str) -> httpx.Response:
    response = gateway.admin(path)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def ui_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    if not PLAYER_ASSET.is_file():
        skip_or_fail("the web UI's rrweb-player is missing (run `make test`, which installs gateway/ui's npm assets)")
    vendor = FakeVendor().start()
    gateway = GatewayProcess(tmp_path_factory.mktemp("ui"), ui_policy(vendor.url)).start()
    try:
        expected = ingest_week(gateway)

        def analysed() -> bool:
            sessions = admin_get(gateway, "/admin/v1/replay/sessions?limit=500").json()["sessions"]
            return len(sessions) == expected and all(fully_analysed(s) for s in sessions)

        wait_until(analysed, timeout=90, what="every ingested session analysed")
        yield gateway
    finally:
        gateway.close()
        vendor.stop()



def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, gateway: GatewayProcess, role: str) -> None:
    page.goto(gateway.url + "/ui/")
    page.get_by_label("Access token").fill(TOKENS[role])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(gateway.url + HOMES[role])


def test_a_support_agent_reviews_a_flagged_session_at_its_rage_click(browser_page: Any,
                                                                     ui_gateway: GatewayProcess) -> None:
    page, gateway = browser_page, ui_gateway
    page.goto(gateway.url + "/ui/")
    screenshot(page, "sign-in")
    sign_in(page, gateway, "support")
    screenshot(page, "support-queue")

    page.get_by_label("Signal").select_option("rage_click")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/ui/sessions?*signal=rage_click*")
    rows = page.locator("table.data tbody tr")
    assert rows.count() > 0 and rows.locator(".kind-rage_click").count() == rows.count()
    link = rows.first.locator("td.primary-cell a")
    session_id = link.inner_text()
    link.click()
    page.wait_for_url(f"**/ui/sessions/{session_id}?signal=rage_click")  # the queue's filters, for "next flagged"

    # The player loads the recording: the replay iframe holds the rebuilt page.
    page.wait_for_selector("#player[data-state=ready] .rr-player")
    replay = page.frame_locator("#player iframe")
    replay.locator("body").wait_for(state="attached")

    signals = admin_get(gateway, f"/admin/v1/replay/sessions/{session_id}/signals").json()["signals"]
    rage = next(s for s in signals if s["kind"] == "rage_click")
    first_ts = admin_get(gateway, f"/admin/v1/replay/sessions/{session_id}/events").json()[0]["timestamp"]
    expected_offset = max(0, rage["timestamp"] - first_ts - LEAD_IN_MS)

    page.locator(f"#signal-{rage['id']} button").click()
    assert page.locator("#player").get_attribute("data-seeked-to") == str(expected_offset)
    current = page.evaluate("window.gatewayPlayer.getReplayer().getCurrentTime()")
    assert current >= expected_offset
    assert page.locator(f"#signal-{rage['id']}").get_attribute("class") == "signal current"

    # Masked stays masked: whatever was typed shows as asterisks in the replayed page.
    page.evaluate("window.gatewayPlayer.pause()")
    values = page.frame_locator("#player iframe").locator("input:not([type=checkbox]):not([type=radio]), textarea") \
        .evaluate_all("els => els.map(e => e.value)")
    assert all(set(value) <= {"*"} for value in values), values
    screenshot(page, "support-session-at-rage-click")

    page.get_by_label("Reviewed").check()
    page.get_by_label("Note").fill("Photo upload tile does nothing on click; filed UX-231.")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url(f"**/ui/sessions/{session_id}?signal=rage_click&saved=reviewed")
    assert page.get_by_role("status").filter(has_text="marked reviewed").is_visible()
    assert page.locator(".page-head .status-reviewed").inner_text() == "Reviewed"
    page.wait_for_selector("#player[data-state=ready] .rr-player")
    screenshot(page, "support-session-reviewed")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    page.wait_for_url("**/ui/sessions")
    assert session_id not in page.locator("table.data td.primary-cell a").all_inner_texts()
    reviewed = admin_get(gateway, f"/admin/v1/audit?action=replay.review&target={session_id}").json()["entries"]
    assert [(e["actor"], e["details"]["status"]) for e in reviewed] == [(NAMES["support"], "reviewed")]
    reads = admin_get(gateway, f"/admin/v1/audit?action=replay.read_events&target={session_id}").json()["entries"]
    assert NAMES["support"] in {e["actor"] for e in reads}


def test_a_ux_designer_opens_the_report_and_downloads_its_csv(browser_page: Any, ui_gateway: GatewayProcess) -> None:
    page, gateway = browser_page, ui_gateway
    sign_in(page, gateway, "ux")
    report = admin_get(gateway, "/admin/v1/reports/frustration").json()
    assert len(report["daily"]) == 7
    chart = page.locator("svg.chart")
    assert chart.get_attribute("role") == "img"
    days_drawn = {t.split(":")[0] for t in chart.locator("rect title").all_text_contents()}
    assert days_drawn == {row["day"] for row in report["daily"]}
    total_rage = sum(row["rage_clicks"] for row in report["elements"])
    assert page.locator(".stat", has_text="Rage clicks").locator(".stat-value").inner_text() == str(total_rage)
    screenshot(page, "ux-report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Elements CSV").click()
    download = download_info.value
    assert download.suggested_filename == "frustration-elements.csv"
    downloaded = Path(download.path()).read_text()
    assert downloaded == admin_get(gateway, "/admin/v1/reports/frustration?format=csv&table=elements").text
    rows = list(csv.DictReader(io.StringIO(downloaded)))
    assert len(rows) == len(report["elements"]) and {r["selector"] for r in rows} == {
        e["selector"] for e in report["elements"]}


def test_a_compliance_officer_files_a_deletion_and_sees_it_complete(browser_page: Any,
                                                                    ui_gateway: GatewayProcess) -> None:
    page, gateway = browser_page, ui_gateway
    sign_in(page, gateway, "compliance")
    screenshot(page, "compliance-deletions")

    file_button = page.get_by_role("button", name="File deletion request")
    assert file_button.is_enabled(), "the gateway has no deletion API (POST /admin/v1/privacy/deletions) yet"
    page.get_by_label("User ID").fill(SUBJECT)
    page.get_by_label("Reason").fill("GDPR Art. 17 request, ticket 4711")
    file_button.click()
    page.wait_for_url("**/ui/deletions/del_*")
    assert SUBJECT not in page.url
    screenshot(page, "compliance-deletion-filed")

    # The page follows the request by itself until it is done.
    page.locator("#deletion-status .status-completed").wait_for()
    deletion_id = page.url.split("/ui/deletions/")[1].split("?")[0]
    detail = admin_get(gateway, f"/admin/v1/privacy/deletions/{deletion_id}").json()
    assert detail["status"] == "completed"
    assert sum(store.get("deleted", 0) for store in detail["stores"].values()) >= 1
    screenshot(page, "compliance-deletion-completed")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download receipt").click()
    receipt = json.loads(Path(download_info.value.path()).read_text())
    assert deletion_id in json.dumps(receipt)

    page.get_by_role("link", name="← Deletion requests").click()
    row = page.locator("table.data tbody tr", has=page.get_by_role("link", name=deletion_id))
    assert row.locator(".status-completed").inner_text() == "Completed"
    screenshot(page, "compliance-deletions-list")

    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/ui/audit")
    assert page.locator("table.data").get_by_text(NAMES["compliance"]).count() > 0
    screenshot(page, "compliance-audit")


def test_a_support_token_gets_403_on_the_compliance_pages(browser_page: Any, ui_gateway: GatewayProcess) -> None:
    page, gateway = browser_page, ui_gateway
    sign_in(page, gateway, "support")
    assert page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts() == ["Review queue"]
    for path in ("/ui/deletions", "/ui/audit", "/ui/deletions/del_0000/receipt", "/ui/reports/frustration"):
        response = page.goto(gateway.url + path)
        assert response.status == 403, path
        assert page.get_by_role("heading", name="Not for your role").is_visible()
    screenshot(page, "support-forbidden")
    # The API agrees: the same token has no access to the audit log there either.
    api = httpx.get(gateway.url + "/admin/v1/audit", headers={"Authorization": f"Bearer {TOKENS['support']}"},
                    timeout=REQUEST_TIMEOUT_S)
    assert api.status_code == 403
    assert httpx.get(gateway.url + "/admin/v1/audit", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                     timeout=REQUEST_TIMEOUT_S).is_success
