"""A support agent sees what the page logged beside the player: the console error that followed a click, marked as
the cause of the error click, and plays the moment (issue 18). The recording is a real rrweb recording with rrweb's
console plugin (fixtures/spa-corpus: a "Save" whose handler throws), ingested through the real endpoint of a real
gateway, which analyses it itself; a log line carrying an e-mail shows it arrives scrubbed. The screenshot goes to
tests/browser/screenshots/ (git-ignored)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_ui_accessibility import check_page
from tests.browser.test_ui_flows import LEAD_IN_MS, NAMES, PLAYER_ASSET, screenshot, sign_in, ui_policy
from tests.e2e.test_replay_native import post_events
from tests.support.browser import skip_or_fail
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

RECORDING = Path(__file__).resolve().parents[2] / "fixtures" / "spa-corpus" / "sess_d91f95373fc8.json"
SESSION = "sess-save-throws"
EMAIL = "maria.lopez@example.com"


def recording_with_a_personal_log_line() -> list[dict[str, Any]]:
    events = copy.deepcopy(json.loads(RECORDING.read_text())["events"])
    at = events[len(events) // 3]["timestamp"]
    events.append({"type": 6, "timestamp": at, "data": {"plugin": "rrweb/console@1", "payload": {
        "level": "warn", "payload": [json.dumps(f"draft not saved for {EMAIL}")], "trace": []}}})
    return sorted(events, key=lambda e: e["timestamp"])


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    if not PLAYER_ASSET.is_file():
        skip_or_fail("the web UI's rrweb-player is missing (run `make test`, which installs gateway/ui's npm assets)")
    vendor = FakeVendor().start()
    process = GatewayProcess(tmp_path_factory.mktemp("ui-console"), ui_policy(vendor.url)).start()
    try:
        assert post_events(process, SESSION, recording_with_a_personal_log_line()).status_code == 200
        wait_until(lambda: process.admin(f"/admin/v1/replay/sessions/{SESSION}").json()["signals"].get("error_click"),
                   what="the error click found")
        yield process
    finally:
        process.close()
        vendor.stop()



def test_a_console_error_shows_next_to_the_error_click_it_caused(browser_page: Any, gateway: GatewayProcess) -> None:
    page = browser_page
    sign_in(page, gateway, "support")
    page.goto(f"{gateway.url}/ui/sessions/{SESSION}")
    page.wait_for_selector("#player[data-state=ready] .rr-player")

    signals = gateway.admin(f"/admin/v1/replay/sessions/{SESSION}/signals").json()["signals"]
    error_click = next(s for s in signals if s["kind"] == "error_click")
    caused = page.locator(".console-entry.caused")
    assert caused.count() == 1
    assert "Uncaught TypeError: Cannot read properties of null (reading 'focus')" in caused.inner_text()
    assert f"after a click on {error_click['description']}" in " ".join(caused.inner_text().split())
    assert caused.get_by_role("link", name="signal").get_attribute("href") == f"#signal-{error_click['id']}"
    assert page.locator(f"#signal-{error_click['id']}").is_visible()  # the click itself, in the signals list

    warning = page.locator(".console-entry.level-warn")
    assert "draft not saved for" in warning.inner_text()
    assert "maria" not in page.content().lower()  # scrubbed on ingest, before anyone could read it

    caused.get_by_role("button").click()
    first_ts = int(page.locator("#player").get_attribute("data-start"))
    error_at = error_click["timestamp"] + error_click["details"]["time_to_error_ms"]
    assert page.locator("#player").get_attribute("data-seeked-to") == str(max(0, error_at - first_ts - LEAD_IN_MS))
    assert "current" in caused.get_attribute("class")
    page.evaluate("window.gatewayPlayer.pause()")
    screenshot(page, "support-console-error-click")
    check_page(page)

    reads = gateway.admin(f"/admin/v1/audit?action=replay.read_console&target={SESSION}").json()["entries"]
    assert NAMES["support"] in {e["actor"] for e in reads}


def test_a_support_agent_shares_the_moment_of_the_error(browser_page: Any, gateway: GatewayProcess) -> None:
    page = browser_page
    sign_in(page, gateway, "support")
    page.goto(f"{gateway.url}/ui/sessions/{SESSION}")
    page.wait_for_selector("#player[data-state=ready] .rr-player")
    page.locator(".console-entry.caused").get_by_role("button").click()
    page.evaluate("window.gatewayPlayer.pause()")
    moment = page.evaluate("Math.round(window.gatewayPlayer.getReplayer().getCurrentTime())")
    page.get_by_role("button", name="Share this moment").click()
    page.wait_for_url(f"**/ui/sessions/{SESSION}?at=*&shared=1")
    link = page.get_by_label("Link to this session at").input_value()
    assert link == f"{gateway.url}/ui/sessions/{SESSION}?at={moment}"
    [shared] = gateway.admin(f"/admin/v1/audit?action=replay.share&target={SESSION}").json()["entries"]
    assert shared["actor"] == NAMES["support"] and shared["details"] == {"at_ms": moment}

    page.goto(link)  # as a colleague opens it: the player starts at that moment
    page.wait_for_selector("#player[data-state=ready] .rr-player")
    assert page.locator("#player").get_attribute("data-seeked-to") == str(moment)
    assert page.evaluate("window.gatewayPlayer.getReplayer().getCurrentTime()") >= moment - 1
