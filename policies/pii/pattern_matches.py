"""A pattern recognizer's regexes run over a text: what Presidio's PatternRecognizer.analyze returns, without its
per-pattern plumbing.

Presidio's loop (`PatternRecognizer.__analyze_patterns`) reads the clock twice per pattern for a debug log line, builds
an explanation object for every match, and sorts even an empty list through `remove_duplicates`. The analyzer runs
about ten recognizers per batch of strings, each with the few patterns whose gates opened (patterngates.py), so that
plumbing cost as much as the regexes. Kept exactly: the patterns in their order, the same Pattern objects and compiled
regexes (compiled with the recognizer's flags, at start-up by compile_patterns or on first use as Presidio does),
empty matches skipped, `validate_result` and `invalidate_result` setting the score, score 0 dropped, `remove_duplicates`
over the recognizer's results, and a regex time-out (in CPU time: see regex_time.py): the pattern is skipped with
Presidio's "timed out" warning on its logger, which engine.py turns into a signal (`REGEX_TIMEOUT_SECONDS` is read
from Presidio's module at each call, where engine.py sets it). An explanation is built only where a recognizer reads one
(`explain`); the analyzer drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer import pattern_recognizer as _pattern_module

from policies.pii.regex_time import within_cpu_limit

_LOGGER = logging.getLogger("presidio-analyzer")  # Presidio's: engine.py's filter counts its "timed out" records
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
    """The regex's matches in `text`; None if its searches timed out (regex_time.within_cpu_limit)."""

    def search() -> list[Any] | None:
        try:
            return list(compiled.finditer(text, timeout=timeout))
        except TimeoutError:
            return None

    return within_cpu_limit(search, timeout)


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
