"""Thrashed cursor: the mouse shaken back and forth, a sign of impatience or of a user searching for something.

Defined here as >= `thrash_min_reversals` direction reversals within `thrash_window_ms`, where a reversal is the mouse
going back at least `thrash_min_distance_px` from the furthest point it reached in its current direction, on the
horizontal or the vertical axis. The hysteresis is what makes it robust: sensor jitter and the small corrections of a
normal approach to a button move a few pixels, never 30 back, and a curved path reverses at most once per axis.

One signal per episode: an episode lasts while reversals keep coming at the qualifying rate, and ends after a quiet
`thrash_window_ms`, at a page change, or at the end of the recording.

Mouse positions come batched in MouseMove events (`positions: [{x, y, id, timeOffset}]`, rrweb samples every 50 ms and
flushes every 500 ms), each at `timestamp + timeOffset`. Touch moves are left out: swiping a list reverses constantly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from policies.detect import DetectConfig
from replay.detect.pages import Page
from replay.detect.signal import THRASHED_CURSOR, Signal, SignalFactory
from replay.elements import Element

_NUMBER: Final = (int, float)


def _first_leg(v: float, lo: float, hi: float, min_px: float) -> tuple[int, float, float, float]:
    """Before an axis has a direction: widen the range seen; once it spans min_px, travel is toward the latest point.
    Returns (direction, extreme, lo, hi), as floats for int coordinates too (as compiled code returns them)."""
    v = float(v)
    lo = v if not lo <= v else lo  # `not lo <= v` is also true for the initial NaN
    hi = v if not hi >= v else hi
    if hi - lo >= min_px:
        return (1 if v == hi else -1), v, lo, hi
    return 0, v, lo, hi


@dataclass(slots=True, eq=False)
class _Episode:
    started_at: int
    last_at: int
    reversals: int
    page: Page
    element: Element | None


class ThrashedCursor:
    def __init__(self, config: DetectConfig, element_at: Callable[[Any], Element | None]) -> None:
        self.min_px = config.thrash_min_distance_px
        self.window = config.thrash_window_ms
        self.min_reversals = config.thrash_min_reversals
        self._element_at = element_at
        # Per axis: the direction of travel (+1, -1; 0 until the pointer has spanned min_px), the furthest point
        # reached in that direction, and the range covered before a direction was set.
        self._x_dir = self._y_dir = 0
        self._x_ext = self._y_ext = 0.0
        self._x_lo = self._x_hi = self._y_lo = self._y_hi = math.nan
        self._reversals: deque[int] = deque()
        self._episode: _Episode | None = None
        self._episodes: list[_Episode] = []

    def on_positions(self, timestamp: int, positions: Any, page: Page) -> None:
        if type(positions) is not list:
            return
        min_px = self.min_px
        # The axis state lives in locals for the loop (this runs for every recorded mouse position).
        x_dir, x_ext, y_dir, y_ext = self._x_dir, self._x_ext, self._y_dir, self._y_ext
        for position in positions:
            if type(position) is not dict:
                continue
            x: Any = position.get("x")
            y: Any = position.get("y")
            if type(x) not in _NUMBER or type(y) not in _NUMBER:
                continue
            reversed_ = False
            if x_dir == 0:
                x_dir, x_ext, self._x_lo, self._x_hi = _first_leg(x, self._x_lo, self._x_hi, min_px)
            elif (x - x_ext) * x_dir > 0:
                x_ext = x
            elif abs(x_ext - x) >= min_px:
                x_ext, x_dir, reversed_ = x, -x_dir, True
            if y_dir == 0:
                y_dir, y_ext, self._y_lo, self._y_hi = _first_leg(y, self._y_lo, self._y_hi, min_px)
            elif (y - y_ext) * y_dir > 0:
                y_ext = y
            elif abs(y_ext - y) >= min_px:
                y_ext, y_dir, reversed_ = y, -y_dir, True
            if reversed_:
                offset: Any = position.get("timeOffset")
                t = timestamp + int(offset) if type(offset) in _NUMBER and -3_600_000 < offset <= 0 else timestamp
                self._reversal(t, position.get("id"), page)
        self._x_dir, self._x_ext, self._y_dir, self._y_ext = x_dir, x_ext, y_dir, y_ext

    def _reversal(self, t: int, node_id: Any, page: Page) -> None:
        episode = self._episode
        if episode is not None and t - episode.last_at > self.window:
            self._close()
            episode = None
        reversals = self._reversals
        reversals.append(t)
        while t - reversals[0] > self.window:
            reversals.popleft()
        if len(reversals) >= self.min_reversals:
            if episode is None:
                self._episode = _Episode(reversals[0], t, len(reversals), page, self._element_at(node_id))
            else:
                episode.last_at = t
                episode.reversals += 1

    def _close(self) -> None:
        if self._episode is not None:
            self._episodes.append(self._episode)
            self._episode = None

    def on_page_end(self) -> None:
        self._close()
        self._reversals.clear()
        self._x_dir = self._y_dir = 0
        self._x_lo = self._x_hi = self._y_lo = self._y_hi = math.nan

    def signals(self, factory: SignalFactory) -> list[Signal]:
        return [
            factory.make(
                THRASHED_CURSOR,
                e.started_at,
                e.page,
                e.element,
                {"reversals": e.reversals, "duration_ms": e.last_at - e.started_at},
            )
            for e in self._episodes
        ]
