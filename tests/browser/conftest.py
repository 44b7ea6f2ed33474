from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import CHROMIUM_FLAGS, PAGE_TIMEOUT_MS, USER_AGENT, PageServer, require_browser_setup


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per test module. Not per session: Playwright's sync API keeps an event loop running in the main
    thread while it is open, and later modules' own asyncio.run() calls would fail."""
    executable = require_browser_setup()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (its own cookies and storage) and page."""
    context = chromium.new_context(user_agent=USER_AGENT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh context at a desktop size the gateway's own pages are laid out for, taking downloads (CSV, exports)."""
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def pages() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.close()
