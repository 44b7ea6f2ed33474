"""Watching a recording reaches no server the recording names.

Anyone with a public write key can record a page that references images, stylesheets and fonts on their own server:
if the player fetched them, that server would learn when, and from where, a support agent watches the session. Here a
recording planted with such references to another loopback port (a real HTTP server that serves them and records every
request) is ingested through the real endpoint and opened on the session page in Chromium: the page renders (text,
layout, placeholders where images were), and that server receives nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.browser.test_ui_flows import PLAYER_ASSET, sign_in, ui_policy
from tests.e2e.test_replay_native import post_events
from tests.support.browser import skip_or_fail
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.browser

SESSION = "sess_planted_beacons"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2219bc90000000049454e44ae426082")
BODIES = {".png": (PNG, "image/png"), ".css": (b"p { color: red }", "text/css"),
          ".woff2": (b"not really a font", "font/woff2"), ".html": (b"<p>framed</p>", "text/html")}


class Beacon:
    """An HTTP server on its own loopback port that answers what a planted page references, and records each request
    (path and Referer)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        beacon = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the stdlib's name
                beacon.requests.append((self.path, self.headers.get("Referer", "")))
                suffix = "." + self.path.rsplit(".", 1)[-1]
                body, content_type = BODIES.get(suffix, (b"", "text/plain"))
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def element(tag: str, attributes: dict[str, Any], children: list[dict[str, Any]], node_id: int) -> dict[str, Any]:
    return {"type": 2, "tagName": tag, "attributes": attributes, "childNodes": children, "id": node_id}


def text(content: str, node_id: int, is_style: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {"type": 3, "textContent": content, "id": node_id}
    if is_style:
        node["isStyle"] = True
    return node


def planted_recording(beacon: str, start: int = 1_795_773_600_000) -> list[dict[str, Any]]:
    """A page as rrweb records it when assets are not inlined: every image, stylesheet, font, background, frame and
    sound a URL on the beacon's port, some in attributes, some in CSS text; then a mutation adding more."""
    style = (f'@import "{beacon}/imported.css"; '
             f"@font-face {{ font-family: Planted; src: url({beacon}/font.woff2) format('woff2') }} "
             f"body {{ font-family: Planted, sans-serif; background: url('{beacon}/body-bg.png') }}")
    head = element("head", {}, [
        element("link", {"rel": "stylesheet", "href": f"{beacon}/style.css"}, [], 4),
        element("link", {"rel": "icon", "href": f"{beacon}/favicon.png"}, [], 5),
        element("style", {}, [text(style, 7, is_style=True)], 6),
    ], 3)
    body = element("body", {}, [
        element("h1", {}, [text("Order 4711 confirmed", 10)], 9),
        element("img", {"src": f"{beacon}/product.png", "srcset": f"{beacon}/product-2x.png 2x",
                        "alt": "Product", "width": "160", "height": "90"}, [], 11),
        element("div", {"id": "hero", "style": f"width:200px;height:60px;background-image:url(\"{beacon}/hero.png\")"},
                [], 12),
        element("video", {"poster": f"{beacon}/poster.png", "width": "160", "height": "90"}, [], 13),
        element("p", {}, [text("Thank you for your order.", 15)], 14),
        element("iframe", {"src": f"{beacon}/frame.html", "width": "100", "height": "40"}, [], 16),
        element("audio", {"src": f"{beacon}/jingle.mp3", "preload": "auto"}, [], 17),
        element("svg", {"width": "20", "height": "20"}, [
            {**element("image", {"href": f"{beacon}/icon.png", "width": "20", "height": "20"}, [], 19),
             "isSVG": True}], 18) | {"isSVG": True},
    ], 8)
    document = {"type": 0, "childNodes": [
        {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": 1},
        element("html", {}, [head, body], 2),
    ], "id": 0}
    late = element("img", {"src": f"{beacon}/late.png", "alt": "Late", "width": "20", "height": "20"}, [], 30)
    return [
        {"type": 4, "data": {"href": "https://shop.example/orders/4711", "width": 1024, "height": 700},
         "timestamp": start},
        {"type": 2, "data": {"node": document, "initialOffset": {"left": 0, "top": 0}}, "timestamp": start + 10},
        {"type": 3, "data": {"source": 0, "adds": [{"parentId": 8, "nextId": None, "node": late}], "removes": [],
                             "texts": [], "attributes": [{"id": 12, "attributes": {
                                 "style": {"background-image": f"url({beacon}/hero-late.png)"}}}]},
         "timestamp": start + 1000},
        {"type": 3, "data": {"source": 1, "positions": [{"x": 10, "y": 10, "id": 9, "timeOffset": 0}]},
         "timestamp": start + 2000},
    ]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GatewayProcess, Beacon]]:
    if not PLAYER_ASSET.is_file():
        skip_or_fail("the web UI's rrweb-player is missing (run `make test`, which installs gateway/ui's npm assets)")
    vendor, beacon = FakeVendor().start(), Beacon()
    gateway = GatewayProcess(tmp_path_factory.mktemp("offline"), ui_policy(vendor.url)).start()
    try:
        assert post_events(gateway, SESSION, planted_recording(beacon.url)).status_code == 200
        # The yardstick: the beacon answers and records what is asked of it.
        assert httpx.get(beacon.url + "/check.png",
                         timeout=REQUEST_TIMEOUT_S).status_code == 200 and beacon.requests == [("/check.png", "")]
        beacon.requests.clear()
        yield gateway, beacon
    finally:
        gateway.close()
        beacon.close()
        vendor.stop()



SETTLED = """frame => {
    const doc = frame.contentDocument;
    // rrweb writes the rebuilt document itself: its readyState says nothing about loads. Images and fonts do.
    return !!doc && Array.from(doc.images).every(img => img.complete)
        && doc.fonts.status === 'loaded' && !!doc.querySelector('img[alt=Late]');
}"""


def test_a_planted_recording_plays_without_one_request_to_the_servers_it_names(browser_page: Any, setup) -> None:
    page, (gateway, beacon) = browser_page, setup
    sign_in(page, gateway, "support")
    response = page.goto(f"{gateway.url}/ui/sessions/{SESSION}")

    page.wait_for_selector("#player[data-state=ready] .rr-player")
    # Play to the end, so that the mutation (a late image, a new background) is applied too.
    page.evaluate("window.gatewayPlayer.goto(2000, false)")
    frame = page.locator("#player iframe")
    page.wait_for_function(SETTLED, arg=frame.element_handle())
    assert beacon.requests == [], f"the player fetched from the recording's servers: {beacon.requests}"

    replay = page.frame_locator("#player iframe")
    # The page renders: its text and layout, with a placeholder where each external image was.
    assert replay.locator("h1").inner_text() == "Order 4711 confirmed"
    assert replay.locator("p").inner_text() == "Thank you for your order."
    sources = replay.locator("img").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert len(sources) == 2 and all(src.startswith("data:image/svg+xml,") for src in sources)
    assert replay.locator("img[alt=Product]").evaluate("e => e.naturalWidth") > 0  # the placeholder drew
    hero = replay.locator("#hero").evaluate("e => getComputedStyle(e).backgroundImage")
    assert hero.startswith('url("data:image/svg+xml,'), hero

    # What the rewriting might miss, the page's policy blocks: nothing from another origin.
    csp = response.headers["content-security-policy"]
    assert "img-src 'self' data: blob:;" in csp and "http:" not in csp and "https:" not in csp
