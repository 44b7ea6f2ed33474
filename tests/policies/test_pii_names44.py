"""The 2010 Census surnames (issue 14, stop 44): surnames of later immigration that the 1990 list lacks (`Okonkwo`,
`Yilmaz`, `Adebayo`) are listed surnames now, so the rules that need a listed surname find them; the 2010 surnames
that are everyday words of the six languages stay out of the list, so text that uses them as words is kept."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from policies.pii.names import gazetteer
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = "note"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"names44-key-0123456789abcdef0123")


@pytest.mark.parametrize("text, expected", [
    # in lower case, a pair needs a listed surname
    ("grace okonkwo", "[PERSON]"),
    ("call mike okonkwo back", "call [PERSON] back"),
    # a given name that is also an English word needs a listed surname after it
    ("Rose Yilmaz joined the call", "[PERSON] joined the call"),
    ("Patience Eze approved the refund", "[PERSON] approved the refund"),
    ("Assigned to Hope Nwosu", "Assigned to [PERSON]"),
])
def test_a_2010_census_surname_is_a_listed_surname(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("word", ["staat", "joda", "academia", "abrigo"])
def test_a_2010_surname_that_is_an_everyday_word_is_not_listed(word: str) -> None:
    assert word not in gazetteer().surnames


@pytest.mark.parametrize("text", [
    "Je factuur van mei staat klaar",
    "Bump Jackson to 2.17 and drop Joda Time",
    "Abrigo Negro, talla M",
    "Grace period ends on Friday",
])
def test_words_that_are_also_2010_surnames_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, KEY, text) == text
