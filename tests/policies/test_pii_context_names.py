"""Names that context finds, as the scrubber gives them: a listed given name and one of the commonest surnames, both
English words, after a preposition or before a verb (recognizers.PersonInContextRecognizer, NameFinder.common_pair);
names in URL paths (names.py). The examples are this module's own, written for the rules; none comes from an
evaluation corpus or from Faker's person names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer

KEY = b"context-names-key-0123456789abcdef"


@pytest.fixture(scope="module")
def scrubber(tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    analyzer = Analyzer(Path(tmp_path_factory.mktemp("pii-data")), ("US", "GB", "DE", "FR"), 0, 0.1)
    return Scrubber(PiiConfig(), KEY, analyzer=analyzer)


def scrubbed(scrubber: Scrubber, key: str, value: Any) -> Any:
    return scrubber.scrub_value({"properties": {key: value}})[0]["properties"][key]


COMMON_PAIRS = [
    ("Spoke with Hope Fisher about the renewal.", "Spoke with [PERSON] about the renewal."),
    ("Call scheduled for Brandy Tanner at 3pm", "Call scheduled for [PERSON] at 3pm"),
    ("Rückruf bei Hope Fisher wegen Vertrag", "Rückruf bei [PERSON] wegen Vertrag"),
    ("Reunión con Joy Parker el lunes", "Reunión con [PERSON] el lunes"),
    ("Termin mit Dawn Butler am Montag", "Termin mit [PERSON] am Montag"),
    ("Crystal Walker hat angerufen", "[PERSON] hat angerufen"),
    ("Penny Carter called about the order", "[PERSON] called about the order"),
]
# Two words that read as a given name and a surname but name a price, a sale, a product, a brand, a street or a hall.
NOT_COMMON_PAIRS = ["Sort by Max Price", "Lunch with Rose Gold samples", "Feedback from Summer Sale campaign",
                    "Invoice sent to Jordan Brand", "Filter by Young Adult titles", "Delivered to Mark Street",
                    "Shop for Black Friday deals", "Tickets for Grace Hall concert", "Rooms at Park Lane",
                    "Meeting with Grace Period support", "Shipped to New York office"]


@pytest.mark.parametrize("text, expected", COMMON_PAIRS)
def test_a_common_pair_after_a_preposition_or_before_a_verb_is_a_person(scrubber: Scrubber, text: str,
                                                                        expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("text", NOT_COMMON_PAIRS)
def test_words_that_only_look_like_a_common_pair_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, "note", text) == text
