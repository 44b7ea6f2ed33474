"""A regex's time limit (`regex_timeout_ms`) is wall-clock time in the regex module, per search: a thread descheduled
in the middle of an ordinary search (a loaded machine) used it up, and the string came back "[UNSCANNED]" when it
happened twice. pattern_matches tries such a search again, and gives up on a regex that uses the limit in CPU time,
counted from the first try; so is a run of Presidio's IbanRecognizer, which runs its regexes itself."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer import pattern_recognizer as presidio_patterns
from presidio_analyzer.predefined_recognizers.generic import iban_recognizer as iban_module

from policies.pii import regex_time
from policies.pii.engine import _set_regex_timeout
from policies.pii.pattern_matches import deduplicated, pattern_matches
from policies.pii.recognizers import StallRetriedIbanRecognizer

LIMIT_S = 0.1  # the policy's default `regex_timeout_ms`, which engine.py sets in Presidio's module


@pytest.fixture(autouse=True)
def limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presidio_patterns, "REGEX_TIMEOUT_SECONDS", LIMIT_S)


class Descheduled:
    """A compiled regex whose first `stalls` searches are interrupted as the regex module interrupts one whose
    thread the machine did not run for longer than the limit: the wall clock passes (a sleep uses no CPU time), then
    TimeoutError. The searches after them are the real regex's."""

    def __init__(self, compiled: Any, stalls: int) -> None:
        self.compiled, self.stalls, self.tries = compiled, stalls, 0

    def finditer(self, text: str, timeout: float) -> Iterator[Any]:
        self.tries += 1
        if self.tries <= self.stalls:
            time.sleep(timeout * 1.5)
            raise TimeoutError("regex timed out")
        return self.compiled.finditer(text, timeout=timeout)


class Counted:
    """A compiled regex whose searches, and those the limit interrupted, are counted."""

    def __init__(self, compiled: Any) -> None:
        self.compiled, self.tries, self.interrupted = compiled, 0, 0

    def finditer(self, text: str, timeout: float) -> Iterator[Any]:
        self.tries += 1
        try:
            yield from self.compiled.finditer(text, timeout=timeout)
        except TimeoutError:
            self.interrupted += 1
            raise


def recognizer_with(pattern: Pattern, compiled: Any) -> PatternRecognizer:
    recognizer = PatternRecognizer(supported_entity="THING", name="ThingRecognizer", patterns=[pattern])
    pattern.compiled_regex, pattern.compiled_with_flags = compiled, recognizer.global_regex_flags  # as on first use
    return recognizer


def test_a_search_interrupted_by_the_wall_clock_alone_is_tried_again_and_finds_its_match() -> None:
    pattern = Pattern("mail", r"\b\w+@\w+\.com\b", 0.9)
    stalled = Descheduled(regex.compile(pattern.regex), stalls=2)
    recognizer = recognizer_with(pattern, stalled)
    [found] = pattern_matches(recognizer, recognizer.patterns, "write to jane@example.com today")
    assert (found.entity_type, found.start, found.end) == ("THING", 9, 25)
    assert stalled.tries == 3


def test_a_search_that_stays_interrupted_is_given_up_after_its_tries() -> None:
    pattern = Pattern("mail", r"\b\w+@\w+\.com\b", 0.9)
    stalled = Descheduled(regex.compile(pattern.regex), stalls=1000)
    recognizer = recognizer_with(pattern, stalled)
    assert pattern_matches(recognizer, recognizer.patterns, "write to jane@example.com today") == []
    assert stalled.tries == regex_time._TRIES


def test_a_regex_that_uses_its_limit_in_cpu_time_is_given_up() -> None:
    # Catastrophic backtracking: each search uses CPU time until the limit interrupts it.
    pattern = Pattern("evil", r"(a|aa)+$", 0.9)
    evil = Counted(regex.compile(pattern.regex))
    recognizer = recognizer_with(pattern, evil)
    assert pattern_matches(recognizer, recognizer.patterns, "a" * 40 + "!") == []
    assert 1 <= evil.interrupted == evil.tries <= regex_time._TRIES  # interrupted each time, and given up


class Costly:
    """A compiled regex whose every search uses `timeout` seconds of this thread's CPU time, then is interrupted."""

    def __init__(self) -> None:
        self.tries = 0

    def finditer(self, text: str, timeout: float) -> Iterator[Any]:
        self.tries += 1
        started = time.thread_time()
        while time.thread_time() - started < timeout:  # busy: CPU time, not a wait
            pass
        raise TimeoutError("regex timed out")


def test_the_first_search_counts_towards_the_cpu_limit() -> None:
    # A search that used its limit in CPU time on the first try is costly: it is not tried again.
    pattern = Pattern("mail", r"\b\w+@\w+\.com\b", 0.9)
    costly = Costly()
    recognizer = recognizer_with(pattern, costly)
    assert pattern_matches(recognizer, recognizer.patterns, "write to jane@example.com today") == []
    assert costly.tries == 1


def test_a_collection_during_a_try_is_not_counted_towards_the_cpu_limit() -> None:
    # The limit is read on the scan budget's clock (scan_clock): a collection that CPython runs in the middle of a try
    # (here one that takes twice the limit in CPU time) is not the regex's cost, so the search is tried again.
    limit, tries = 0.02, 0

    def slow_collection(phase: str, info: dict[str, Any]) -> None:
        started = time.thread_time()
        while phase == "start" and time.thread_time() - started < 2 * limit:  # busy: CPU time, not a wait
            pass

    def attempt() -> None:
        nonlocal tries
        tries += 1
        gc.callbacks.append(slow_collection)  # after scan_clock's own callback: inside the collection it times
        try:
            gc.collect(0)
        finally:
            gc.callbacks.remove(slow_collection)

    assert regex_time.within_cpu_limit(attempt, limit) is None
    assert tries == regex_time._TRIES


IBAN = "pay to DE89 3704 0044 0532 0130 00 today"


@pytest.fixture()
def signalled() -> Iterator[None]:
    """Presidio's "timed out" records counted, as the analyzer counts them (engine.py)."""
    _set_regex_timeout(LIMIT_S)
    regex_time.TIMEOUTS.count = 0
    yield
    regex_time.TIMEOUTS.count = 0


def test_presidios_own_iban_run_stalled_by_the_wall_clock_is_tried_again(
        signalled: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # IbanRecognizer runs its regexes with Presidio's code (the regex module's `finditer`), which skips a pattern that
    # timed out and logs it: its run is tried again as our searches are, and no time-out is signalled.
    real, calls = iban_module.re.finditer, []

    def stalled_once(*args: Any, **kwargs: Any) -> Iterator[Any]:
        calls.append(args)
        if len(calls) == 1:
            raise TimeoutError("regex timed out")
        return real(*args, **kwargs)

    monkeypatch.setattr(iban_module.re, "finditer", stalled_once)
    [found] = StallRetriedIbanRecognizer().analyze(IBAN, ["IBAN_CODE"])
    assert (found.entity_type, IBAN[found.start : found.end]) == ("IBAN_CODE", "DE89 3704 0044 0532 0130 00")
    assert len(calls) == 2
    assert regex_time.TIMEOUTS.count == 0


def test_presidios_own_iban_run_that_keeps_timing_out_is_signalled(
        signalled: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def stalled(*args: Any, **kwargs: Any) -> Iterator[Any]:
        calls.append(args)
        raise TimeoutError("regex timed out")

    monkeypatch.setattr(iban_module.re, "finditer", stalled)
    assert StallRetriedIbanRecognizer().analyze(IBAN, ["IBAN_CODE"]) == []
    assert len(calls) == regex_time._TRIES
    assert regex_time.TIMEOUTS.count == 1  # the last try's: the analysis fails closed


def _rows(results: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
    return [(r.entity_type, r.start, r.end, r.score) for r in results]


_RESULT = st.builds(lambda entity, start, length, score: RecognizerResult(entity, start, start + length, score),
                    st.sampled_from(["PERSON_NAME", "PHONE_NUMBER"]), st.integers(0, 30), st.integers(0, 8),
                    st.sampled_from([0.0, 0.3, 0.6, 0.6, 1.0]))


@settings(max_examples=1500, deadline=None)
@given(st.lists(_RESULT, max_size=8), st.booleans())
def test_deduplicated_is_presidios_remove_duplicates(results: list[RecognizerResult], in_order: bool) -> None:
    # In order of their starts, as a recognizer mostly gives them, so that the shortcut is taken as well as not.
    if in_order:
        results.sort(key=lambda r: (r.start, r.end))
    expected = _rows(EntityRecognizer.remove_duplicates(list(results)))
    assert _rows(deduplicated(results)) == expected


def test_deduplicated_returns_one_recognizers_findings_as_they_are() -> None:
    names = [RecognizerResult("PERSON_NAME", 0, 8, 0.6), RecognizerResult("PERSON_NAME", 10, 19, 0.6),
             RecognizerResult("PERSON_NAME", 15, 25, 0.6)]
    assert deduplicated(names) is names
    inside = [*names, RecognizerResult("PERSON_NAME", 20, 25, 0.6)]  # inside the one before: dropped
    assert _rows(deduplicated(inside)) == _rows(names)
