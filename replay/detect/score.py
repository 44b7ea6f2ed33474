"""The per-session frustration score that orders the support agents' review queue.

A weighted count of the session's signals (weights per kind in `[replay.detect.weights]`): simple enough that an agent
can tell why one session sits above another ("two rage clicks and an abandoned form"), and additive so that a session
analysed again after it grew can only move up.
"""

from __future__ import annotations

from collections.abc import Iterable

from policies.detect import KINDS, DetectConfig
from replay.detect.signal import Signal


def count_by_kind(signals: Iterable[Signal]) -> dict[str, int]:
    """Number of signals of each kind; every kind is present, with 0 when absent."""
    counts = dict.fromkeys(KINDS, 0)
    for signal in signals:
        counts[signal.kind] = counts.get(signal.kind, 0) + 1
    return counts


def frustration_score(counts: dict[str, int], config: DetectConfig) -> float:
    # The 0.0 start keeps the result a float with no signals too: compiled (mypyc) code turns an int into a float at
    # this annotation, and pure Python would otherwise answer 0, so the two would print differently in JSON.
    return round(sum((config.weight(kind) * n for kind, n in counts.items()), 0.0), 3)
