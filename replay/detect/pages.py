"""Where the user was: the page of each moment of a window (the address-bar URL and its route), and the page views.

A page view begins at a page load (a Meta event with a new URL) or at a single-page-app route change, which rrweb does
not record by itself: recorders add it as a Custom event carrying the new URL. posthog-js adds `$url_changed` (on the
first event after `pushState`, `replaceState` or Back changed the URL) and `$pageview` (when it captures one), each
with `payload.href`; `navigation_event_tags` names the tags to read. A URL that differs only by a plain `#fragment`
is the same page (an in-page anchor); a hash route (`#/users/42`, `#!/users`) is a route of its own, but a URL without
any fragment does not leave one (posthog-js's `$url_changed` leaves fragments out).

Each view is recorded with its time span and how it ended, for the report's pages and their drop-off (exit) rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from replay.urls import normalize_page_url

LEFT_BY_NAVIGATION: Final = "navigation"  # a page load or a route change
LEFT_BY_SESSION_END: Final = "session_end"

# Where recorders put the new URL in a navigation Custom event's payload (posthog-js: `href`).
_URL_KEYS: Final = ("href", "url", "$current_url", "current_url")


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # the address-bar URL as recorded (already scrubbed at ingest)
    page_url: str  # the route reports group by (replay.urls.normalize_page_url)

    @classmethod
    def at(cls, href: str | None) -> Page:
        return cls(href, normalize_page_url(href)) if href else NO_PAGE


NO_PAGE: Final = Page("", "")


@dataclass(slots=True)
class PageView:
    window_id: str
    page: Page
    entered_at: int
    left_at: int = 0
    left_by: str = ""
    exit: bool = False  # the session's last page view (set by the session analysis)


def route_of(href: str | None) -> str | None:
    """The part of a URL that names the page: without a plain fragment, with a hash route."""
    if not isinstance(href, str):
        return None
    base, hash_sign, fragment = href.partition("#")
    if hash_sign and fragment.startswith(("/", "!/")):
        return f"{base}#{fragment.partition('#')[0]}"  # an anchor inside a hash route is still that route
    return base


def href_in(payload: Any) -> str | None:
    """The URL a navigation Custom event carries: a string payload, or one of the usual keys of an object payload."""
    if isinstance(payload, str):
        return payload or None
    if isinstance(payload, dict):
        for key in _URL_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
    return None


class Pages:
    """The page views of one window, in order; `current` is the page of the latest event."""

    def __init__(self, window_id: str) -> None:
        self.window_id = window_id
        self.current = NO_PAGE
        self.views: list[PageView] = []

    @property
    def started(self) -> bool:
        return bool(self.views)

    def is_current(self, href: str | None) -> bool:
        """Whether `href` names the page the user is on. A URL without a fragment also names a hash-routed page it is
        the base of: posthog-js's `$url_changed` leaves fragments out."""
        if not self.started:
            return False
        current = self.current.url or None
        return route_of(href) == route_of(current) or (
            isinstance(href, str) and "#" not in href and current is not None and current.partition("#")[0] == href
        )

    def enter(self, timestamp: int, href: str | None) -> None:
        self.current = Page.at(href)
        self.views.append(PageView(self.window_id, self.current, timestamp))

    def leave(self, left_at: int, left_by: str) -> None:
        if self.views and not self.views[-1].left_by:
            view = self.views[-1]
            view.left_at, view.left_by = max(left_at, view.entered_at), left_by
