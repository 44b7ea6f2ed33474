"""Precision and recall of the frustration detectors on a labelled corpus of rrweb recordings.

    python bench/detect_eval.py [CORPUS_DIR]      # default: fixtures/replay-corpus

Each `sess_*.json` holds one session's events and its ground-truth labels. Every session is analysed with the default
thresholds (DESIGN.md), then signals are matched one-to-one to labels (maximum bipartite matching, so one signal never
counts for two labels nor two signals for one). A signal matches a label only if all of these hold
(replay/detect/evaluation.py has the code and the reasons):

- same session and kind;
- same page: equal page URLs once normalized (ids in the path -> :id, query dropped);
- same element: every part of the label's selector (tag, #id, .class, [attr="value"]) appears in the signal's
  selector, which names the element itself; a parent, child or neighbour does not match, and a selector naming two
  ids or two values of one attribute matches nothing;
- same moment: for clicks, every click the signal reports lies inside the label's interval (mouse-down of the first
  click to mouse-up of the last), with no tolerance; for an abandoned form, the first input and the moment the page
  was left are each within 1 s of the label's start and end.

Precision = matched signals / signals, recall = matched labels / labels, per kind. Unmatched signals (false
positives) and labels (misses) are listed so that a drop in a figure can be read, not guessed at.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from replay.detect import KINDS, DetectConfig, analyze_session
from replay.detect.evaluation import evaluate, read_labelled_session

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "fixtures" / "replay-corpus"


def _figure(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    files = sorted(corpus.glob("sess_*.json"))
    if not files:
        print(f"no sess_*.json in {corpus}", file=sys.stderr)
        return 2
    config = DetectConfig()
    signals, labels = [], []
    for path in files:
        session = read_labelled_session(orjson.loads(path.read_bytes()))
        analysis = analyze_session(session.session_id, {"window": session.events}, config)
        signals.extend(analysis.signals)
        labels.extend(session.labels)
    scores = evaluate(signals, labels, KINDS)

    print(f"corpus: {corpus} ({len(files)} sessions, {len(labels)} labels, {len(signals)} signals)")
    print(f"{'kind':<18}{'labels':>7}{'signals':>8}{'matched':>8}{'precision':>10}{'recall':>8}")
    for kind, score in scores.items():
        print(
            f"{kind:<18}{score.labels:>7}{score.signals:>8}{score.matched:>8}"
            f"{_figure(score.precision):>10}{_figure(score.recall):>8}"
        )
    print("(n/a: no signals of that kind, or no labels of that kind in this corpus)")
    for score in scores.values():
        for signal in score.false_positives:
            where = f"{signal.session_id} @{signal.timestamp} {signal.selector} {signal.page_url}"
            print(f"false positive: {signal.kind} {where}")
        for label in score.missed:
            print(f"missed: {label.kind} {label.session_id} @{label.t_start_ms}-{label.t_end_ms} {label.selector}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
