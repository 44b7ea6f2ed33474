"""A person's name under a key that says it holds one is read by its shape (fields.looks_like_a_name): the letters of
Latin Extended-A (Polish, Czech, Turkish, Romanian, Baltic, Hungarian names) are letters of a name too, capitals and
small letters told apart. (Two capitalised words under such a key are a name by shape, whatever their letters:
`Krakow Glowny` there is replaced as `Kraków Główny` is.)"""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber()


# Names no list holds (the lists hold `Łukasz Kowalski`, found anyway): only their shape says they are names.
@pytest.mark.parametrize(("key", "value"), [
    ("created_by", "Gülev K\u0131sak\u00fcrek"), ("assignee", "Melaha Duman\u0131"), ("owner", "Wrąb Żółtek"),
    ("author", "Zdzisław Pęcherz"), ("sender", "Ştefănel Bârlădeanu"), ("manager", "Vaidotas Šerkšnys"),
])
def test_a_name_with_latin_extended_a_letters_is_replaced(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[PERSON]"


@pytest.mark.parametrize(("key", "value"), [
    ("owner", "Zespół płatności"), ("created_by", "Dział obsługi klienta"), ("owner", "Tak\u0131m \u00d6deme Team"),
    ("assignee", "łUKASZ kOWALSKI"),  # a small letter first is no capitalised word
])
def test_teams_and_departments_with_those_letters_are_kept(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value
