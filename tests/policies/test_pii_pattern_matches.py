"""A regex's time limit (`regex_timeout_ms`) is wall-clock time in the regex module, per search: a thread descheduled
in the middle of an ordinary search (a loaded machine) used it up, and the string came back "[UNSCANNED]" when it
happened twice. pattern_matches tries such a search again, and gives up on a regex that uses the limit in CPU time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import regex
from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer import pattern_recognizer as presidio_patterns

from policies.pii import pattern_matches as module
from policies.pii.pattern_matches import pattern_matches

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
    assert stalled.tries == module._TRIES


def test_a_regex_that_uses_its_limit_in_cpu_time_is_given_up() -> None:
    # Catastrophic backtracking: each search uses CPU time until the limit interrupts it.
    pattern = Pattern("evil", r"(a|aa)+$", 0.9)
    evil = Counted(regex.compile(pattern.regex))
    recognizer = recognizer_with(pattern, evil)
    assert pattern_matches(recognizer, recognizer.patterns, "a" * 40 + "!") == []
    assert 1 <= evil.interrupted == evil.tries <= module._TRIES  # interrupted each time, and given up
