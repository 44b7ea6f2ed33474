"""Analyse one recorded session: every window (tab) in one pass, into signals, counts per kind and a score.

Input is either a mapping `window_id -> events` (each window's events in time order), or an iterable of
`(window_id, event)` pairs with windows interleaved, as PostHog stores its lanes. Windows never share state: node ids,
pages, chains and forms are per window, so a click in one tab never chains with a click in another.

Analysis is a pure function of its input: the same events and config give the same signals with the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.detect import DetectConfig
from replay.detect.forms import FormOutcome
from replay.detect.heat import HeatCell
from replay.detect.pages import PageView
from replay.detect.score import count_by_kind, frustration_score
from replay.detect.signal import Signal
from replay.detect.window import WindowAnalyzer

Windows = Mapping[str, Iterable[Any]] | Iterable[tuple[str, Any]]


@dataclass(frozen=True)
class SessionAnalysis:
    session_id: str
    signals: list[Signal]  # in time order
    counts: dict[str, int]  # per kind, every kind present
    score: float
    events: int = 0  # events analysed
    skipped: int = 0  # events that could not be interpreted
    windows: tuple[str, ...] = field(default=())
    forms: list[FormOutcome] = field(default_factory=list)  # every started form episode, for funnel reports
    pages: list[PageView] = field(default_factory=list)  # every page view, the session's last one marked `exit`
    heat: list[HeatCell] = field(default_factory=list)  # clicks, rage and dead clicks binned per page (heatmaps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "score": self.score,
            "counts": dict(self.counts),
            "events": self.events,
            "skipped": self.skipped,
            "windows": list(self.windows),
            "signals": [s.to_dict() for s in self.signals],
        }


def analyze_session(session_id: str, windows: Windows, config: DetectConfig) -> SessionAnalysis:
    analyzers: dict[str, WindowAnalyzer] = {}
    skipped = 0

    def analyzer(window_id: str) -> WindowAnalyzer:
        found = analyzers.get(window_id)
        if found is None:
            found = analyzers[window_id] = WindowAnalyzer(session_id, window_id, config)
        return found

    if type(windows) is dict or isinstance(windows, Mapping):  # a dict skips the ABC check (once per session)
        for window_id, events in windows.items():
            try:
                iterator = iter(events)
            except TypeError:
                skipped += 1
                continue
            feed = analyzer(str(window_id)).feed
            for event in iterator:
                feed(event)
    else:
        # Any: callers pass odd items too (skipped below), and compiled code would reject them at the loop.
        pairs: Iterator[Any]
        try:
            pairs = iter(windows)
        except TypeError:
            pairs = iter(())
            skipped += 1
        current_id: Any = object()
        feed = None
        for pair in pairs:
            if type(pair) not in (tuple, list) or len(pair) != 2:
                skipped += 1
                continue
            window_id, event = pair
            if window_id != current_id or feed is None:  # lanes arrive in runs: look the window up once per run
                current_id = window_id
                feed = analyzer(str(window_id)).feed
            feed(event)

    signals: list[Signal] = []
    forms: list[FormOutcome] = []
    pages: list[PageView] = []
    heat: list[HeatCell] = []
    events = 0
    for window_id in sorted(analyzers):
        window = analyzers[window_id]
        signals.extend(window.finish())
        forms.extend(window.form_outcomes())
        pages.extend(window.page_views())
        heat.extend(window.heat_cells())
        events += window.events
        skipped += window.skipped
    if pages:
        # Where the session ended: the page left last (of the last window, on a tie).
        max(reversed(pages), key=lambda view: view.left_at).exit = True
    signals.sort(key=lambda s: (s.timestamp, s.window_id, s.kind, s.id))
    counts = count_by_kind(signals)
    return SessionAnalysis(
        session_id=session_id,
        signals=signals,
        counts=counts,
        score=frustration_score(counts, config),
        events=events,
        skipped=skipped,
        windows=tuple(sorted(analyzers)),
        forms=forms,
        pages=pages,
        heat=heat,
    )
