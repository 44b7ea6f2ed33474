"""@segment/analytics-next from the npm registry, in headless Chromium, sends through the gateway to a Segment
vendor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.browser import NODE_MODULES, PageServer
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><title>Shop</title>
<script src="/npm/@segment/analytics-next/dist/umd/index.js"></script>
<script>
  const settings = __SETTINGS__;
  window.analytics = window.AnalyticsNext.AnalyticsBrowser.load(settings, {});
  window.analytics.page("Home", {section: "landing"});
</script></head>
<body><a id="away" href="/away.html">away</a></body></html>"""


def load_settings(gateway: GatewayProcess, pages: PageServer, strategy: dict[str, Any] | None) -> str:
    segmentio: dict[str, Any] = {"apiKey": WRITE_KEY, "apiHost": gateway.url.removeprefix("http://") + "/v1",
                                 "protocol": "http"}
    if strategy:
        segmentio["deliveryStrategy"] = strategy
    return json.dumps({
        "writeKey": WRITE_KEY,
        "cdnURL": pages.url,  # lazy bundles come from the page server, not Segment's CDN
        "cdnSettings": {"integrations": {"Segment.io": segmentio}},
    })


@pytest.mark.parametrize("strategy", [None, {"strategy": "batching", "config": {"size": 3, "timeout": 200}}],
                         ids=["per-event", "batching"])
def test_analytics_next_events_reach_the_vendor_including_on_page_leave(
    page: Any, pages: PageServer, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess],
    strategy: dict[str, Any] | None,
) -> None:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["allowed_origins"] = [pages.url]
    gateway = start_gateway(policy)
    pages.alias("analytics-next/bundles", NODE_MODULES / "@segment/analytics-next/dist/umd")
    pages.add_page("away.html", "<!doctype html><title>Away</title>")
    url = pages.add_page("shop.html", PAGE.replace("__SETTINGS__", load_settings(gateway, pages, strategy)))

    page.goto(url)
    page.evaluate("""async () => {
        await window.analytics.identify("user-42", {plan: "pro"});
        await window.analytics.track("Added To Cart", {sku: "SKU-1", price: 12.5});
    }""")
    # Sent as the page is left: analytics-next uses fetch keepalive, which survives the navigation.
    page.evaluate("window.analytics.track('Left Shop', {reason: 'test'})")
    page.click("#away")
    page.wait_for_url("**/away.html")

    def arrived() -> dict[str, dict[str, Any]] | None:
        events = {e.get("event") or e["type"]: e for e in vendor.segment_events()}
        return events if {"page", "identify", "Added To Cart", "Left Shop"} <= set(events) else None

    events = wait_until(arrived, what="the browser's events at the vendor")
    assert events["Added To Cart"]["properties"] == {"sku": "SKU-1", "price": 12.5}
    assert events["identify"]["traits"]["plan"] == "pro" and events["identify"]["userId"] == "user-42"
    assert events["Added To Cart"]["userId"] == "user-42"
    assert events["page"]["name"] == "Home"
    assert events["page"]["context"]["library"]["name"] == "analytics.js"
    assert all(e["messageId"] for e in events.values())
