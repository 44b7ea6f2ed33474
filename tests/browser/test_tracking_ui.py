"""The analysts' pages in headless Chromium against a real gateway whose source has a tracking plan:

- the Data quality page shows the violations the official Python SDK's events caused, per event and per day, and
  its CSV (a formula-shaped event name is written as text);
- the Live debugger shows each event that @segment/analytics-next sends from a page, with what every destination
  got (forwarded, or dropped by the plan), the PII found by type, the plan violations, and a refused request.

Screenshots go to tests/browser/screenshots/ (git-ignored), to look at.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from segment.analytics import Client

from tests.browser.test_segment_browser import load_settings
from tests.support import ingest
from tests.support.browser import NODE_MODULES, PageServer
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy, sha256
from tests.support.plans import write_plan

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).parent / "screenshots"
ANALYST_TOKEN = "pgw_ui_analyst_e2e"
FORMULA_EVENT = '=HYPERLINK("https://evil.example/","Open")'

SHOP = """<!doctype html>
<html><head><title>Reports</title>
<script src="/npm/@segment/analytics-next/dist/umd/index.js"></script>
<script>window.analytics = window.AnalyticsNext.AnalyticsBrowser.load(__SETTINGS__, {});</script></head>
<body>Reports</body></html>"""


def analyst_policy(vendor_url: str, workdir: Path, pages_url: str = "") -> dict[str, Any]:
    policy = segment_policy(vendor_url)
    policy["sources"][0] |= {"tracking_plan": write_plan(workdir), "destinations": ["segment", "sink"],
                             "on_violation": "flag", "on_violation_events": {"Order Completed": "block"},
                             "allowed_origins": [pages_url] if pages_url else []}
    policy["destinations"].append({"name": "sink", "protocol": "sink"})
    policy["access"]["tokens"].append({"name": "Ana Lyst", "role": "analyst", "sha256": sha256(ANALYST_TOKEN)})
    policy["catalog"] = {"flush_interval_s": 0.2}
    return policy


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, gateway: GatewayProcess, home: str) -> None:
    page.goto(gateway.url + "/ui/")
    page.get_by_label("Access token").fill(ANALYST_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(gateway.url + home)


def test_the_data_quality_page_shows_violations_per_event_and_day_and_exports_them(
    page: Any, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    gateway = start_gateway(analyst_policy(vendor.url, tmp_path / "gw"))
    client = Client(WRITE_KEY, host=gateway.url, upload_interval=0.05)
    client.track(user_id="u-1", event="Report Exported", properties={"account_id": "acme", "format": "docx"},
                 message_id="m-1")
    client.track(user_id="u-1", event="Order Completed", properties={"total": "99"}, message_id="m-2")
    client.track(user_id="u-1", event=FORMULA_EVENT, properties={"account_id": "acme"}, message_id="m-3")
    client.shutdown()
    vendor.wait_for_message_ids({"m-1", "m-3"})

    sign_in(page, gateway, "/ui/data-quality")
    page.get_by_role("heading", name="Data quality").wait_for()
    by_event = page.get_by_test_id("violations-by-event")
    assert "Order Completed" in by_event.inner_text() and "block 3" in by_event.inner_text()
    recent = page.get_by_test_id("recent-violations").inner_text()
    assert "properties.format" in recent and "one of 3 planned values" in recent and "docx" not in recent
    assert page.get_by_test_id("violations-total").inner_text() == "6"
    assert page.locator("#violations-trend-title").text_content() == "Tracking plan violations per day"
    page.reload()  # the catalog is written every 0.2 s: by now it holds the three events
    assert "Report Exported" in page.get_by_test_id("catalog").inner_text()
    screenshot(page, "analyst-data-quality")

    with page.expect_download() as download:
        page.get_by_role("link", name="Violations CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {(r["event"], r["action"], r["violations"]) for r in rows} == {
        ("Report Exported", "flag", "1"), ("Order Completed", "block", "3"), ("'" + FORMULA_EVENT, "flag", "2")}


def test_the_live_debugger_shows_each_analytics_next_event_with_its_outcome_per_destination(
    page: Any, pages: PageServer, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    gateway = start_gateway(analyst_policy(vendor.url, tmp_path / "gw", pages.url))
    sign_in(page, gateway, "/ui/data-quality")
    page.goto(gateway.url + "/ui/live?source=web")
    page.get_by_text("Watching web.").wait_for()

    pages.alias("analytics-next/bundles", NODE_MODULES / "@segment/analytics-next/dist/umd")
    shop = page.context.new_page()
    shop.goto(pages.add_page("reports.html", SHOP.replace("__SETTINGS__", load_settings(gateway, pages, None))))
    shop.evaluate("""async () => {
        await window.analytics.track("Report Exported", {account_id: "acme", format: "csv",
                                                         note: "mail ana@example.com"});
        await window.analytics.track("Order Completed", {total: 12.5});
    }""")
    refused = ingest.post(gateway.url + "/v1/batch", content=orjson.dumps({"writeKey": "wrong", "batch": []}))
    assert refused.status_code == 401

    feed = page.get_by_test_id("live-feed")
    exported = feed.locator("li.live-item[data-name='Report Exported']")
    exported.wait_for()
    assert exported.locator("[data-destination='segment']").get_attribute("data-action") == "forward"
    assert exported.locator("[data-destination='sink']").get_attribute("data-action") == "forward"
    assert "EMAIL_ADDRESS \u00d7 1" in exported.inner_text()
    assert "flag: unplanned property at properties.note" in exported.inner_text()
    exported.get_by_text("Scrubbed event").click()
    assert "ana@example.com" not in exported.inner_text()

    blocked = feed.locator("li.live-item[data-name='Order Completed']")
    blocked.wait_for()
    assert blocked.locator("[data-destination='segment']").get_attribute("data-action") == "drop"
    assert "plan violation" in blocked.inner_text()
    feed.locator("li.live-refused").wait_for()
    assert "Refused 401 unauthorized" in feed.inner_text()
    screenshot(page, "analyst-live-debugger")

    audit = gateway.admin("/admin/v1/audit?action=live.watch").json()["entries"]
    assert [(e["actor"], e["target"]) for e in audit] == [("Ana Lyst", "web")]
