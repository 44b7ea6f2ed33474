"""The dead letters page in Chromium, as an admin uses it: landmarks, labels, contrast and keyboard access on the list
and on one dead letter, and a redrive by keyboard and mouse alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.browser.test_ui_accessibility import check_keyboard, check_page
from tests.support import ingest
from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.gateway_process import ADMIN_TOKEN, WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser


def refuse_poison(request: Recorded) -> Answer | None:
    if b'"poison":true' in request.body:
        return Answer(400, b'{"code":"invalid","message":"property poison is not allowed"}')
    return None


@pytest.fixture
def refused(tmp_path: Path) -> Iterator[tuple[GatewayProcess, FakeVendor]]:
    vendor = FakeVendor().start()
    vendor.rule = refuse_poison
    gateway = GatewayProcess(tmp_path, segment_policy(vendor.url)).start()
    try:
        body = {"writeKey": WRITE_KEY, "batch": [
            {"type": "track", "event": "Viewed", "userId": "u-1", "messageId": f"m-{i}",
             "properties": {"poison": True} if i % 2 else {}} for i in range(6)]}
        assert ingest.post(gateway.url + "/v1/batch", content=orjson.dumps(body)).status_code == 200
        wait_until(lambda: sum(gateway.admin("/admin/v1/dead-letters").json()["counts"].values()) == 3,
                   what="three dead letters")
        yield gateway, vendor
    finally:
        gateway.close()
        vendor.stop()


def test_an_admin_reads_and_redrives_dead_letters_with_an_accessible_page(
    page: Any, refused: tuple[GatewayProcess, FakeVendor]
) -> None:
    gateway, vendor = refused
    page.goto(gateway.url + "/ui/")
    page.get_by_label("Access token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Dead letters").click()
    page.wait_for_url("**/ui/dead-letters")
    check_page(page)
    check_keyboard(page)

    page.locator("table.compact tbody a").first.click()  # the newest: its id links to it
    page.wait_for_url("**/ui/dead-letters/*")
    assert "property poison is not allowed" in page.content()
    check_page(page)
    check_keyboard(page)

    vendor.rule = None
    page.get_by_role("link", name="← Dead letters").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Redrive the ticked").click()
    page.wait_for_url("**/ui/dead-letters?*")
    assert page.get_by_role("status").inner_text().startswith("1 redriven.")
    wait_until(lambda: len(vendor.message_ids() & {"m-1", "m-3", "m-5"}) == 1, what="the ticked one delivered")
