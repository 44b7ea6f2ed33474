"""Where on a page people click: each click's position, binned, for the click, rage-click and dead-click heatmaps.

Viewports differ, so a position is kept the way the page lays out: across as a share of the viewport's width (X_BINS
columns), down in CSS pixels from the top of the document (Y_BIN_PX rows), the document's scroll offset added to the
click's viewport position. The width comes from the Meta event and any ViewportResize; the scroll offset from the
FullSnapshot's `initialOffset` and the Scroll events of the document node. A click without coordinates (a keyboard
"click") or before the first Meta is not placed.

Pages lay out differently on a phone and on a desktop, so each cell belongs to a layout by the viewport's width:
`phone` (< 768 px), `tablet` (< 1024 px), `desktop`; a heatmap shows one layout.

A rage click is placed once, at its first click; a dead click at its click. Only bins per page leave the session
(replay.heatmaps sums them over sessions): the heatmaps hold no session, no person and no time.
"""

from __future__ import annotations

from typing import Any, Final

from replay.detect.pages import Page
from replay.detect.signal import DEAD_CLICK, RAGE_CLICK, Signal

X_BINS: Final = 50  # columns: 2 % of the viewport's width each
Y_BIN_PX: Final = 20  # rows: 20 CSS pixels of the document each
MAX_Y_BIN: Final = 2500  # 50,000 px down: a click further down is placed in the last row (an endless feed)
CLICK: Final = "click"
HEAT_KINDS: Final = (CLICK, RAGE_CLICK, DEAD_CLICK)
LAYOUTS: Final = ("desktop", "tablet", "phone")


def layout_of(width: float) -> str:
    return "phone" if width < 768 else "tablet" if width < 1024 else "desktop"


class HeatCell:
    """One bin of a page's heatmap. A value (never changed, equal by its fields), as a plain class rather than a frozen
    dataclass: compiled (build_compiled.py), its constructor is native code instead of an interpreted `__init__`."""

    __slots__ = ("clicks", "kind", "layout", "page_url", "x_bin", "y_bin")

    def __init__(self, page_url: str, layout: str, kind: str, x_bin: int, y_bin: int, clicks: int) -> None:
        self.page_url = page_url
        self.layout = layout
        self.kind = kind
        self.x_bin = x_bin
        self.y_bin = y_bin
        self.clicks = clicks

    def _fields(self) -> tuple[str, str, str, int, int, int]:
        return self.page_url, self.layout, self.kind, self.x_bin, self.y_bin, self.clicks

    def __eq__(self, other: object) -> bool:
        return other.__class__ is HeatCell and isinstance(other, HeatCell) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "HeatCell(page_url={!r}, layout={!r}, kind={!r}, x_bin={!r}, y_bin={!r}, clicks={!r})".format(
            *self._fields())


def _number(value: Any) -> float | None:
    return float(value) if type(value) in (int, float) else None


class ClickPositions:
    def __init__(self) -> None:
        self.width: float | None = None
        self.document_id: Any = None
        self.scroll_top = 0.0
        self._at: dict[int, tuple[str, str, int, int]] = {}  # click timestamp -> (page, layout, x bin, y bin)
        # Plain dicts, not Counters: a Counter's constructor runs interpreted, twice per window.
        self._clicks: dict[tuple[str, str, int, int], int] = {}

    def on_meta(self, data: dict[str, Any]) -> None:
        self.on_resize(data)
        self.scroll_top = 0.0

    def on_resize(self, data: dict[str, Any]) -> None:
        width = _number(data.get("width"))
        if width is not None and width > 0:
            self.width = width

    def on_snapshot(self, data: dict[str, Any]) -> None:
        node, offset = data.get("node"), data.get("initialOffset")
        self.document_id = node.get("id") if isinstance(node, dict) else None
        top = _number(offset.get("top")) if isinstance(offset, dict) else None
        self.scroll_top = max(0.0, top) if top is not None else 0.0

    def on_scroll(self, data: dict[str, Any]) -> None:
        top = _number(data.get("y"))
        if top is not None and data.get("id") == self.document_id:
            self.scroll_top = max(0.0, top)

    def on_click(self, ts: int, data: dict[str, Any], page: Page) -> None:
        x, y, width = _number(data.get("x")), _number(data.get("y")), self.width
        if x is None or y is None or width is None or not page.page_url:
            return
        x_bin = min(X_BINS - 1, max(0, int(x / width * X_BINS)))
        y_bin = min(MAX_Y_BIN, max(0, int((y + self.scroll_top) // Y_BIN_PX)))
        cell = (page.page_url, layout_of(width), x_bin, y_bin)
        self._at[ts] = cell
        self._clicks[cell] = self._clicks.get(cell, 0) + 1

    def cells(self, signals: list[Signal]) -> list[HeatCell]:
        """Every click's bin, and the bin of each rage and dead click among `signals` (this window's)."""
        counts = {(page, layout, CLICK, x, y): n for (page, layout, x, y), n in self._clicks.items()}
        for signal in signals:
            placed = self._at.get(signal.timestamp) if signal.kind in (RAGE_CLICK, DEAD_CLICK) else None
            if placed is not None:
                page, layout, x, y = placed
                key = (page, layout, signal.kind, x, y)
                counts[key] = counts.get(key, 0) + 1
        return [HeatCell(*key, n) for key, n in sorted(counts.items())]
