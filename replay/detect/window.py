"""One pass over the rrweb events of one window (browser tab): keep the DOM mirror and the page, and route each event
to the detectors that care about it.

Every event is looked at once and costs a few dict lookups; the detectors keep O(1) state per open episode. The work
that is not constant (walking a clicked node's ancestors, naming an element) happens per click or per form field,
which are rare next to mouse moves and mutations.

What counts as a response differs per rule, as in DESIGN.md:
- rage clicks: a DOM mutation (or another visible change: style, canvas, media), an Input, a navigation;
- dead clicks: all of those, plus a scroll or a text selection.

Pages (replay.detect.pages): a Meta event with a new URL is a page load, and a `navigation_event_tags` Custom event
with a new URL is a single-page-app route change; both end the page view (chains closed, the page left). A page load
leaves every form; a route change leaves the forms it removes, and a form still in the page (a search box in the
header) stays open. A Meta with the same URL is a re-snapshot of the page (rrweb checkouts, posthog-js periodic full
snapshots, a reload): it rebuilds the mirror and counts as a response, but the user did not leave, so a half-filled
form stays open. Every signal carries the page it happened on: the address-bar URL and its route.

Odd input never raises: events that are not dicts, lack a numeric timestamp, or fail to unpack are skipped and counted.
"""

from __future__ import annotations

import math
from typing import Any, Final

from policies.detect import DetectConfig
from replay import rrweb
from replay.detect.dead import DeadClicks
from replay.detect.errors import ErrorClicks, console_error_message
from replay.detect.forms import FormAbandonment, FormOutcome
from replay.detect.heat import ClickPositions, HeatCell
from replay.detect.pages import LEFT_BY_NAVIGATION, LEFT_BY_SESSION_END, Pages, PageView, href_in
from replay.detect.rage import RageClicks
from replay.detect.signal import Signal, SignalFactory
from replay.detect.targets import classify_click
from replay.detect.thrash import ThrashedCursor
from replay.detect.thresholds import Thresholds
from replay.mirror import Mirror
from replay.posthog_packing import PackingError, unpack_event

# The errors a malformed event can provoke deep in a detector; anything else is a bug and should surface.
_MALFORMED: Final = (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError, RecursionError)

MUTATION: Final = "mutation"
NAVIGATION: Final = "navigation"
INPUT: Final = "input"
SCROLL: Final = "scroll"
SELECTION: Final = "selection"


def _selects_text(data: dict[str, Any]) -> bool:
    """A Selection event with a non-empty range. A click that merely collapses an earlier selection to a caret is what
    a click on dead text does, so it is not a sign that the page (or the user) did anything."""
    ranges = data.get("ranges")
    if type(ranges) is not list:
        return False
    for r in ranges:
        if type(r) is dict and (r.get("start") != r.get("end") or r.get("startOffset") != r.get("endOffset")):
            return True
    return False


class WindowAnalyzer:
    def __init__(self, session_id: str, window_id: str, config: DetectConfig) -> None:
        thresholds = Thresholds(config)
        self.factory = SignalFactory(session_id, window_id, thresholds.ignores if config.overrides else None)
        self.navigation_tags = frozenset(config.navigation_event_tags)
        self.mirror = Mirror()
        self.pages = Pages(window_id)
        self.last_timestamp: int | None = None
        self.events = 0
        self.skipped = 0
        self._signals: list[Signal] | None = None
        self.rage = RageClicks(thresholds)
        self.dead = DeadClicks(thresholds)
        self.forms = FormAbandonment(config)
        self.errors = ErrorClicks(config)
        self.positions = ClickPositions()
        self.thrash = ThrashedCursor(config, self.mirror.element)  # the mirror object lives as long as the window

    # -- the pass -------------------------------------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Analyse the next event of this window. Every event counts as either analysed or skipped."""
        try:
            understood = self._feed(event)
        except _MALFORMED:
            understood = False
        if understood:
            self.events += 1
        else:
            self.skipped += 1

    def _feed(self, event: Any) -> bool:
        if type(event) is not dict:
            return False
        ts = event.get("timestamp")
        if type(ts) is not int:
            if type(ts) is not float or not math.isfinite(ts):
                return False
            ts = int(ts)
        if "cv" in event:
            try:
                event = unpack_event(event)
            except PackingError:
                return False
        data = event.get("data")
        if type(data) is not dict:
            data = {}
        dead = self.dead
        if dead.next_deadline and ts > dead.next_deadline:
            dead.expire(ts)
        etype = event.get("type")
        if etype == rrweb.INCREMENTAL_SNAPSHOT:
            # Most events are incremental, and most of those mouse moves: dispatched here without a further call.
            source = data.get("source")
            if source == rrweb.MOUSE_MOVE:
                self.thrash.on_positions(ts, data.get("positions"), self.pages.current)
            elif source == rrweb.MOUSE_INTERACTION:
                self._interaction(ts, data)
            else:
                self._incremental(ts, source, data)
        elif etype == rrweb.META:
            self._meta(ts, data)
        elif etype == rrweb.FULL_SNAPSHOT:
            self._snapshot(ts, data)
        elif etype == rrweb.CUSTOM:
            self._custom(ts, data)
        elif etype == rrweb.PLUGIN and data.get("plugin") == rrweb.CONSOLE_PLUGIN:
            self._console(ts, data.get("payload"))
        # Set last: a page ending at this event's navigation was left at the previous event.
        self.last_timestamp = ts
        return True

    # -- per event type -------------------------------------------------------------------------------------------

    def _incremental(self, ts: int, source: Any, data: dict[str, Any]) -> None:
        """The incremental sources other than mouse moves and interactions, by how often they occur."""
        if source == rrweb.INPUT:
            self.rage.on_response(ts, INPUT)
            self.dead.on_response(ts, INPUT)
            self.forms.on_input(self.mirror, ts, data, self.pages.current)
        elif source == rrweb.MUTATION:
            self.mirror.apply_mutation(data)
            self.forms.on_mutation(self.mirror, ts, data)
            self.rage.on_response(ts, MUTATION)
            self.dead.on_response(ts, MUTATION)
        elif source == rrweb.SCROLL:
            self.dead.on_response(ts, SCROLL)
            self.positions.on_scroll(data)
        elif source == rrweb.SELECTION:
            if _selects_text(data):
                self.dead.on_response(ts, SELECTION)
        elif source in rrweb.VISIBLE_CHANGE_SOURCES:
            self.rage.on_response(ts, MUTATION)
            self.dead.on_response(ts, MUTATION)
        elif source == rrweb.LOG:
            self._console(ts, data)
        elif source == rrweb.VIEWPORT_RESIZE:
            self.positions.on_resize(data)

    def _snapshot(self, ts: int, data: dict[str, Any]) -> None:
        self.mirror.load_snapshot(data.get("node"))
        self.positions.on_snapshot(data)
        self.forms.on_snapshot()
        # The DOM was serialized anew; if a click was waiting, the page did change under it.
        self.rage.on_response(ts, MUTATION)
        self.dead.on_response(ts, MUTATION)

    def _interaction(self, ts: int, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind == rrweb.CLICK:
            target = classify_click(self.mirror, data.get("id"))
            page = self.pages.current
            chain = self.rage.on_click(ts, target, data.get("x"), data.get("y"), page)
            self.dead.on_click(ts, target, chain, page)
            self.errors.on_click(ts, target, page)
            self.positions.on_click(ts, data, page)
            self.forms.on_click(self.mirror, ts, target, page)
        elif kind == rrweb.FOCUS:
            self.forms.on_focus(self.mirror, data.get("id"), self.pages.current)

    def _console(self, ts: int, payload: Any) -> None:
        message = console_error_message(payload)
        if message is not None:
            self.errors.on_error(ts, message)

    def _meta(self, ts: int, data: dict[str, Any]) -> None:
        href = data.get("href")
        href = href if isinstance(href, str) else None
        self.positions.on_meta(data)
        self.rage.on_response(ts, NAVIGATION)
        self.dead.on_response(ts, NAVIGATION)
        if self.pages.is_current(href):
            return  # a re-snapshot of the same page; its FullSnapshot follows
        self._leave_page(ts, route_change=False)
        self.pages.enter(ts, href)

    def _custom(self, ts: int, data: dict[str, Any]) -> None:
        tag = data.get("tag")
        payload = data.get("payload")
        if isinstance(tag, str) and tag.strip().lower() in self.navigation_tags:
            href = href_in(payload)
            if href is not None and not self.pages.is_current(href):
                self.rage.on_response(ts, NAVIGATION)
                self.dead.on_response(ts, NAVIGATION)
                self._leave_page(ts, route_change=True)
                self.pages.enter(ts, href)
            return
        self.forms.on_submit_event(self.mirror, tag, payload)

    def _leave_page(self, ts: int, *, route_change: bool) -> None:
        """The user goes to another page at `ts`: the page was left at the previous event."""
        if not self.pages.started:
            return
        left_at = self.last_timestamp if self.last_timestamp is not None else ts
        if route_change:
            self.forms.on_route_change(self.mirror, ts, left_at)
        else:
            self.forms.on_navigation(ts)
            self.forms.on_page_end(left_at, LEFT_BY_NAVIGATION)
        self._end_page_view(left_at, LEFT_BY_NAVIGATION)

    def _end_page_view(self, left_at: int, left_by: str) -> None:
        self.pages.leave(left_at, left_by)
        self.rage.on_page_end()
        self.dead.on_page_end()
        self.errors.on_page_end()
        self.thrash.on_page_end()

    # -- results --------------------------------------------------------------------------------------------------

    def finish(self) -> list[Signal]:
        """End of the recording: close what is open and return this window's signals, in time order."""
        if self._signals is not None:
            return self._signals
        if self.last_timestamp is not None:
            self.dead.finish(self.last_timestamp)
            self.forms.on_page_end(self.last_timestamp, LEFT_BY_SESSION_END)
            self._end_page_view(self.last_timestamp, LEFT_BY_SESSION_END)
        factory = self.factory
        signals = (
            self.rage.signals(factory)
            + self.dead.signals(factory)
            + self.forms.signals(factory)
            + self.errors.signals(factory)
            + self.thrash.signals(factory)
        )
        if factory.ignored:
            signals = [s for s in signals if s.id not in factory.ignored]
        signals.sort(key=lambda s: (s.timestamp, s.kind, s.id))
        self._signals = signals
        return signals

    def form_outcomes(self) -> list[FormOutcome]:
        """Every form episode of this window (call after finish)."""
        return self.forms.outcomes(self.factory.window_id)

    def heat_cells(self) -> list[HeatCell]:
        """Where this window's clicks, rage clicks and dead clicks were, binned per page (call after finish)."""
        return self.positions.cells(self.finish())

    def page_views(self) -> list[PageView]:
        """Every page view of this window, in order (call after finish)."""
        return self.pages.views
