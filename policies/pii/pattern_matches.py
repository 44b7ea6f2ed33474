"""A pattern recognizer's regexes run over a text: what Presidio's PatternRecognizer.analyze returns, without its
per-pattern plumbing.

Presidio's loop (`PatternRecognizer.__analyze_patterns`) reads the clock twice per pattern for a debug log line, builds
an explanation object for every match, and sorts even an empty list through `remove_duplicates`. The analyzer runs
about ten recognizers per batch of strings, each with the few patterns whose gates opened (patterngates.py), so that
plumbing cost as much as the regexes. Kept exactly: the patterns in their order, the same Pattern objects and compiled
regexes (compiled with the recognizer's flags, at start-up by compile_patterns or on first use as Presidio does),
empty matches skipped, `validate_result` and `invalidate_result` setting the score, score 0 dropped, `remove_duplicates`
over the recognizer's results, and a regex time-out (in CPU time: see within_cpu_limit): the pattern is skipped with
Presidio's "timed out" warning on its logger, which engine.py turns into a signal (`REGEX_TIMEOUT_SECONDS` is read
from Presidio's module at each call, where engine.py sets it). An explanation is built only where a recognizer reads one
(`explain`); the analyzer drops them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer import pattern_recognizer as _pattern_module

_LOGGER = logging.getLogger("presidio-analyzer")  # Presidio's: engine.py's filter counts its "timed out" records
_TRIES = 5  # of a regex whose searches time out in wall-clock time without using it in CPU time (within_cpu_limit)
_T = TypeVar("_T")


class _Timeouts(threading.local):
    """Presidio's "timed out" warnings on this thread (engine.py's log filter counts them; the analyzer reads them)."""

    count = 0


TIMEOUTS = _Timeouts()


def pattern_matches(recognizer: PatternRecognizer, patterns: Sequence[Pattern], text: str, flags: Any = None,
                    explain: bool = False) -> list[RecognizerResult]:
    """`recognizer.analyze(text, …, regex_flags=flags)` as Presidio's PatternRecognizer computes it, with `patterns` in
    place of `recognizer.patterns` (a sublist of them: the ones whose gates opened)."""
    # As Presidio: the recognizer's flags unless others are given (None if it has none, which the regex module refuses).
    flags = flags if flags else recognizer.global_regex_flags  # typed int, may be None
    timeout = _pattern_module.REGEX_TIMEOUT_SECONDS
    results: list[RecognizerResult] = []
    for pattern in patterns:
        matches = _matches(_compiled(pattern, flags), text, timeout)
        if matches is None:
            _LOGGER.warning("Regex pattern '%s' timed out after %s seconds, skipping.", pattern.name, timeout)
            continue
        for match in matches:
            start, end = match.span()
            if start != end:
                _add(results, recognizer, pattern, text[start:end], start, end, flags, explain)
    # remove_duplicates keeps one result with a score as it is: the sort is for two or more.
    return deduplicated(results) if len(results) > 1 else results


def deduplicated(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """`EntityRecognizer.remove_duplicates(results)`, without its hashing and sorting where they would change nothing:
    results of one entity type and one score above 0, in order of their starts and ends with none inside another (as
    one recognizer mostly finds them: the name finder's names, a pattern's matches, a text's phone numbers). No two of
    them are equal and none is contained in another, so remove_duplicates drops none, and its order (highest score,
    then start, longest first) is theirs: it returns them as they are. Any other list goes through it."""
    if results:
        entity, score, start, end = results[0].entity_type, results[0].score, -1, -1
        for result in results:
            # Starts and ends both increasing: none is inside one before it (whose start is smaller, its end too).
            if (result.entity_type != entity or result.score != score or not score > 0 or result.start <= start
                    or result.end <= end):
                return EntityRecognizer.remove_duplicates(results)
            start, end = result.start, result.end
    return results


def _matches(compiled: Any, text: str, timeout: float) -> list[Any] | None:
    """The regex's matches in `text`; None if its searches timed out (see within_cpu_limit)."""

    def search() -> list[Any] | None:
        try:
            return list(compiled.finditer(text, timeout=timeout))
        except TimeoutError:
            return None

    return within_cpu_limit(search, timeout)


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
    detect.py runs a timed-out analysis once more instead."""
    started = time.thread_time()
    for _ in range(_TRIES):
        found = attempt()
        if found is not None:
            return found
        if time.thread_time() - started >= limit:
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


def compile_patterns(recognizer: PatternRecognizer) -> None:
    """The recognizer's patterns compiled with its flags, as pattern_matches and Presidio's `analyze` would compile them
    on first use. The analyzer does it at start-up: a scan's time budget counts its CPU time, and a regex compiled
    inside it (tens of milliseconds for the address and password patterns, more on a busy machine) made the first
    string that opened such a pattern's gate "[UNSCANNED]"."""
    for pattern in recognizer.patterns:
        _compiled(pattern, recognizer.global_regex_flags)


def _compiled(pattern: Pattern, flags: Any) -> Any:  # Any: Presidio types compiled_with_flags as None
    compiled: Any = pattern.compiled_regex  # Presidio's hints say None: it is set on first use
    if not compiled or pattern.compiled_with_flags != flags:
        compiled = regex.compile(pattern.regex, flags=flags)
        pattern.compiled_with_flags, pattern.compiled_regex = flags, compiled
    return compiled


def _add(results: list[RecognizerResult], recognizer: PatternRecognizer, pattern: Pattern, found: str, start: int,
         end: int, flags: int | None, explain: bool) -> None:
    score = pattern.score
    validation = recognizer.validate_result(found)
    if validation is not None:
        score = EntityRecognizer.MAX_SCORE if validation else EntityRecognizer.MIN_SCORE
    if recognizer.invalidate_result(found):
        score = EntityRecognizer.MIN_SCORE
    if score <= EntityRecognizer.MIN_SCORE:
        return
    explanation = None
    if explain:
        # The arguments Presidio passes (its hints say bool and int; it passes None where there is none).
        explanation = PatternRecognizer.build_regex_explanation(recognizer.name, pattern.name, pattern.regex,
                                                                pattern.score, validation, flags)  # type: ignore[arg-type]
        explanation.score = score
    results.append(RecognizerResult(recognizer.supported_entities[0], start, end, score,
                                    analysis_explanation=explanation,
                                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
                                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id}))
