"""Rage clicks (DESIGN.md): >= 3 clicks on the same element or within 30 px, each <= 1000 ms after the previous one,
with no response (DOM mutation, user input, navigation) between the first and the last click of the chain.

Clicks are chained as they come: a click joins the current chain when it is close enough in time and space to the
previous click and nothing responded since; otherwise it starts a new chain. "Between" is decided by stream order, not
by equal timestamps: a counter's "+" emits its Click and then, in the same millisecond, the Mutation it caused, and that
mutation sits between this click and the next one, so fast clicks that each change the page never form a chain.

Only Click interactions count; the DblClick that a browser adds to a fast second click is not another click.

A chain keeps waiting after it closes, to report how long the page took to respond at all (the slow button that
reacts 3.4 s after the first click); a chain whose page never responded reports None.
"""

from __future__ import annotations

from typing import Any

from replay.detect.pages import Page
from replay.detect.signal import RAGE_CLICK, Signal, SignalFactory
from replay.detect.targets import ClickTarget
from replay.detect.thresholds import ClickThresholds, Thresholds


class Click:
    """A plain class, not a dataclass: compiled (build_compiled.py), its constructor is native code, where a dataclass's
    generated __init__ would run interpreted on every click."""

    __slots__ = ("target", "timestamp", "x", "y")

    def __init__(self, timestamp: int, target: ClickTarget, x: float | None, y: float | None) -> None:
        self.timestamp = timestamp
        self.target = target
        self.x = x
        self.y = y


class Chain:
    """Consecutive clicks with no response between them. Dead-click detection asks `rage` to avoid double reports.
    (Not a dataclass: see Click.)"""

    __slots__ = ("clicks", "page", "rage", "response", "response_at", "thresholds")

    def __init__(self, page: Page, thresholds: ClickThresholds, clicks: list[Click]) -> None:
        self.page = page
        self.thresholds = thresholds  # those of the first click's page and element
        self.clicks = clicks
        self.rage = False
        self.response_at: int | None = None
        self.response: str | None = None


def _number(value: Any) -> float | None:
    return float(value) if type(value) in (int, float) and value == value else None


class RageClicks:
    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self.current: Chain | None = None
        self.chains: list[Chain] = []  # rage chains, in order
        self._awaiting: list[Chain] = []  # closed rage chains still waiting for the page to respond

    @staticmethod
    def _continues(chain: Chain, click: Click) -> bool:
        last, limits = chain.clicks[-1], chain.thresholds
        if click.timestamp - last.timestamp > limits.rage_click_interval_ms:
            return False
        a, b = last.target, click.target
        if a.node_id is not None and a.node_id == b.node_id:
            return True
        if a.element_id is not None and a.element_id == b.element_id:
            return True
        if last.x is None or last.y is None or click.x is None or click.y is None:
            return False
        # Coordinates inside an iframe are relative to the frame; they compare only within one document.
        if a.document_id != b.document_id:
            return False
        return (click.x - last.x) ** 2 + (click.y - last.y) ** 2 <= limits.rage_click_radius_px**2

    def on_click(self, timestamp: int, target: ClickTarget, x: Any, y: Any, page: Page) -> Chain:
        click = Click(timestamp, target, _number(x), _number(y))
        chain = self.current
        if chain is not None and self._continues(chain, click):
            chain.clicks.append(click)
            if len(chain.clicks) >= chain.thresholds.rage_click_count and not chain.rage:
                chain.rage = True
                self.chains.append(chain)
            return chain
        self._close()
        chain = self.current = Chain(page, self.thresholds.at(page, target.element), [click])
        return chain

    def _close(self) -> None:
        if self.current is not None and self.current.rage:
            self._awaiting.append(self.current)
        self.current = None

    def on_response(self, timestamp: int, kind: str) -> None:
        if self.current is not None:
            self._close()
        if self._awaiting:
            for chain in self._awaiting:
                chain.response_at, chain.response = timestamp, kind
            self._awaiting.clear()

    def on_page_end(self) -> None:
        """The page was left (its navigation, already reported as a response) or the recording ended."""
        self._close()
        self._awaiting.clear()

    def signals(self, factory: SignalFactory) -> list[Signal]:
        return [self._signal(factory, chain) for chain in self.chains]

    @staticmethod
    def _signal(factory: SignalFactory, chain: Chain) -> Signal:
        clicks = chain.clicks
        # The element clicked most often in the chain (the first one on ties): with ±6 px of jitter a click can land
        # on a neighbour, and the report should name what the user was aiming at.
        tally: dict[int | None, int] = {}
        for click in clicks:
            tally[click.target.element_id] = tally.get(click.target.element_id, 0) + 1
        best = max(tally.values())
        target = next(c.target for c in clicks if tally[c.target.element_id] == best)
        first = clicks[0].timestamp
        details = {
            "click_count": len(clicks),
            "first_click_at": first,
            "last_click_at": clicks[-1].timestamp,
            "duration_ms": clicks[-1].timestamp - first,
            "time_to_response_ms": None if chain.response_at is None else chain.response_at - first,
            "response": chain.response,
        }
        return factory.make(RAGE_CLICK, first, chain.page, target.element, details)
