"""Dead clicks (DESIGN.md): a click on an element that is not a text field, select, label or the page itself, followed
by no DOM mutation, navigation, scroll, input or selection change within 2500 ms. Links that open elsewhere
(target≠_self, download) are not dead. Clicks that belong to a rage click are reported once, as that rage click.

A click waits in `pending` until either a response arrives (it was alive) or an event later than its deadline shows
that none came in time (it was dead). Any response makes every pending click alive at once, and the timeout is the same
for all, so `pending` is a FIFO ordered by deadline and each event costs one comparison.

Whether a dead click is part of a rage chain is only known once the chain stops growing, so dead clicks keep a
reference to their chain and are filtered when the window is finished.

A click whose deadline falls after the last recorded event is undecided (the recording stopped, or the user left for
an unrecorded page): it is not reported. Analysing the session again once it has grown decides it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from policies.detect import DetectConfig
from replay.detect.pages import Page
from replay.detect.rage import Chain
from replay.detect.signal import DEAD_CLICK, Signal, SignalFactory
from replay.detect.targets import ClickTarget


@dataclass(slots=True, eq=False)
class _Candidate:
    timestamp: int
    deadline: int
    target: ClickTarget
    chain: Chain
    page: Page
    response_at: int | None = None
    response: str | None = None


class DeadClicks:
    def __init__(self, config: DetectConfig) -> None:
        self.timeout = config.dead_click_timeout_ms
        self.pending: deque[_Candidate] = deque()
        self.next_deadline = 0  # deadline of pending[0]; read by the window loop to skip `expire` cheaply
        self._dead: list[_Candidate] = []
        self._awaiting: list[_Candidate] = []  # dead clicks still waiting to learn when (if ever) the page responded

    @staticmethod
    def counts(target: ClickTarget) -> bool:
        """Whether a click on this target can be dead at all. An unknown element (no snapshot yet, or an id the
        mirror never saw) cannot be checked against the exclusions, so it is not judged."""
        return target.known and not (target.is_field or target.is_page or target.opens_elsewhere)

    def on_click(self, timestamp: int, target: ClickTarget, chain: Chain, page: Page) -> None:
        if self.counts(target):
            if not self.pending:
                self.next_deadline = timestamp + self.timeout
            self.pending.append(_Candidate(timestamp, timestamp + self.timeout, target, chain, page))

    def expire(self, now: int) -> None:
        """Every pending click whose deadline is before `now` got no response in time: it is dead."""
        pending = self.pending
        while pending and pending[0].deadline < now:
            candidate = pending.popleft()
            self._dead.append(candidate)
            self._awaiting.append(candidate)
        self.next_deadline = pending[0].deadline if pending else 0

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
                    "timeout_ms": self.timeout,
                    "time_to_response_ms": None if c.response_at is None else c.response_at - c.timestamp,
                    "response": c.response,
                },
            )
            for c in self._dead
            if not c.chain.rage
        ]
