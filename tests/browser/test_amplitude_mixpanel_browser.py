"""@amplitude/analytics-browser and mixpanel-browser from the npm registry, in headless Chromium, with the gateway as
their server: their events reach the fake vendors in the vendors' own formats, including events sent by sendBeacon
as the page is left."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.browser import PageServer
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import VENDOR_ENV, WRITE_KEY, GatewayProcess, vendors_policy
from tests.support.vendor_payloads import amplitude_events, mixpanel_events
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

AMPLITUDE_PAGE = """<!doctype html>
<html lang="en"><head><title>Shop</title>
<script src="/npm/@amplitude/analytics-browser/lib/scripts/amplitude-min.js"></script>
<script>
  amplitude.init(__KEY__, "user-7", {
    serverUrl: __HOST__ + "/2/httpapi",
    autocapture: false,
    fetchRemoteConfig: false,
    flushIntervalMillis: 100,
  });
</script></head>
<body><a id="away" href="/away.html">away</a></body></html>"""

MIXPANEL_PAGE = """<!doctype html>
<html lang="en"><head><title>Shop</title>
<script src="/npm/mixpanel-browser/dist/mixpanel.umd.js"></script>
<script>
  mixpanel.init(__KEY__, {api_host: __HOST__, batch_flush_interval_ms: 100, track_pageview: false});
</script></head>
<body><a id="away" href="/away.html">away</a></body></html>"""


def start(pages: PageServer, start_gateway: Callable[..., GatewayProcess], vendor: FakeVendor, protocol: str,
          html: str) -> tuple[GatewayProcess, str]:
    policy = vendors_policy({protocol: vendor.url})
    policy["sources"][0]["allowed_origins"] = [pages.url]
    gateway = start_gateway(policy, env=VENDOR_ENV)
    pages.add_page("away.html", "<!doctype html><title>Away</title>")
    url = pages.add_page("shop.html", html.replace("__KEY__", json.dumps(WRITE_KEY))
                         .replace("__HOST__", json.dumps(gateway.url)))
    return gateway, url


def test_amplitude_browser_sdk(page: Any, pages: PageServer, vendor: FakeVendor,
                               start_gateway: Callable[..., GatewayProcess]) -> None:
    _, url = start(pages, start_gateway, vendor, "amplitude", AMPLITUDE_PAGE)
    page.goto(url)
    page.evaluate("() => amplitude.track('Added To Cart', {sku: 'A-1'}).promise")
    identify = ("() => { const i = new amplitude.Identify(); i.set('plan', 'pro'); "
                "return amplitude.identify(i).promise }")
    page.evaluate(identify)
    # As the page is left: Amplitude has no flush on leave of its own; its beacon transport survives the unload.
    page.evaluate("() => { amplitude.setTransport('beacon'); amplitude.track('Left Shop'); amplitude.flush() }")
    page.click("#away")
    page.wait_for_url("**/away.html")

    def arrived() -> dict[str, dict] | None:
        events = {e["event_type"]: e for e in amplitude_events(vendor)}
        return events if {"Added To Cart", "$identify", "Left Shop"} <= set(events) else None

    events = wait_until(arrived, what="Amplitude events at the fake vendor")
    assert events["Added To Cart"]["event_properties"] == {"sku": "A-1"}
    assert events["Added To Cart"]["user_id"] == "user-7"
    assert events["$identify"]["user_properties"]["$set"] == {"plan": "pro"}
    assert all(e["insert_id"] for e in events.values())
    assert all(r.json()["api_key"] == VENDOR_ENV["AMPLITUDE_API_KEY"] for r in vendor.accepted())


def test_mixpanel_browser_sdk(page: Any, pages: PageServer, vendor: FakeVendor,
                              start_gateway: Callable[..., GatewayProcess]) -> None:
    _, url = start(pages, start_gateway, vendor, "mixpanel", MIXPANEL_PAGE)
    page.goto(url)
    page.evaluate("""() => new Promise(done => {
        mixpanel.identify('user-9');
        mixpanel.people.set({plan: 'pro'});
        mixpanel.track('Added To Cart', {sku: 'A-1'}, done);
    })""")
    # The profile update goes in the people queue's own batch (flushed every 100 ms while the page is open): waited
    # for before leaving, since the track's callback says nothing of it and a page left first never sends it.
    wait_until(lambda: any(r.path == "/engage" for r in vendor.accepted()), what="the profile update at /engage")
    # sendBeacon on the way out (mixpanel-browser's beacon carries form data labelled text/plain).
    page.evaluate(
        "() => mixpanel.track('Left Shop', {reason: 'test'}, {transport: 'sendBeacon', send_immediately: true})"
    )
    page.click("#away")
    page.wait_for_url("**/away.html")

    def arrived() -> dict[str, dict] | None:
        events = {e["event"]: e for e in mixpanel_events(vendor)}
        return events if {"Added To Cart", "Left Shop"} <= set(events) else None

    events = wait_until(arrived, what="Mixpanel events at the fake vendor")
    assert events["Added To Cart"]["properties"]["sku"] == "A-1"
    assert events["Added To Cart"]["properties"]["distinct_id"] == "user-9"
    assert events["Left Shop"]["properties"]["reason"] == "test"
    assert all(e["properties"]["$insert_id"] for e in events.values())
