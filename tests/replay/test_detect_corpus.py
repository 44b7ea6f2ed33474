"""The detectors on the labelled recordings of fixtures/replay-corpus (real rrweb 2.2.2 in headless Chromium).

Precision and recall must be at least 0.9 for each labelled kind; bench/detect_eval.py prints the same figures with the
false positives and misses. How a signal is matched to a label is in replay/detect/evaluation.py.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import orjson
import pytest

from replay.detect import DetectConfig, SessionAnalysis, Signal, analyze_session
from replay.detect.evaluation import LabelledSession, evaluate, parse_compound, read_labelled_session

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "replay-corpus"
LABELLED_KINDS = ("rage_click", "dead_click", "form_abandonment")


@lru_cache(maxsize=1)
def corpus() -> tuple[tuple[LabelledSession, SessionAnalysis], ...]:
    out = []
    for path in sorted(CORPUS.glob("sess_*.json")):
        session = read_labelled_session(orjson.loads(path.read_bytes()))
        out.append((session, analyze_session(session.session_id, {"window": session.events}, DetectConfig())))
    return tuple(out)


def test_the_corpus_is_there() -> None:
    assert len(corpus()) == 17
    assert sum(len(session.labels) for session, _ in corpus()) == 20


@pytest.mark.parametrize("kind", LABELLED_KINDS)
def test_precision_and_recall_are_at_least_0_9(kind: str) -> None:
    signals = [s for _, analysis in corpus() for s in analysis.signals]
    labels = [label for session, _ in corpus() for label in session.labels]
    score = evaluate(signals, labels, [kind])[kind]
    assert score.labels > 0
    assert score.precision is not None and score.precision >= 0.9, score.false_positives
    assert score.recall is not None and score.recall >= 0.9, score.missed


_AT = re.compile(r"@(\d+)$")
_SELECTOR = re.compile(r'\[data-testid="[^"]+"\]')


def control_behaviours() -> list[tuple[LabelledSession, str, int]]:
    """The negatives that are fast clicks on a control that responds: counters, carousels, double-clicks."""
    found = []
    for session, _ in corpus():
        for negative in session.negatives:
            at, selector = _AT.search(negative), _SELECTOR.search(negative)
            if at and selector and ("not rage" in negative):
                found.append((session, selector.group(0), int(at.group(1))))
    return found


def test_the_corpus_has_control_behaviours_to_check() -> None:
    described = [n for session, _ in corpus() for n in session.negatives if "not rage" in n]
    assert len(control_behaviours()) == len(described) == 7
    assert sum("double-click" in n for n in described) == 2
    assert sum("fast clicks" in n and "changes the DOM" in n for n in described) == 5


@pytest.mark.parametrize(
    ("session_id", "selector", "at"),
    [(session.session_id, selector, at) for session, selector, at in control_behaviours()],
)
def test_no_rage_click_is_flagged_on_controls_that_respond(session_id: str, selector: str, at: int) -> None:
    analysis = next(a for s, a in corpus() if s.session_id == session_id)
    wanted = parse_compound(selector)
    assert wanted is not None

    def on_the_control(signal: Signal) -> bool:
        found = parse_compound(signal.selector)
        return found is not None and wanted.within(found)

    flagged = [
        s
        for s in analysis.signals
        if s.kind in ("rage_click", "dead_click") and at - 100 <= s.timestamp <= at + 3000 and on_the_control(s)
    ]
    assert flagged == []


def test_normal_mouse_movement_is_never_a_thrashed_cursor_and_nothing_logs_errors() -> None:
    # The corpus' human-like mouse paths (eased moves, overshoot, jitter) must not look like thrashing.
    assert sum(analysis.counts["thrashed_cursor"] for _, analysis in corpus()) == 0
    assert sum(analysis.counts["error_click"] for _, analysis in corpus()) == 0


def test_sessions_without_labels_have_no_signals() -> None:
    quiet = [analysis for session, analysis in corpus() if not session.labels]
    assert len(quiet) == 4
    assert [s for analysis in quiet for s in analysis.signals] == []
