"""posthog-js from the npm registry, in headless Chromium, with the gateway as its api_host: its events reach the
fake PostHog, its flags, config and lazily loaded recorder come through the gateway, and its session recording is
stored by the gateway and readable, its console output in the session's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.support.browser import PageServer
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import VENDOR_ENV, WRITE_KEY, GatewayProcess
from tests.support.posthog_js import PROJECT_KEY, FakePostHog, posthog_page, posthog_policy, until_recording
from tests.support.vendor_payloads import posthog_events
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

SHOP = """<h1>Shop</h1>
<form><label>Search <input id="q" name="q"></label><button id="go" type="button">Go</button></form>
<button id="add" onclick="const count = document.getElementById('count');
                          count.textContent = String(Number(count.textContent) + 1)">Add</button>
<span id="count">0</span>
<a id="away" href="/away.html">away</a>"""


def test_posthog_js_events_config_recorder_and_recording_go_through_the_gateway(
    page: Any, pages: PageServer, start_gateway: Callable[..., GatewayProcess], vendor: FakeVendor
) -> None:
    vendor.rule = FakePostHog()
    policy = posthog_policy(vendor.url, pages.url)
    policy["replay"] = {"analyze_after_idle_s": 3600}
    gateway = start_gateway(policy, env=VENDOR_ENV)
    pages.add_page("away.html", "<!doctype html><title>Away</title>")
    url = pages.add_page("shop.html", posthog_page(gateway.url, "Shop", SHOP, capture_pageview=True,
                                                   session_recording={"maskAllInputs": True}))
    page.goto(url)
    page.wait_for_function("() => window.posthog && window.posthog.__loaded")
    page.evaluate(
        "() => { posthog.identify('user-42', {plan: 'pro'}); posthog.capture('added to cart', {sku: 'A-1'}) }"
    )
    until_recording(page)
    page.evaluate("() => console.error('Checkout failed for ' + 'jane.roe@example.org')")  # consoleLogRecording
    page.fill("#q", "trail shoes")
    for _ in range(3):
        page.click("#add")
    # Sent by sendBeacon as the page is left (posthog-js's transport option for unload-time events).
    page.evaluate(
        "() => posthog.capture('left shop', {reason: 'test'}, {transport: 'sendBeacon', send_instantly: true})"
    )
    page.click("#away")
    page.wait_for_url("**/away.html")

    def events_arrived() -> dict[str, dict] | None:
        events = {e["event"]: e for e in posthog_events(vendor)}
        return events if {"$identify", "added to cart", "left shop"} <= set(events) else None

    events = wait_until(events_arrived, what="posthog-js events at the fake PostHog")
    assert events["added to cart"]["properties"]["sku"] == "A-1"
    added = events["added to cart"]
    assert (added.get("distinct_id") or added["properties"].get("distinct_id")) == "user-42"
    batches = [r for r in vendor.accepted() if r.path == "/batch/"]
    assert batches and all(r.json()["api_key"] == PROJECT_KEY for r in batches)
    leaked = [(r.path, r.query, r.body[r.body.find(WRITE_KEY.encode()) - 80:][:200]) for r in vendor.received()
              if WRITE_KEY.encode() in r.body or WRITE_KEY in str(r.query)]
    assert not leaked  # the app's key never left

    # Config and the recorder came through the gateway, the recording went to it.
    paths = [r.path for r in vendor.received()]
    assert any(p.startswith("/static/") for p in paths), paths
    assert any(p.startswith(f"/array/{PROJECT_KEY}/config") for p in paths), paths  # the key swapped on the way
    assert not any(p in ("/s", "/s/") for p in paths)  # recordings are the gateway's, not forwarded

    def stored() -> list[dict] | None:
        sessions = gateway.admin("/admin/v1/replay/sessions").json()["sessions"]
        return sessions if sessions and sessions[0]["clicks"] >= 3 else None

    [session] = wait_until(stored, what="the recording stored by the gateway")
    events_json = gateway.admin(f"/admin/v1/replay/sessions/{session['session_id']}/events").json()
    assert any(e["type"] == 2 for e in events_json)  # a full snapshot: playable
    assert b"trail shoes" not in orjson.dumps(events_json)  # typed text stays masked
    timestamps = [e["timestamp"] for e in events_json]
    assert timestamps == sorted(timestamps)
    # posthog-js's console recording (remote config consoleLogRecordingEnabled) reaches the timeline, scrubbed.
    console = gateway.admin(f"/admin/v1/replay/sessions/{session['session_id']}/console").json()["entries"]
    assert ("error", "Checkout failed for [EMAIL]") in {(e["level"], e["message"]) for e in console}
    assert b"jane.roe" not in orjson.dumps(events_json)


SIGN_UP = """<h1>Sign up</h1>
<form><label>E-mail <input id="email" name="email"></label>
<button id="join" type="button" onclick="document.getElementById('done').textContent =
  'Welcome ' + 'aboard, ' + document.getElementById('email').value">Join</button></form>
<p id="done"></p>"""

TYPED_EMAIL = "jane.roe@example.org"


def posthog_snapshots(vendor: FakeVendor) -> list[dict[str, Any]]:
    """The `$snapshot` events the fake PostHog received at `/s/`, read as PostHog's capture reads them
    (reference/vendor-wire-formats.md): `{api_key, batch, sent_at}` with the project key, each event a `$snapshot`
    with a distinct id, a uuid, and properties `$snapshot_data` (rrweb events with a numeric type and timestamp),
    `$session_id`, `$window_id`, `$snapshot_bytes`, `$lib`."""
    snapshots = []
    for request in vendor.accepted():
        if request.path != "/s/":
            continue
        body = request.json()
        assert body["api_key"] == PROJECT_KEY and isinstance(body["sent_at"], str)
        for event in body["batch"]:
            properties = event["properties"]
            assert event["event"] == "$snapshot" and isinstance(event["uuid"], str)
            assert event["distinct_id"] and isinstance(properties["$window_id"], str)
            assert isinstance(properties["$snapshot_bytes"], int) and isinstance(properties["$lib"], str)
            assert all(isinstance(e["type"], int) and isinstance(e["timestamp"], int)
                       for e in properties["$snapshot_data"])
            snapshots.append(event)
    return snapshots


def test_a_posthog_destination_with_replay_receives_the_session_as_snapshot_events_scrubbed(
    page: Any, pages: PageServer, start_gateway: Callable[..., GatewayProcess], vendor: FakeVendor
) -> None:
    vendor.rule = FakePostHog()
    policy = posthog_policy(vendor.url, pages.url)
    policy["destinations"][0]["replay"] = True
    policy["replay"] = {"analyze_after_idle_s": 3600}
    gateway = start_gateway(policy, env=VENDOR_ENV)
    url = pages.add_page("signup.html", posthog_page(gateway.url, "Sign up", SIGN_UP,
                                                     session_recording={"maskAllInputs": False}))
    page.goto(url)
    until_recording(page)
    session_id = page.evaluate("() => posthog.get_session_id()")
    page.fill("#email", TYPED_EMAIL)  # posthog-js sends what is typed in clear (maskAllInputs: false)
    page.click("#join")  # and the page shows it back, in a mutation's text
    page.wait_for_function("() => document.getElementById('done').textContent.startsWith('Welcome aboard, jane')")

    def session_arrived() -> list[dict[str, Any]] | None:
        snapshots = [s for s in posthog_snapshots(vendor) if s["properties"]["$session_id"] == session_id]
        data = [e for s in snapshots for e in s["properties"]["$snapshot_data"]]
        full = any(e["type"] == 2 for e in data)
        clicked = any(e["type"] == 3 and e["data"].get("source") == 2 for e in data)
        shown = b"Welcome aboard, " in orjson.dumps(data)  # the mutation that shows the e-mail
        return snapshots if full and clicked and shown else None

    snapshots = wait_until(session_arrived, what="the session's $snapshot events at the fake PostHog")
    forwarded = [e for s in snapshots for e in s["properties"]["$snapshot_data"]]
    typed = [e for e in forwarded if e["type"] == 3 and e["data"].get("source") == 5]  # input events
    assert typed and all(set(e["data"]["text"]) == {"*"} for e in typed)
    # Scrubbed by the gateway, stored, forwarded: masked as the field is when the request that shows it carries the
    # typing too (posthog-js usually flushes both together), else found by the PII engine.
    sent_on = orjson.dumps(forwarded)
    assert b"Welcome aboard, " + b"*" * len(TYPED_EMAIL) in sent_on or b"Welcome aboard, [EMAIL]" in sent_on
    received = b"".join(r.body for r in vendor.received() if r.path == "/s/")
    assert TYPED_EMAIL.encode() not in received and b"jane.roe" not in received
    assert all(s["distinct_id"] == snapshots[0]["distinct_id"] for s in snapshots)

    # What was forwarded is what the gateway stored: the same rrweb events of the session.
    stored = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/events").json()
    assert {(e["type"], e["timestamp"]) for e in forwarded} <= {(e["type"], e["timestamp"]) for e in stored}
    # Outbox rows like events: delivered, so nothing is left queued.
    def queued() -> int:
        [posthog_row] = gateway.admin("/admin/v1/outbox").json()["destinations"]
        return int(posthog_row["queued"]) + int(posthog_row["dead_letters"])

    wait_until(lambda: queued() == 0, what="the outbox to drain")
