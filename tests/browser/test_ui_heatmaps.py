"""A UX designer opens the heatmaps of a page: the 39 real recordings of fixtures/spa-corpus go through the real
endpoint of a real gateway, which analyses them; the page is rebuilt from a recorded view and the rage clicks are
painted over it; the CSV and JSON downloads hold the same cells as the API, and nothing names a session or a person
(issue 18). The screenshot goes to tests/browser/screenshots/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.test_ui_accessibility import check_page
from tests.browser.test_ui_flows import NAMES, PLAYER_ASSET, screenshot, sign_in, ui_policy
from tests.e2e.test_replay_native import post_events
from tests.support.browser import skip_or_fail
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

CORPUS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "spa-corpus").glob("sess_*.json"))


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    if not PLAYER_ASSET.is_file():
        skip_or_fail("the web UI's rrweb-player is missing (run `make test`, which installs gateway/ui's npm assets)")
    vendor = FakeVendor().start()
    process = GatewayProcess(tmp_path_factory.mktemp("ui-heatmaps"), ui_policy(vendor.url)).start()
    try:
        for path in CORPUS:
            recording = json.loads(path.read_text())
            assert post_events(process, recording["session_id"], recording["events"]).status_code == 200

        def analysed() -> bool:
            sessions = process.admin("/admin/v1/replay/sessions?limit=100").json()["sessions"]
            return len(sessions) == len(CORPUS) and all(fully_analysed(s) for s in sessions)

        wait_until(analysed, timeout=120, what="every recording analysed")
        yield process
    finally:
        process.close()
        vendor.stop()



def test_a_ux_designer_sees_where_people_rage_click_on_a_page(browser_page: Any, gateway: GatewayProcess) -> None:
    ux = gateway.admin  # the admin token may read what the ux role reads
    pages = ux("/admin/v1/reports/heatmaps").json()["pages"]
    top = max(pages, key=lambda p: p["rage_clicks"])
    page_url, layout = top["page_url"], top["layout"]
    heatmap = ux("/admin/v1/reports/heatmaps/page?" + urlencode({"page": page_url, "layout": layout})).json()
    rage_cells = [c for c in heatmap["cells"] if c["kind"] == "rage_click"]
    assert heatmap["rage_clicks"] == sum(c["clicks"] for c in rage_cells) > 0
    signals = gateway.admin("/admin/v1/replay/sessions?signal=rage_click&limit=100").json()["sessions"]
    placed = sum(s["signals"]["rage_click"] for s in signals)
    assert sum(p["rage_clicks"] for p in pages) <= placed  # one per rage click at most; keyboard clicks have no place

    page = browser_page
    sign_in(page, gateway, "ux")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Heatmaps").click()
    page.wait_for_url("**/ui/reports/heatmaps")
    page.get_by_label("Page", exact=True).select_option(page_url)
    page.get_by_label("Layout", exact=True).select_option(layout)
    page.get_by_label("Show", exact=True).select_option("rage_click")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/ui/reports/heatmaps?*layer=rage_click*")
    page.wait_for_selector("#heatmap[data-state=ready][data-painted]")
    assert page.locator("#heatmap").get_attribute("data-painted") == str(len(rage_cells))
    page.frame_locator("#heatmap iframe").locator("body").wait_for(state="attached")  # the page, rebuilt
    assert page.locator("#heat-areas tbody tr").count() == min(15, len(rage_cells))
    screenshot(page, "ux-heatmap-rage-clicks")
    check_page(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Heatmap CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {(r["kind"], int(r["x_bin"]), int(r["y_bin"]), int(r["clicks"])) for r in rows} == \
        {(c["kind"], c["x_bin"], c["y_bin"], c["clicks"]) for c in heatmap["cells"]}
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported == heatmap
    text = json.dumps(exported) + json.dumps(rows)
    assert not any(p.stem in text for p in CORPUS)  # no session id in the aggregates

    snapshot_reads = gateway.admin("/admin/v1/audit?action=replay.read_page_snapshot").json()["entries"]
    assert NAMES["ux"] in {e["actor"] for e in snapshot_reads}
