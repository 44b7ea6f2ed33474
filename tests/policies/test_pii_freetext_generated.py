"""A regression guard on person names in free text, measured on an independent generated set (issue 14).

tests/policies/freetext_cases.py writes support tickets, CRM notes, chat lines, e-mails, call logs, calendar and
task titles, commit and audit lines, notifications, page titles, button texts and @mentions in six languages, with a
person's name in one of many written forms, and benign look-alikes (brands, companies, places, UI phrases, months).

When this test was written (seed 1, 600 cases), PERSON leaked 144 of 433 (33.3 %); after stop 42's name rules 126
(29.1 %). BENIGN kept 142 of 167 (85.0 %), of which the plain look-alikes (not named after a person: brands,
companies, places, colours, UI phrases, months, software) 120 of 126 (95.2 %), the ones named after a person (Hugo
Boss, Victoria Station, Albert Heijn, Charles de Gaulle) 22 of 41. The test fails when the leak rate rises more than 3
points above that, or a benign kept rate falls more than 2 points below it. It does not hold the detectors to these
rates: move the figures here when they improve.
"""

from __future__ import annotations

import pytest

from tests.policies.freetext_cases import Case, Result, cases, run, summary, survivors
from tests.policies.pii_cases import default_scrubber, scrubbed

SEED, N = 1, 600
PERSON_LEAK_PCT_TODAY = 29.1
BENIGN_KEPT_PCT_TODAY = 85.0
PLAIN_KEPT_PCT_TODAY = 95.2


@pytest.fixture(scope="module")
def results() -> list[Result]:
    scrubber = default_scrubber(b"freetext-generated-key-0123456789abcdef")

    def scrub(key: str, value: str) -> str | None:
        out = scrubbed(scrubber, key, value)
        return None if out is None else str(out)
    return run(cases(SEED, N), scrub)


def test_person_names_in_free_text_leak_no_more_than_today(results: list[Result]) -> None:
    s = summary(results)
    assert s["person"] > 350
    assert s["person_leak_pct"] <= PERSON_LEAK_PCT_TODAY + 3.0, s


def test_benign_look_alikes_are_kept_as_often_as_today(results: list[Result]) -> None:
    s = summary(results)
    assert s["benign"] > 120
    assert s["benign_kept_pct"] >= BENIGN_KEPT_PCT_TODAY - 2.0, s
    plain = [r for r in results if r.case.kind == "BENIGN" and not r.case.labels["class"].endswith("_personname")]
    kept = sum(not r.failed for r in plain)
    assert 100.0 * kept / len(plain) >= PLAIN_KEPT_PCT_TODAY - 2.0, [(r.case.value, r.out) for r in plain if r.failed]


def test_a_seed_gives_the_same_cases() -> None:
    assert cases(7, 50) == cases(7, 50)
    assert cases(7, 50) != cases(8, 50)


def test_a_leak_is_a_name_or_one_of_its_words_as_a_whole_word() -> None:
    forms = ("Anna Schmidt", "Anna", "Schmidt")
    assert survivors(forms, "Call with [PERSON] tomorrow") == ()
    assert survivors(forms, "Call with ANNA [PERSON] tomorrow") == ("Anna",)
    assert survivors(forms, "see @anna.schmidt") == ("Anna", "Schmidt")
    # A surname inside another word is not the surname.
    assert survivors(forms, "Schmidtstraße 4 and Annabel") == ()
    # A genitive s is still the name (`Annas Idee`).
    assert survivors(forms, "War das nicht Annas Idee?") == ("Anna",)


def test_every_person_case_says_what_must_not_survive() -> None:
    items: list[Case] = cases(SEED, 300)
    for c in items:
        if c.kind == "PERSON":
            assert c.forms and all(len(f) >= 2 for f in c.forms)
            # The planted name is in the value, so a scrubber that does nothing leaks every case.
            assert survivors(c.forms, c.value)
