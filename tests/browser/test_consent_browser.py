"""Consent from a real browser page with @segment/analytics-next, through the gateway, in headless Chromium.

- A visitor's consent banner records consent with the page's public write key, for the visitor's device
  (analytics.js's anonymousId). It follows that device's events, also after identify; it does not reach the user id
  on its own (a server-side event for the same user stays held back).
- A logged-in page gets a signed consent token from its own backend and posts it: consent for the user, on every
  device and from the server too.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from segment.analytics import Client

from tests.browser.test_segment_browser import PAGE, load_settings
from tests.support.browser import NODE_MODULES, PageServer
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import SERVER_KEY, WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

TOKEN_KEY = "the-shops-backend-signs-consent-with-this-secret"

# What a consent banner does on "Accept analytics": tell the gateway, for this browser's device.
BANNER = """async (gateway) => {
    const user = await window.analytics.user();
    const answer = await fetch(gateway + "/v1/consent", {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({writeKey: __KEY__, anonymousId: user.anonymousId(), granted: ["analytics"],
                              source: "banner"})});
    return [answer.status, await answer.json(), user.anonymousId()];
}"""

# What a logged-in page does: ask its own backend for a signed token of the user's choice, and post it.
LOGGED_IN = """async (gateway) => {
    const token = await (await fetch("/session/consent-token?granted=analytics")).text();
    const answer = await fetch(gateway + "/v1/consent", {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({writeKey: __KEY__, token: token})});
    return [answer.status, await answer.json()];
}"""


def shop(pages: PageServer, gateway: GatewayProcess) -> str:
    pages.alias("analytics-next/bundles", NODE_MODULES / "@segment/analytics-next/dist/umd")
    return pages.add_page("shop.html", PAGE.replace("__SETTINGS__", load_settings(gateway, pages, None)))


def opt_in(vendor: FakeVendor, pages: PageServer) -> dict[str, Any]:
    policy = segment_policy(vendor.url)
    policy["sources"][0]["consent_model"] = "opt-in"
    policy["sources"][0]["allowed_origins"] = [pages.url]
    return policy


def server_side_track(gateway: GatewayProcess, user: str, message_id: str) -> None:
    """The shop's backend reports an order for the user with analytics-python and the server key."""
    client = Client(SERVER_KEY, host=gateway.url, upload_interval=0.05)
    client.track(user_id=user, event="Order Shipped", message_id=message_id)
    client.shutdown()


def test_a_visitor_consents_for_their_device_and_it_follows_the_device_after_identify(
    page: Any, pages: PageServer, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess],
) -> None:
    gateway = start_gateway(opt_in(vendor, pages))
    page.goto(shop(pages, gateway))
    status, answer, device = page.evaluate(BANNER.replace("__KEY__", json.dumps(WRITE_KEY)), gateway.url)
    assert status == 200 and (answer["scope"], answer["provenance"]) == ("device", "public")
    assert answer["state"]["analytics"] == "granted"
    page.evaluate("""async () => {
        await window.analytics.identify("user-7", {plan: "pro"});
        await window.analytics.track("Added To Cart", {sku: "SKU-1"});
    }""")

    def arrived() -> dict[str, dict[str, Any]] | None:
        events = {e.get("event") or e["type"]: e for e in vendor.segment_events()}
        return events if {"identify", "Added To Cart"} <= set(events) else None

    events = wait_until(arrived, what="the device's events after identify at the vendor")
    assert events["Added To Cart"]["userId"] == "user-7" and events["Added To Cart"]["anonymousId"] == device

    # The identify linked the device to user-7 only as a claim: the device's consent is not the user's.
    server_side_track(gateway, "user-7", "server-order")
    page.evaluate("window.analytics.track('Marker')")
    wait_until(lambda: any(e.get("event") == "Marker" for e in vendor.segment_events()),
               what="the page's next event")
    assert "server-order" not in vendor.message_ids()


def test_a_logged_in_page_posts_a_consent_token_from_its_backend_and_the_user_is_covered_everywhere(
    page: Any, pages: PageServer, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess],
) -> None:
    policy = opt_in(vendor, pages)
    policy["consent"] = {"token_key": "${CONSENT_TOKEN_KEY}"}
    gateway = start_gateway(policy, env={"CONSENT_TOKEN_KEY": TOKEN_KEY})

    def issue_token(query: str) -> tuple[bytes, str]:
        # The shop's backend: it knows the session's user (user-9) and signs what they chose, for five minutes.
        now = int(time.time())
        granted = [p for p in query.removeprefix("granted=").split(",") if p]
        token = jwt.encode({"sub": "user-9", "granted": granted, "denied": [], "iat": now, "exp": now + 300,
                            "jti": str(uuid.uuid4())}, TOKEN_KEY, algorithm="HS256")
        return token.encode(), "text/plain"

    pages.add_handler("session/consent-token", issue_token)
    page.goto(shop(pages, gateway))
    status, answer = page.evaluate(LOGGED_IN.replace("__KEY__", json.dumps(WRITE_KEY)), gateway.url)
    assert status == 200 and (answer["scope"], answer["provenance"]) == ("subject", "token")
    page.evaluate("""async () => {
        await window.analytics.identify("user-9");
        await window.analytics.track("Checkout Started");
    }""")
    server_side_track(gateway, "user-9", "server-order")  # the same user, from the backend: covered too
    wait_until(lambda: {"server-order"} <= vendor.message_ids() and any(
        e.get("event") == "Checkout Started" for e in vendor.segment_events()),
        what="the user's events from the page and from the server")
