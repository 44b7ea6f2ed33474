"""posthog-js in headless Chromium recording into a gateway whose recordings are on object storage (SeaweedFS on
loopback): the recording is stored in objects holding only ciphertext, read back event by event and analysed, and a
deletion of the person destroys their key, so that the objects still hold the bytes and nothing opens them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.e2e.test_replay_objects import bucket_objects, query, s3_env
from tests.e2e.test_replay_shredding import MASTER, MASTER_ENV, deleted, opened_by_a_key_left
from tests.support.browser import PageServer
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import VENDOR_ENV, GatewayProcess
from tests.support.posthog_js import FakePostHog, posthog_page, posthog_policy, until_recording
from tests.support.seaweedfs import S3Bucket, SeaweedFS
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

PERSON = "ada-on-s3"
TYPED = "trail shoes size 44"

SHOP = """<h1>Shop</h1>
<form><label>Search <input id="q" name="q"></label></form>
<button id="add" onclick="const count = document.getElementById('count');
                          count.textContent = String(Number(count.textContent) + 1)">Add</button>
<span id="count">0</span>
<button id="nothing" type="button">Compare</button>
<a id="away" href="/away.html">away</a>"""


def stored_events(gateway: GatewayProcess, session_id: str) -> list[dict[str, Any]]:
    """The session's rrweb events as the gateway stored them; none before its first chunk is stored."""
    response = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/events")
    events: list[dict[str, Any]] = response.json() if response.status_code == 200 else []
    return events


def after_first_click(events: list[dict[str, Any]], within_ms: int = 2_500) -> list[tuple[int, int, Any]]:
    """(ms after the click, type, incremental source) of each event within `within_ms` of the first click."""
    clicks = [e["timestamp"] for e in events if e["type"] == 3 and e["data"].get("source") == 2
              and e["data"].get("type") == 2]
    return [(e["timestamp"] - clicks[0], e["type"], e["data"].get("source")) for e in events
            if clicks and 0 < e["timestamp"] - clicks[0] <= within_ms]


def test_posthog_js_recordings_on_s3_are_read_back_analysed_and_shredded_by_a_deletion(
    page: Any, pages: PageServer, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS,
    s3_bucket: S3Bucket, vendor: FakeVendor
) -> None:
    vendor.rule = FakePostHog()
    policy = posthog_policy(vendor.url, pages.url)
    policy["replay"] = {"analyze_after_idle_s": 1.0, "unmasked_inputs": ["input[name=q]"],
                        "storage": {"backend": "s3", "endpoint": s3_bucket.endpoint_url, "bucket": s3_bucket.name,
                                    "sweep_interval_s": 0.5, "inline_below": 0}}  # every flush an object
    gateway = start_gateway(policy, env=VENDOR_ENV | s3_env(s3_bucket) | {MASTER_ENV: MASTER})
    pages.add_page("away.html", "<!doctype html><title>Away</title>")
    url = pages.add_page("shop.html", posthog_page(
        gateway.url, "Shop", SHOP, capture_pageview=True, session_recording={"maskAllInputs": False},
        # No surveys: posthog-js would add their script to the page once recording, a mutation that answers a click
        # within 2.5 s of it (the dead click below found alive on a slower moment).
        disable_surveys=True, bootstrap={"distinctID": PERSON, "isIdentifiedID": True}))
    page.goto(url)
    until_recording(page)
    session_id = page.evaluate("() => posthog.get_session_id()")
    page.click("#nothing")
    # The user waits past the dead-click timeout (2.5 s) before going on: the time passing is what makes the click
    # dead, so it is waited for, not polled.
    page.wait_for_timeout(3_000)
    page.fill("#q", TYPED)  # kept as typed (the policy unmasks it): what the scans below look for
    for _ in range(3):
        page.click("#add")
    page.click("#away")
    page.wait_for_url("**/away.html")

    def analysed() -> dict[str, Any] | None:
        response = gateway.admin(f"/admin/v1/replay/sessions/{session_id}")  # 404 until its first chunk is stored
        session: dict[str, Any] = response.json() if response.status_code == 200 else {"clicks": 0}
        return session if session["clicks"] >= 4 and fully_analysed(session) else None

    session = wait_until(analysed, what="the recording stored and analysed")
    events = stored_events(gateway, session_id)
    # The button that does nothing. Should the page answer it after all, the events that came within the dead-click
    # timeout say how.
    assert session["signals"].get("dead_click") == 1, (session["signals"], after_first_click(events))

    # Stored in the bucket, none of it in the database, read back event by event with the typed text.
    objects = bucket_objects(seaweedfs, s3_bucket)
    assert objects and set(objects) == {key for (key,) in query(gateway, "SELECT key FROM replay_objects")}
    assert query(gateway, "SELECT count(*) FROM replay_blobs") == [(0,)]
    assert any(e["type"] == 2 for e in events)  # a full snapshot: playable
    assert TYPED in orjson.dumps(events).decode()
    timestamps = [e["timestamp"] for e in events]
    assert timestamps == sorted(timestamps)
    for data in objects.values():  # ciphertext only: neither the typed value nor the person in clear
        assert TYPED.encode() not in data and PERSON.encode() not in data
    chunks = query(gateway, """
        SELECT c.id, c.dictionary_id, c.digest, c.key_id, o.key, s.object_offset, c.stored_bytes
        FROM replay_chunks c JOIN replay_spans s ON s.chunk_id = c.id JOIN replay_objects o ON o.id = s.object
        WHERE c.session_id = '""" + session_id.replace("'", "''") + "'")
    assert chunks

    assert deleted(gateway, PERSON)["stores"]["replay"]["deleted"] == 1
    assert gateway.admin(f"/admin/v1/replay/sessions/{session_id}").status_code == 404

    # Her chunks' bytes as they were in the bucket: no key the gateway still holds opens any of them.
    remaining = {key_id for (key_id,) in query(gateway, "SELECT key_id FROM replay_keys")}
    assert not {key_id for *_, key_id, _, _, _ in chunks} & remaining  # her key is destroyed
    hers = [(chunk_id, dict_id, session_id, digest, key_id, objects[key][offset : offset + length])
            for chunk_id, dict_id, digest, key_id, key, offset, length in chunks]
    assert not opened_by_a_key_left(gateway.data_dir / "gateway.sqlite3", MASTER, hers)
