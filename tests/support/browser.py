"""Headless Chromium for browser tests: Debian's chromium driven by Playwright for Python, never a downloaded browser.

Chromium is launched the way DESIGN.md says (posthog-js ignores automated browsers otherwise, and this machine's closed
network refuses Chromium's background connections). The vendors' SDKs come from the npm registry, pinned in
tests/browser/package.json and installed by `make test` into tests/browser/node_modules.

When Chromium or the npm packages are missing the browser tests are skipped, saying why; under CI (CI=true) a skip is
a failure, so CI cannot pass without having run them.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.waiting import WAIT_TIMEOUT_S

NODE_MODULES = Path(__file__).resolve().parents[1] / "browser" / "node_modules"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-blink-features=AutomationControlled",
]
# A desktop Chrome user agent: "HeadlessChrome" is on posthog-js's list of bots.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
# Every Playwright wait and action of a test's page (a selector, a navigation, a click) waits up to this for what does
# happen, only later when Chromium shares a loaded machine: Playwright's default, 30 s, and the 10-20 s some tests
# gave were deadlines tuned to a quiet one. Set on each context (`context.set_default_timeout`).
PAGE_TIMEOUT_MS = WAIT_TIMEOUT_S * 1000


def chromium_path() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def require_browser_setup() -> str:
    path = chromium_path()
    if path is None:
        skip_or_fail("Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
    if not NODE_MODULES.is_dir():
        skip_or_fail("the SDKs' npm packages are missing (run `make test`, which runs npm ci in tests/browser)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        skip_or_fail("Playwright for Python is not installed (it is in the test extras)")
    return path  # type: ignore[return-value]


class PageServer:
    """Serves test pages (registered by name) and files from the SDKs' npm packages, on its own loopback origin; a
    page may also be answered by a function (a site's own backend: `add_handler`)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.handlers: dict[str, Callable[[str], tuple[bytes, str]]] = {}  # name -> query -> (body, content type)
        self.aliases: dict[str, Path] = {}  # URL prefix -> directory
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._get(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def add_page(self, name: str, html: str) -> str:
        self.pages[name] = html
        return f"{self.url}/{name}"

    def add_handler(self, name: str, handler: Callable[[str], tuple[bytes, str]]) -> str:
        """Answer GET /name with `handler(query string)` -> (body, content type)."""
        self.handlers[name] = handler
        return f"{self.url}/{name}"

    def alias(self, prefix: str, directory: Path) -> None:
        self.aliases[prefix.strip("/")] = directory

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        path, _, query = handler.path.partition("?")
        path = path.lstrip("/")
        body: bytes | None = None
        content_type = "text/html; charset=utf-8"
        if path in self.pages:
            body = self.pages[path].encode()
        elif path in self.handlers:
            body, content_type = self.handlers[path](query)
        else:
            prefix, _, rest = path.partition("/")
            root = NODE_MODULES if prefix == "npm" else self.aliases.get(prefix)
            if root is not None:
                file = (root / rest).resolve()
                if file.is_file() and root.resolve() in file.parents:
                    body = file.read_bytes()
                    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if body is None:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
