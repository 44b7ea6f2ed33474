"""Dead clicks (DESIGN.md): a click on an element that is not a text field, select, label or the page itself, followed
by no DOM mutation, navigation, scroll, input or selection change within 2500 ms. Links that open elsewhere
(target≠_self, download) are not dead. Clicks that belong to a rage click are reported once, as that rage click.

A click waits in `pending` until either a response arrives (it was alive) or an event later than its deadline shows
that none came in time (it was dead). Any response makes every pending click alive at once, so `pending` is a heap by
deadline (a known slow control may have a longer timeout than the clicks around it) and each event costs one
comparison.

Whether a dead click is part of a rage chain is only known once the chain stops growing, so dead clicks keep a
reference to their chain and are filtered when the window is finished.

A click whose deadline falls after the last recorded event is undecided (the recording stopped, or the user left for
an unrecorded page): it is not reported. Analysing the session again once it has grown decides it.
"""

from __future__ import annotations

import heapq

from replay.detect.pages import Page
from replay.detect.rage import Chain
from replay.detect.signal import DEAD_CLICK, Signal, SignalFactory
from replay.detect.targets import ClickTarget
from replay.detect.thresholds import Thresholds


class _Candidate:
    """A click waiting for the page to respond. (Not a dataclass: see replay.detect.rage.Click.)"""

    __slots__ = ("chain", "deadline", "page", "response", "response_at", "target", "timeout", "timestamp")

    def __init__(self, timestamp: int, deadline: int, timeout: int, target: ClickTarget, chain: Chain, page: Page
                 ) -> None:
        self.timestamp = timestamp
        self.deadline = deadline
        self.timeout = timeout
        self.target = target
        self.chain = chain
        self.page = page
        self.response_at: int | None = None
        self.response: str | None = None


class DeadClicks:
    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self.pending: list[tuple[int, int, _Candidate]] = []  # heap of (deadline, order of the click, click)
        self._clicks = 0
        self.next_deadline = 0  # the earliest deadline pending; read by the window loop to skip `expire` cheaply
        self._dead: list[_Candidate] = []
        self._awaiting: list[_Candidate] = []  # dead clicks still waiting to learn when (if ever) the page responded

    @staticmethod
    def counts(target: ClickTarget) -> bool:
        """Whether a click on this target can be dead at all. An unknown element (no snapshot yet, or an id the
        mirror never saw) cannot be checked against the exclusions, so it is not judged."""
        return target.known and not (target.is_field or target.is_page or target.opens_elsewhere)

    def on_click(self, timestamp: int, target: ClickTarget, chain: Chain, page: Page) -> None:
        if self.counts(target):
            timeout = self.thresholds.at(page, target.element).dead_click_timeout_ms
            deadline = timestamp + timeout
            self._clicks += 1
            heapq.heappush(self.pending, (deadline, self._clicks, _Candidate(timestamp, deadline, timeout, target,
                                                                             chain, page)))
            self.next_deadline = self.pending[0][0]

    def expire(self, now: int) -> None:
        """Every pending click whose deadline is before `now` got no response in time: it is dead."""
        pending = self.pending
        while pending and pending[0][0] < now:
            candidate = heapq.heappop(pending)[2]
            self._dead.append(candidate)
            self._awaiting.append(candidate)
        self.next_deadline = pending[0][0] if pending else 0

    def on_response(self, timestamp: int, kind: str) -> None:
        if self.pending:
            self.pending.clear()
            self.next_deadline = 0
        if self._awaiting:
            for candidate in self._awaiting:
                candidate.response_at, candidate.response = timestamp, kind
            self._awaiting.clear()

    def on_page_end(self) -> None:
        self._awaiting.clear()

    def finish(self, last_timestamp: int) -> None:
        # A deadline equal to the last event's time was reached with no response: decided. Later ones are not.
        self.expire(last_timestamp + 1)
        self.pending.clear()
        self._awaiting.clear()

    def signals(self, factory: SignalFactory) -> list[Signal]:
        return [
            factory.make(
                DEAD_CLICK,
                c.timestamp,
                c.page,
                c.target.element,
                {
                    "timeout_ms": c.timeout,
                    "time_to_response_ms": None if c.response_at is None else c.response_at - c.timestamp,
                    "response": c.response,
                },
            )
            for c in self._dead
            if not c.chain.rage
        ]
