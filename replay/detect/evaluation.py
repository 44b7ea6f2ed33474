"""Score detections against ground-truth labels: precision and recall per kind.

A label is `{kind, t_start_ms, t_end_ms, selector, page_url}` (the format of fixtures/replay-corpus). A signal matches
a label only if ALL of these hold:

1. same session and same kind;
2. same page: the signal's page_url equals the label's page_url once normalized (replay.urls);
3. same element: every part of the label's CSS selector (tag, #id, .class, [attr="value"]) is present in the signal's
   selector. Our selectors name the element itself (`span.bell[data-testid="seat-map"]`), so a signal on a parent, a
   child or a neighbour of the labelled element does not match. A signal selector that states two ids or two values
   of one attribute names no real element and matches nothing (it could otherwise claim several labels' elements at
   once). When a label selector has combinators, its last compound (the subject) is used; pseudo-classes
   (`:has-text(...)`, `:nth-of-type(n)`) are left out on both sides, as labels may be written in another dialect;
4. same moment:
   - clicks (rage_click, dead_click, and any other click kind): every click the signal reports lies inside the label's
     interval, with no tolerance. The label interval runs from just before the first mouse-down to just after the last
     mouse-up, so it contains exactly the clicks of the episode; a signal for a neighbouring click falls outside it;
   - form_abandonment: the signal's start (first input) and end (the page left or the recording ended) each within
     FORM_TOLERANCE_MS of the label's. Episodes last many seconds, so the tolerance does not let a signal for another
     visit of the same form match.

Matching is one-to-one (maximum bipartite matching): two signals cannot both claim one label, and one signal cannot
satisfy two labels. Precision = matched signals / signals; recall = matched labels / labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.element_selector import Compound, parse_compound
from replay.detect.signal import FORM_ABANDONMENT, RAGE_CLICK, Signal
from replay.urls import normalize_page_url

FORM_TOLERANCE_MS = 1000

__all__ = ["Compound", "KindScore", "Label", "LabelledSession", "evaluate", "match_one_to_one", "matches",
           "parse_compound", "read_labelled_session"]

@dataclass(frozen=True)
class Label:
    session_id: str
    kind: str
    t_start_ms: int
    t_end_ms: int
    selector: str
    page_url: str

    @classmethod
    def from_dict(cls, session_id: str, data: Mapping[str, Any]) -> Label:
        return cls(
            session_id=session_id,
            kind=str(data["kind"]),
            t_start_ms=int(data["t_start_ms"]),
            t_end_ms=int(data["t_end_ms"]),
            selector=str(data.get("selector", "")),
            page_url=str(data.get("page_url", "")),
        )


def _click_times(signal: Signal) -> tuple[int, int]:
    if signal.kind == RAGE_CLICK:
        details = signal.details
        return int(details.get("first_click_at", signal.timestamp)), int(details.get("last_click_at", signal.timestamp))
    return signal.timestamp, signal.timestamp


def matches(signal: Signal, label: Label) -> bool:
    if signal.session_id != label.session_id or signal.kind != label.kind:
        return False
    if signal.page_url != normalize_page_url(label.page_url):
        return False
    wanted, found = parse_compound(label.selector), parse_compound(signal.selector)
    if wanted is None or found is None or found.contradictory or not wanted.within(found, pseudos=False):
        return False
    if signal.kind == FORM_ABANDONMENT:
        start = int(signal.details.get("started_at", signal.timestamp))
        end = int(signal.details.get("left_at", signal.timestamp))
        return abs(start - label.t_start_ms) <= FORM_TOLERANCE_MS and abs(end - label.t_end_ms) <= FORM_TOLERANCE_MS
    first, last = _click_times(signal)
    return label.t_start_ms <= first and last <= label.t_end_ms


def match_one_to_one(signals: Sequence[Signal], labels: Sequence[Label]) -> dict[int, int]:
    """Maximum bipartite matching (Kuhn's augmenting paths): label index -> signal index."""
    edges = [[i for i, s in enumerate(signals) if matches(s, label)] for label in labels]
    owner: dict[int, int] = {}  # signal index -> label index

    def augment(label_index: int, seen: set[int]) -> bool:
        for signal_index in edges[label_index]:
            if signal_index in seen:
                continue
            seen.add(signal_index)
            if signal_index not in owner or augment(owner[signal_index], seen):
                owner[signal_index] = label_index
                return True
        return False

    for label_index in range(len(labels)):
        augment(label_index, set())
    return {label_index: signal_index for signal_index, label_index in owner.items()}


@dataclass
class KindScore:
    kind: str
    labels: int = 0
    signals: int = 0
    matched: int = 0
    false_positives: list[Signal] = field(default_factory=list)
    missed: list[Label] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.matched / self.signals if self.signals else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.labels if self.labels else None


def evaluate(signals: Iterable[Signal], labels: Iterable[Label], kinds: Iterable[str]) -> dict[str, KindScore]:
    """Precision and recall per kind. A kind with no signals has precision None; with no labels, recall None."""
    all_signals, all_labels = list(signals), list(labels)
    scores: dict[str, KindScore] = {}
    for kind in kinds:
        kind_signals = [s for s in all_signals if s.kind == kind]
        kind_labels = [label for label in all_labels if label.kind == kind]
        matched = match_one_to_one(kind_signals, kind_labels)
        used = set(matched.values())
        scores[kind] = KindScore(
            kind=kind,
            labels=len(kind_labels),
            signals=len(kind_signals),
            matched=len(matched),
            false_positives=[s for i, s in enumerate(kind_signals) if i not in used],
            missed=[label for i, label in enumerate(kind_labels) if i not in matched],
        )
    return scores


@dataclass(frozen=True)
class LabelledSession:
    """One recording of the labelled-corpus format: `{session_id, events, labels, negatives}`."""

    session_id: str
    events: list[dict[str, Any]]
    labels: list[Label]
    negatives: list[str]


def read_labelled_session(data: Mapping[str, Any]) -> LabelledSession:
    session_id = str(data["session_id"])
    return LabelledSession(
        session_id=session_id,
        events=list(data.get("events") or []),
        labels=[Label.from_dict(session_id, label) for label in data.get("labels") or []],
        negatives=[str(n) for n in data.get("negatives") or []],
    )
