"""A recording that holds an e-mail address everywhere rrweb puts a page's words (data-* and aria-* attributes, a
form's action URL, a custom event, text that repeats what was typed into a field) is stored without it, through the
native endpoint and through PostHog's /s/."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest

from tests.e2e.test_replay_native import post_events, posthog_pack, replay_policy
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess

pytestmark = pytest.mark.e2e

EMAIL = "jane.roe@example.org"
T = 1_795_000_000_000


def recording() -> list[dict[str, Any]]:
    form = {"type": 2, "id": 3, "tagName": "form", "attributes": {
        "action": f"https://app.example/subscribe?email={EMAIL}", "data-user": EMAIL, "aria-label": f"Account {EMAIL}",
        "class": "signup"}, "childNodes": [
        {"type": 2, "id": 4, "tagName": "input", "attributes": {"type": "search", "name": "q"}, "childNodes": []},
        {"type": 2, "id": 5, "tagName": "p", "attributes": {}, "childNodes": []}]}
    return [
        {"type": 4, "timestamp": T, "data": {"href": "https://app.example/", "width": 1280, "height": 800}},
        {"type": 2, "timestamp": T + 1, "data": {"initialOffset": {"top": 0, "left": 0}, "node": {
            "type": 0, "id": 1, "childNodes": [{"type": 2, "id": 2, "tagName": "body", "attributes": {},
                                                 "childNodes": [form]}]}}},
        # typed into the (masked) search field, then echoed by the page in a new text node
        {"type": 3, "timestamp": T + 2, "data": {"source": 5, "id": 4, "text": EMAIL, "isChecked": False}},
        {"type": 3, "timestamp": T + 3, "data": {"source": 0, "texts": [], "attributes": [], "removes": [], "adds": [
            {"parentId": 5, "nextId": None, "node": {"type": 3, "id": 6, "textContent": f"3 results for “{EMAIL}”"}}]}},
        {"type": 5, "timestamp": T + 4, "data": {"tag": "signup", "payload": {"email": EMAIL, "plan": "pro",
                                                                              "note": f"from {EMAIL}"}}},
    ]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    vendor = FakeVendor().start()
    process = GatewayProcess(tmp_path_factory.mktemp("replay-privacy"), replay_policy(vendor.url)).start()
    yield process
    process.close()
    vendor.stop()


def assert_stored_without_the_address(gateway: GatewayProcess, session_id: str) -> None:
    stored = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/events").json()
    assert len(stored) == 5
    text = orjson.dumps(stored).decode()
    assert EMAIL not in text and "jane.roe" not in text
    form = stored[1]["data"]["node"]["childNodes"][0]["childNodes"][0]
    assert form["attributes"]["class"] == "signup"  # structure is kept
    assert form["attributes"]["action"].startswith("https://app.example/subscribe?email=")
    assert stored[3]["data"]["adds"][0]["node"]["textContent"].startswith("3 results for “")
    assert stored[4]["data"]["tag"] == "signup" and stored[4]["data"]["payload"]["plan"] == "pro"


def test_native_endpoint(gateway: GatewayProcess) -> None:
    assert post_events(gateway, "privacy-native", recording()).status_code == 200
    assert_stored_without_the_address(gateway, "privacy-native")


def test_posthog_snapshot_path(gateway: GatewayProcess) -> None:
    body = [{"event": "$snapshot", "distinct_id": "someone", "properties": {
        "$snapshot_data": [posthog_pack(e) for e in recording()], "$session_id": "privacy-posthog",
        "$window_id": "w-1", "token": WRITE_KEY}}]
    response = ingest.post(f"{gateway.url}/s/?compression=gzip-js&ver=1.449.2",
                           content=gzip.compress(orjson.dumps(body)), headers={"Content-Type": "text/plain"})
    assert response.status_code == 200, response.text
    assert_stored_without_the_address(gateway, "privacy-posthog")
