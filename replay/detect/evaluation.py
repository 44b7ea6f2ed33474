"""Score detections against ground-truth labels: precision and recall per kind.

A label is `{kind, t_start_ms, t_end_ms, selector, page_url}` (the format of fixtures/replay-corpus). A signal matches
a label only if ALL of these hold:

1. same session and same kind;
2. same page: the signal's page_url equals the label's page_url once normalized (replay.urls);
3. same element: every part of the label's CSS selector (tag, #id, .class, [attr="value"]) is present in the signal's
   selector. Our selectors name the element itself (`span.bell[data-testid="seat-map"]`), so a signal on a parent, a
   child or a neighbour of the labelled element does not match. A signal selector that states two ids or two values
   of one attribute names no real element and matches nothing (it could otherwise claim several labels' elements at
   once). When a label selector has combinators, its last compound (the subject) is used;
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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from replay.detect.signal import FORM_ABANDONMENT, RAGE_CLICK, Signal
from replay.urls import normalize_page_url

FORM_TOLERANCE_MS = 1000

_COMPOUND_PART = re.compile(
    r"""(?P<tag>^[A-Za-z][A-Za-z0-9-]*|^\*)
      | \#(?P<id>(?:\\.|[A-Za-z0-9_-])+)
      | \.(?P<cls>(?:\\.|[A-Za-z0-9_-])+)
      | \[\s*(?P<attr>[A-Za-z_:][-A-Za-z0-9_:.]*)\s*
          (?:=\s*(?P<value>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^\]\s]+)\s*)?\]
      | (?P<pseudo>:{1,2}[A-Za-z-]+(?:\([^)]*\))?)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Compound:
    """One compound selector: `tag#id.cls[attr="value"]`."""

    tag: str = ""
    id: str = ""
    classes: frozenset[str] = frozenset()
    attrs: frozenset[tuple[str, str | None]] = frozenset()
    contradictory: bool = False  # two ids, or two values for one attribute: no element can match it

    def within(self, other: Compound) -> bool:
        """Whether every condition of self is also stated by `other` (an [attr] without value needs the attribute)."""
        if self.tag and self.tag != other.tag:
            return False
        if self.id and self.id != other.id:
            return False
        if not self.classes <= other.classes:
            return False
        other_names = {name for name, _ in other.attrs}
        return all(
            (name, value) in other.attrs if value is not None else name in other_names for name, value in self.attrs
        )


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_compound(selector: str) -> Compound | None:
    """The subject (last compound) of a CSS selector; None if it cannot be read."""
    subject = re.split(r"\s*[>+~]\s*|\s+(?![^\[]*\])", selector.strip())[-1] if selector.strip() else ""
    if not subject:
        return None
    tag, id_ = "", ""
    classes: set[str] = set()
    attrs: set[tuple[str, str | None]] = set()
    contradictory = False
    pos = 0
    while pos < len(subject):
        match = _COMPOUND_PART.match(subject, pos)
        if not match or match.end() == pos:
            return None
        if match.group("tag") and match.group("tag") != "*":
            tag = match.group("tag").lower()
        elif match.group("id"):
            contradictory |= bool(id_)
            id_ = _unescape(match.group("id"))
        elif match.group("cls"):
            classes.add(_unescape(match.group("cls")))
        elif match.group("attr"):
            value = match.group("value")
            if value is not None and value[:1] in "\"'":
                value = _unescape(value[1:-1])
            name = match.group("attr").lower()
            contradictory |= any(n == name and v != value for n, v in attrs)
            attrs.add((name, value))
        pos = match.end()
    return Compound(tag, id_, frozenset(classes), frozenset(attrs), contradictory)


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
    if wanted is None or found is None or found.contradictory or not wanted.within(found):
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
