"""A frustration signal: what was detected, where, and when, with an id that re-analysis reproduces.

The id is a hash of session, window, kind, timestamp and element selector, so analysing the same events twice gives
the same ids and storage can upsert instead of duplicating. The timestamp of a signal is the moment the episode
*began* (first click of a rage chain, the dead click, the first input into an abandoned form), which does not move when
a live session grows and is analysed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from replay.detect.pages import Page
from replay.elements import Element, css_selector, describe

RAGE_CLICK: Final = "rage_click"
DEAD_CLICK: Final = "dead_click"
FORM_ABANDONMENT: Final = "form_abandonment"
ERROR_CLICK: Final = "error_click"
THRASHED_CURSOR: Final = "thrashed_cursor"

UNKNOWN_ELEMENT: Final = "unknown element (not in the recorded DOM)"


def signal_id(session_id: str, window_id: str, kind: str, timestamp: int, selector: str) -> str:
    key = "\x1f".join((session_id, window_id, kind, str(timestamp), selector)).encode("utf-8", "surrogatepass")
    return "sig_" + hashlib.blake2b(key, digest_size=10).hexdigest()


@dataclass(frozen=True)
class Signal:
    id: str
    kind: str
    session_id: str
    window_id: str
    timestamp: int  # epoch ms
    page_url: str  # the route: normalized (replay.urls.normalize_page_url)
    selector: str  # "" when the element is unknown
    description: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)  # JSON-serializable
    url: str = ""  # the address-bar URL at the time, as recorded (after single-page-app route changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "session_id": self.session_id,
            "window_id": self.window_id,
            "timestamp": self.timestamp,
            "page_url": self.page_url,
            "url": self.url,
            "selector": self.selector,
            "description": self.description,
            "details": dict(self.details),
        }

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS).decode()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Signal:
        return cls(
            id=data["id"],
            kind=data["kind"],
            session_id=data["session_id"],
            window_id=data["window_id"],
            timestamp=int(data["timestamp"]),
            page_url=data["page_url"],
            selector=data["selector"],
            description=data["description"],
            details=dict(data.get("details") or {}),
            url=str(data.get("url") or ""),
        )


@dataclass(frozen=True)
class SignalFactory:
    """Makes the signals of one window of one session, and remembers those an override says not to report."""

    session_id: str
    window_id: str
    ignores: Callable[[str, Page, Element | None], bool] | None = None
    ignored: set[str] = field(default_factory=set)  # ids of the signals made that are not reported

    def make(
        self, kind: str, timestamp: int, page: Page, element: Element | None, details: Mapping[str, Any]
    ) -> Signal:
        selector = css_selector(element) if element is not None else ""
        signal = Signal(
            id=signal_id(self.session_id, self.window_id, kind, timestamp, selector),
            kind=kind,
            session_id=self.session_id,
            window_id=self.window_id,
            timestamp=timestamp,
            page_url=page.page_url,
            selector=selector,
            description=describe(element) if element is not None else UNKNOWN_ELEMENT,
            details=dict(details),
            url=page.url,
        )
        if self.ignores is not None and self.ignores(kind, page, element):
            self.ignored.add(signal.id)
        return signal
