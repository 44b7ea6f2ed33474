"""The detectors on fixtures/spa-corpus: real recordings of a single-page admin app (route changes without page loads,
components without ids, autosave and fetch-submitted forms, a modal, a wizard, shadow DOM, an iframe, phone taps).

Issue 22's bar: precision and recall at least 0.95 for each labelled kind, no signal on the control behaviours the
corpus lists (its `negatives`), and autosave forms never flagged. `python bench/detect_eval.py fixtures/spa-corpus`
prints the same figures with the false positives and misses.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import orjson
import pytest

from replay.detect import DetectConfig, SessionAnalysis, Signal, analyze_session
from replay.detect.evaluation import LabelledSession, evaluate, matches, parse_compound, read_labelled_session

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "spa-corpus"
LABELLED_KINDS = ("rage_click", "dead_click", "form_abandonment", "error_click")
_AT = re.compile(r"@(\d+)$")
# What a control behaviour must not be reported as, by the words its description ends with.
_RULED_OUT = (
    ("not rage", "rage_click"),
    ("not dead", "dead_click"),
    ("navigation", "dead_click"),
    ("not abandonment", "form_abandonment"),
    ("not a form", "form_abandonment"),
)


@lru_cache(maxsize=1)
def corpus() -> tuple[tuple[LabelledSession, SessionAnalysis], ...]:
    out = []
    for path in sorted(CORPUS.glob("sess_*.json")):
        session = read_labelled_session(orjson.loads(path.read_bytes()))
        out.append((session, analyze_session(session.session_id, {"window": session.events}, DetectConfig())))
    return tuple(out)


@pytest.mark.parametrize("kind", LABELLED_KINDS)
def test_precision_and_recall_are_at_least_0_95(kind: str) -> None:
    signals = [s for _, analysis in corpus() for s in analysis.signals]
    labels = [label for session, _ in corpus() for label in session.labels]
    score = evaluate(signals, labels, [kind])[kind]
    assert score.labels >= 5
    assert score.precision is not None and score.precision >= 0.95, score.false_positives
    assert score.recall is not None and score.recall >= 0.95, score.missed


def _around(signal: Signal, at: int) -> bool:
    """Whether a signal is about what happened at `at`: its clicks start there, or its form episode spans it."""
    if signal.kind == "form_abandonment":
        return int(signal.details["started_at"]) - 1000 <= at <= int(signal.details["left_at"]) + 1000
    return at - 50 <= signal.timestamp <= at + 4000


def test_no_signal_on_a_control_behaviour() -> None:
    reported = []
    for session, analysis in corpus():
        for negative in session.negatives:
            at = _AT.search(negative)
            assert at, negative
            ruled_out = {kind for words, kind in _RULED_OUT if words in negative}
            reported += [
                (negative, signal.kind, signal.selector) for signal in analysis.signals
                if signal.kind in ruled_out and _around(signal, int(at.group(1)))
                and not any(matches(signal, label) for label in session.labels)  # a labelled episode next to it
            ]
    assert reported == []


def test_autosave_forms_are_never_flagged_and_are_reported_apart() -> None:
    sessions = 0
    for session, analysis in corpus():
        autosave = {m.group(1) for n in session.negatives if (m := re.match(r"autosave form (\S+)", n))}
        if not autosave:
            continue
        sessions += 1
        forms = [parse_compound(selector) for selector in autosave]
        flagged = [s.selector for s in analysis.signals if s.kind == "form_abandonment"
                   and any(f is not None and f.within(parse_compound(s.selector) or f, pseudos=False) for f in forms)]
        assert flagged == [], session.session_id
        assert any(outcome.autosave and outcome.saved_changes > 0 for outcome in analysis.forms), session.session_id
    assert sessions >= 5
