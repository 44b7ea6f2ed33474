"""Basic accessibility of every page, checked in Chromium: `lang`, landmarks (banner, navigation, main), a name for
every form control and button, text contrast of at least 4.5:1 (3:1 for large text), and every control reachable with
the Tab key showing a visible focus ring."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_ui_flows import TOKENS, sign_in, ui_gateway  # noqa: F401 - ui_gateway is a fixture
from tests.support.browser import PAGE_TIMEOUT_MS
from tests.support.gateway_process import GatewayProcess

pytestmark = pytest.mark.browser

PAGES = {
    "support": ["/ui/sessions", "/ui/sessions?signal=dead_click&status=all", "SESSION"],
    "ux": ["/ui/reports/frustration", "/ui/reports/frustration?since=2000-01-01&until=2000-01-31"],
    "compliance": ["/ui/deletions", "/ui/audit"],
    "analyst": ["/ui/data-quality", "/ui/live"],
}

UNNAMED_CONTROLS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href], summary'))
  .filter(el => el.getClientRects().length > 0)
  .filter(el => {
    const byLabel = el.labels ? Array.from(el.labels).map(l => l.textContent).join(' ') : '';
    const byIds = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    const own = ['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) ? el.textContent : '';
    return !((el.getAttribute('aria-label') || '') + byLabel + byIds + own).trim();
  })
  .map(el => el.outerHTML.slice(0, 120))"""

LOW_CONTRAST = """() => {
  const parse = c => {
    const p = c.match(/[\\d.]+/g).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, bottom) => ({r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
                                  b: top.b * top.a + bottom.b * (1 - top.a), a: 1});
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const backdrop = el => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.unshift(e);
    return chain.reduce((bg, e) => {
      const c = parse(getComputedStyle(e).backgroundColor);
      return c.a ? over(c, bg) : bg;
    }, {r: 255, g: 255, b: 255, a: 1});
  };
  const failures = [], seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    // The player's own controls and the replayed page are rrweb-player's and the recorded site's, not ours.
    if (el.closest('#player, svg, script, style, option, datalist, .visually-hidden, .skip-link')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    const bg = backdrop(el), fg = over(parse(style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${walker.currentNode.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
  }
  return failures;
}"""

TABBABLE = """() => {
  const all = Array.from(document.querySelectorAll('a[href], button:not([disabled]), summary, textarea, '
                                                  + 'input:not([type=hidden]):not([disabled]), select:not([disabled])'))
    .filter(el => el.getClientRects().length > 0 && el.tabIndex >= 0 && !el.closest('[inert]'));
  all.forEach((el, i) => {
    // A radio group is one stop of the Tab key: the arrow keys move inside it.
    el.dataset.a11yStop = el.type === 'radio' ? 'radio:' + el.name : 'el:' + i;
  });
  return Array.from(new Set(all.map(el => el.dataset.a11yStop)));
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // A date field's last Tab stop is its calendar button, inside the field's shadow tree: the field itself has lost
  // :focus, and Chromium draws its own focus ring around the button (seen in the screenshots).
  const onCalendarButton = el.type === 'date' && !el.matches(':focus');
  const ring = onCalendarButton || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2);
  return {stop: el.dataset.a11yStop || null, ring, what: el.outerHTML.slice(0, 100)};
}"""


@pytest.fixture
def role_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def session_with_signals(gateway: GatewayProcess) -> str:
    sessions = gateway.admin("/admin/v1/replay/sessions?order=score&limit=1").json()["sessions"]
    return "/ui/sessions/" + sessions[0]["session_id"]


def check_page(page: Any) -> None:
    assert page.get_attribute("html", "lang") == "en"
    tree = page.locator("body").aria_snapshot()
    for landmark in ("- banner", "- navigation \"Main\"", "- main"):
        assert landmark in tree, f"{page.url}: no {landmark} landmark"
    assert page.evaluate(UNNAMED_CONTROLS) == [], page.url
    assert page.evaluate(LOW_CONTRAST) == [], page.url


def check_keyboard(page: Any) -> None:
    """Tab from the top reaches every control, in one pass, each with a visible focus ring."""
    stops = page.evaluate(TABBABLE)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first and "Skip to content" in first["what"], "the first Tab stop is the skip link"
    reached, unringed = set(), []
    for _ in range(4 * len(stops) + 10):  # a date field takes three Tab stops (day, month, year)
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        if focused["stop"]:
            reached.add(focused["stop"])
        if not focused["ring"]:
            unringed.append(focused["what"])
        page.keyboard.press("Tab")
    assert set(stops) <= reached, f"{page.url}: not reachable by Tab: {sorted(set(stops) - reached)}"
    assert unringed == [], f"{page.url}: focus not visible on {unringed}"


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_of_each_role_has_landmarks_labels_contrast_and_keyboard_access(
    role_page: Any, ui_gateway: GatewayProcess, role: str  # noqa: F811
) -> None:
    page, gateway = role_page, ui_gateway
    sign_in(page, gateway, role)
    for path in PAGES[role]:
        if path == "SESSION":
            path = session_with_signals(gateway)
        page.goto(gateway.url + path)
        if "/ui/sessions/" in path:
            page.wait_for_selector("#player[data-state=ready] .rr-player")
        check_page(page)
        check_keyboard(page)


def test_the_sign_in_page_is_labelled_and_usable_by_keyboard(role_page: Any, ui_gateway: GatewayProcess  # noqa: F811
                                                             ) -> None:
    page, gateway = role_page, ui_gateway
    page.goto(gateway.url + "/ui/sign-in")
    assert page.get_attribute("html", "lang") == "en"
    tree = page.locator("body").aria_snapshot()
    assert "- banner" in tree and "- main" in tree
    assert page.evaluate(UNNAMED_CONTROLS) == [] and page.evaluate(LOW_CONTRAST) == []
    page.keyboard.type(TOKENS["ux"])  # the token field has focus on arrival
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/reports/frustration")
