"""The regex time limit (`regex_timeout_ms`) as this project applies it: Presidio's "timed out" warnings counted per
thread, and a search stopped by the wall clock without using the limit in CPU time tried again.

The `regex` module's limit is wall-clock time, per search; Presidio skips a pattern whose search timed out and says so
only in its log (engine.py's filter counts those records into TIMEOUTS, and the analyzer turns them into a signal so
that the caller fails closed). pattern_matches.py runs our searches within_cpu_limit; presidio_run does the same for a
recognizer whose regexes Presidio's own code runs (IbanRecognizer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from presidio_analyzer import RecognizerResult

from policies.pii import scan_clock

_TRIES = 5  # of a regex whose searches time out in wall-clock time without using it in CPU time (within_cpu_limit)
_T = TypeVar("_T")


class _Timeouts(threading.local):
    """Presidio's "timed out" warnings on this thread (engine.py's log filter counts them; the analyzer reads them)."""

    count = 0


TIMEOUTS = _Timeouts()


def within_cpu_limit(attempt: Callable[[], _T | None], limit: float) -> _T | None:
    """`attempt()` (a regex search under the regex module's time limit; None: it timed out) until it gives an answer;
    None if the tries since the first have used `limit` seconds of CPU time, or after _TRIES tries.

    The regex module's limit is wall-clock time, per search. A busy machine that deschedules this thread in the middle
    of an ordinary search uses it up (an e-mail pattern over 181 characters: 70 ms of wall clock for 0.2 ms of CPU, at
    load 14), and the string came back "[UNSCANNED]" when that happened twice. Such a search is run again; a regex that
    is really costly uses the limit in CPU time, counted from the first try, and is given up within a try or two. At
    most _TRIES tries, so that a thread starved for seconds still gives up. On the analyzer's own path (no NER) this is
    the only layer that tries a search again: detect.py runs a string that timed out alone, once, to tell which of a
    batch's strings was costly. With NER, Presidio's engine runs its own pattern recognizers with its own loop, and
    detect.py runs a timed-out analysis once more instead. CPU time is read on scan_clock, the clock of the scan's
    budget: a collection that happens during a try is not the regex's cost."""
    started = scan_clock.now()
    for _ in range(_TRIES):
        found = attempt()
        if found is not None:
            return found
        if scan_clock.now() - started >= limit:
            break
    return None


def presidio_run(run: Callable[[], list[RecognizerResult]], limit: float) -> list[RecognizerResult]:
    """`run()`, a recognizer that runs its regexes with Presidio's own code (IbanRecognizer's `analyze`), within
    within_cpu_limit: Presidio skips a pattern whose search timed out, with its "timed out" warning (counted by
    TIMEOUTS); such a run is tried again, its warnings not counted, until one has none or the tries have used `limit`
    seconds of CPU time. That charges the whole run (every pattern's search and the validation) against one search's
    limit: it gives up no later than a search that used the limit alone would make it. The last try's warnings stay
    counted: the caller fails closed."""
    before = TIMEOUTS.count
    last: list[RecognizerResult] = []

    def attempt() -> list[RecognizerResult] | None:
        nonlocal last
        TIMEOUTS.count = before
        last = run()
        return last if TIMEOUTS.count == before else None

    found = within_cpu_limit(attempt, limit)
    return last if found is None else found
