"""The thresholds that judge one click, and whether a signal is reported: the `[replay.detect]` section's, unless an
override matches the page and the element (the first that matches wins).

Overrides name pages and elements as the report shows them, so a UX designer can copy them from it:
- a page is the route of the report (`https://app.example/reports/:id`), or its path (`/reports/:id`, and a hash
  route with it: `/#/settings`), with `*` matching anything;
- an element is a selector whose every part must be in the element's identity (replay.elements.identity_compound):
  `button.export`, `[data-testid="sync"]`, `button:has-text("Export")`.
Resolution is cached per page and element: a rage burst asks once.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from policies.detect import DetectConfig, Override
from replay.detect.pages import Page
from replay.elements import Element, identity_compound


@dataclass(frozen=True)
class ClickThresholds:
    rage_click_count: int
    rage_click_interval_ms: int
    rage_click_radius_px: float
    dead_click_timeout_ms: int
    ignore: frozenset[str] = frozenset()


def _path_of(page_url: str) -> str:
    parts = urlsplit(page_url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def page_matches(pattern: str, page_url: str) -> bool:
    if not pattern:
        return True
    return fnmatchcase(_path_of(page_url) if pattern.startswith("/") else page_url, pattern)


class Thresholds:
    def __init__(self, config: DetectConfig) -> None:
        self.default = ClickThresholds(
            config.rage_click_count, config.rage_click_interval_ms, config.rage_click_radius_px,
            config.dead_click_timeout_ms,
        )
        self.overrides = config.overrides
        self._resolved: dict[tuple[str, Element | None], ClickThresholds] = {}

    def at(self, page: Page, element: Element | None) -> ClickThresholds:
        if not self.overrides:
            return self.default
        key = (page.page_url, element)
        found = self._resolved.get(key)
        if found is None:
            override = self._matching(page.page_url, element)
            found = self._resolved[key] = self.default if override is None else self._apply(override)
        return found

    def ignores(self, kind: str, page: Page, element: Element | None) -> bool:
        return bool(self.overrides) and kind in self.at(page, element).ignore

    def _matching(self, page_url: str, element: Element | None) -> Override | None:
        identity = identity_compound(element) if element is not None else None
        for override in self.overrides:
            if not page_matches(override.page, page_url):
                continue
            if override.element is None or (identity is not None and override.element.within(identity)):
                return override
        return None

    def _apply(self, override: Override) -> ClickThresholds:
        d = self.default

        def pick(value: float | None, default: float) -> float:
            return default if value is None else value

        return ClickThresholds(
            int(pick(override.rage_click_count, d.rage_click_count)),
            int(pick(override.rage_click_interval_ms, d.rage_click_interval_ms)),
            pick(override.rage_click_radius_px, d.rage_click_radius_px),
            int(pick(override.dead_click_timeout_ms, d.dead_click_timeout_ms)),
            override.ignore,
        )
