"""Heatmaps through the admin API of a real gateway: two people's clicks on the same page summed per cell with no
session or person in the answer, CSV export, the snapshot the page is drawn over (the DOM only, nothing the person
did), the UX role only, and every read audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.e2e.test_replay_native import post_events, replay_policy
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess, sha256
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

T = 1_795_000_000_000
PAGE = "https://shop.example/cart"
TOKENS = {"ux": "pgw_heat_ux", "support": "pgw_heat_support"}


def recording(start: int, person: str) -> dict[str, Any]:
    button = {"type": 2, "id": 3, "tagName": "button", "attributes": {"type": "button"},
              "childNodes": [{"type": 3, "id": 4, "textContent": "Pay now"}]}
    events = [
        {"type": 4, "timestamp": start, "data": {"href": PAGE + "?order=9", "width": 1280, "height": 800}},
        {"type": 2, "timestamp": start + 1, "data": {"initialOffset": {"top": 0, "left": 0}, "node": {
            "type": 0, "id": 1, "childNodes": [{"type": 2, "id": 2, "tagName": "body", "attributes": {},
                                                 "childNodes": [button]}]}}},
        {"type": 3, "timestamp": start + 500, "data": {"source": 1, "positions": [{"x": 5, "y": 5, "id": 2,
                                                                                   "timeOffset": 0}]}},
        {"type": 3, "timestamp": start + 1000, "data": {"source": 2, "type": 2, "id": 3, "x": 640, "y": 105}},
        {"type": 3, "timestamp": start + 1100, "data": {"source": 0, "texts": [], "removes": [], "adds": [],
                                                        "attributes": [{"id": 3, "attributes": {"class": "busy"}}]}},
        {"type": 3, "timestamp": start + 9000, "data": {"source": 1, "positions": [{"x": 9, "y": 9, "id": 2,
                                                                                    "timeOffset": 0}]}},
    ]
    return {"events": events, "userId": person}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    vendor = FakeVendor().start()
    policy = replay_policy(vendor.url, analyze_after_idle_s=0.5)  # heatmaps, like the report, follow the idle pass
    policy["access"]["tokens"] += [{"name": role, "role": role, "sha256": sha256(token)}
                                   for role, token in TOKENS.items()]
    process = GatewayProcess(tmp_path_factory.mktemp("heatmaps"), policy).start()
    for i, person in enumerate(("user-ann", "user-bo")):
        assert post_events(process, f"heat-{person}", recording(T + i * 60_000, person)).status_code == 200

    def analysed() -> bool:
        sessions = process.admin("/admin/v1/replay/sessions").json()["sessions"]
        return len(sessions) == 2 and all(fully_analysed(s) for s in sessions)

    wait_until(analysed, what="both sessions analysed")
    yield process
    process.close()
    vendor.stop()


def get(gateway: GatewayProcess, path: str, role: str = "ux", **query: str) -> Any:
    return gateway.admin(f"/admin/v1/reports/heatmaps{path}?{urlencode(query)}", token=TOKENS[role])


def test_both_peoples_clicks_are_summed_in_one_cell_with_no_session_or_person(gateway: GatewayProcess) -> None:
    pages = get(gateway, "").json()["pages"]
    assert pages == [{"page_url": PAGE, "layout": "desktop", "clicks": 2, "rage_clicks": 0, "dead_clicks": 0}]
    heatmap = get(gateway, "/page", page=PAGE).json()
    assert heatmap == {"page_url": PAGE, "layout": "desktop", "x_bins": 50, "y_bin_px": 20, "clicks": 2,
                       "rage_clicks": 0, "dead_clicks": 0,
                       "cells": [{"kind": "click", "x_bin": 25, "y_bin": 5, "clicks": 2}]}
    assert get(gateway, "/page", page=PAGE, layout="phone").json()["cells"] == []

    exported = get(gateway, "/page", page=PAGE, format="csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(exported.text))) == [
        {"page_url": PAGE, "layout": "desktop", "kind": "click", "x_bin": "25", "y_bin": "5",
         "x_from_percent": "50.0", "y_from_px": "100", "clicks": "2"}]
    assert "heat-user" not in str(pages) + str(heatmap) + exported.text


def test_the_snapshot_rebuilds_the_page_without_what_the_person_did(gateway: GatewayProcess) -> None:
    events = get(gateway, "/snapshot", page=PAGE).json()
    assert [e["type"] for e in events] == [4, 2, 3]  # the page load, its DOM, the DOM change: no pointer, no click
    assert events[2]["data"]["source"] == 0
    [read] = gateway.admin("/admin/v1/audit?action=replay.read_page_snapshot").json()["entries"]
    assert read["actor"] == "ux" and read["target"] == "heat-user-bo"  # the latest view: a read of that session
    assert get(gateway, "/snapshot", page="https://shop.example/nowhere").status_code == 404


def test_the_ux_role_only_and_a_page_is_required(gateway: GatewayProcess) -> None:
    assert get(gateway, "", role="support").status_code == 403
    assert get(gateway, "/snapshot", role="support", page=PAGE).status_code == 403
    missing = get(gateway, "/page")
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    audited = gateway.admin("/admin/v1/audit?action=reports.heatmaps").json()["entries"]
    assert audited and {e["actor"] for e in audited} == {"ux"}
