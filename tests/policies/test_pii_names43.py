# ruff: noqa: RUF001, RUF003  (Turkish names are written with the dotless i)
"""Names written `Surname, Given` in running text and names in lower case after a cue (issue 14, stop 43): a word
before the surname that is no name starts no list, hyphenated surnames no list holds, second given names and
particles; the cues of lower-case names in the six languages, greetings and a label's colon."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = "note"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"names43-key-0123456789abcdef0123")


@pytest.mark.parametrize("text, expected", [
    # a button's verb, a calendar entry's meal, a German noun before `Surname, Given`: no name of a list before it
    ("Comida Öztürk, Emre", "Comida [PERSON]"),
    ("Bel Malinowski, Michał", "Bel [PERSON]"),
    ("Rückruf Kallweit, Ortwin", "Rückruf [PERSON]"),
    ("Appeler Song, Yan", "Appeler [PERSON]"),
    # a surname no list holds, hyphenated
    ("sorry, meant to send this to El-Amrani, Samir", "sorry, meant to send this to [PERSON]"),
    # a second given name and the surname's particles belong to the name
    ("Termin mit Schmidt, Anna Maria", "Termin mit [PERSON]"),
    ("Meeting with Rossi, Gian Marco at 3", "Meeting with [PERSON] at 3"),
    ("please call van der Berg, Anna tomorrow", "please call [PERSON] tomorrow"),
    # two names of a list: both found
    ("Ruud Mulder, Femke Smit en Jan", "[PERSON], [PERSON] en Jan"),
    ("Juan García, María López", "[PERSON], [PERSON]"),
    # a first surname among the commonest before the second (Spanish double surnames)
    ("García López, María José", "[PERSON]"),
    ("Meeting García López, María José", "Meeting [PERSON]"),
])
def test_surname_comma_given_in_running_text(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text", [
    "Deutsche Bank, Anna",  # a firm's words before the comma: a branch, not a surname
    "Santander Bank, Maria",
    "thanks to Check-In, Anna",  # a hyphenated English word is no surname
    "Follow-Up, Maria hat angerufen",
    "Schmidt, Anna Maria Müller GmbH",  # more capitalised words after the given names: a name of something
    # an article or a particle before the comma starts a newspaper's, a hotel's or a theatre's name
    "Artikel in Le Monde, Marie schreibt",
    "stay at Le Meridien, Anna",
    "Visit La Fenice, Venezia",
    "Abo von Die Zeit, Anna",
])
def test_surname_comma_given_look_alikes_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, KEY, text) == text


@pytest.mark.parametrize("text, expected", [
    # `de`, `di`, `van` (from, of) and greetings are cues too
    ("Nuevo mensaje de layla farouk", "Nuevo mensaje de [PERSON]"),
    ("Buongiorno merve yıldırım,", "Buongiorno [PERSON],"),
    ("hi sibel keskin, are you around for a quick call?", "hi [PERSON], are you around for a quick call?"),
    # letters of Latin Extended-A (ş, ı, ğ) are letters of a lower-case name
    ("Fix rounding in VAT report (reported by sibel şahin)", "Fix rounding in VAT report (reported by [PERSON])"),
    # a label's colon
    ("Verantwortlich: hüseyin öztürk", "Verantwortlich: [PERSON]"),
    ("Owner: marie dubreuil", "Owner: [PERSON]"),
])
def test_lower_case_names_after_a_cue(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text", [
    # after a label, a given name that is an everyday word before a word no surname list holds is a value's words
    "Theme: aurora borealis",
    "Note: mario kart",
    "Color: rose gold",
    "Genre: bossa nova",
    "Model: nova pro",
    "Sujet: demande de devis",
    "plan de marketing digital",
    "van harte gefeliciteerd",
    "hi team, quick update",
    "Tags: maria jose",
])
def test_lower_case_look_alikes_after_a_cue_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, KEY, text) == text
