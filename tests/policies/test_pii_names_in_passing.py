"""Names in running text that the name lists hold only in part: a surname that the given-name lists count too (many
surnames are seldom given names somewhere: Bouzid, Özkan, Afolabi), a name after `via`, which is a preposition in
English, Dutch, German and Spanish and a street only when it starts a street's name (`Via Roma`), and a surname no
list holds in a chat's lower case: what tells it from a word there is that it is no everyday word of the six languages
(wordfreq's lists). The people are written for these tests; none comes from an evaluation corpus."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"names-in-passing-key-0123456789abcdef")


SURNAMES_ALSO_GIVEN = [
    ("Die Unterlagen hat Fatima Bouzid gestern geschickt", "Fatima Bouzid"),
    ("ok, Olumide Afolabi s'en occupe demain", "Olumide Afolabi"),
    ("Deniz Özkan remplace l'ancien contact", "Deniz Özkan"),
    ("Yasmin Okoye komt dinsdag langs", "Yasmin Okoye"),
    ("Selin Bulut ha confermato l'ordine", "Selin Bulut"),
    ("Sibel Erdoğan joined the call late", "Sibel Erdoğan"),
    ("la fattura di Karim Mansour è pagata", "Karim Mansour"),
    ("Jan Willem belt morgen terug", "Jan Willem"),
]


@pytest.mark.parametrize(("text", "name"), SURNAMES_ALSO_GIVEN)
def test_a_surname_the_given_name_lists_count_too_is_a_surname(scrubber: Scrubber, text: str, name: str) -> None:
    out = scrubbed(scrubber, "note", text)
    assert name not in out and "[PERSON]" in out


VIA = [
    ("Intro via Martin Williams, who used to work at their London office", "Martin Williams"),
    ("Dossier loopt via Anna de Vries sinds januari", "Anna de Vries"),
    ("Bestellung via Jürgen Becker erhalten", "Jürgen Becker"),
    ("La reserva llegó via Lucía Romero", "Lucía Romero"),
]


@pytest.mark.parametrize(("text", "name"), VIA)
def test_a_name_after_via_in_lower_case_is_a_person(scrubber: Scrubber, text: str, name: str) -> None:
    out = scrubbed(scrubber, "note", text)
    assert name not in out and "[PERSON]" in out


KEPT = [
    # two common given names are one person's first names or a brand, not a given name and a surname
    "Anna Sophie kommt morgen", "Treffen in Santa Maria Novella", "Das Hotel Maria Luisa liegt am See",
    "Florence Italy trip",
    # a street that starts with `Via` and a place named after a person
    "Via Giuseppe Verdi", "Treffpunkt: Via Roma",
    # a surname-like word that is a word of English after a given name
    "Mark as read", "Grace period ends Friday",
]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, "note", text) == text


LOWER_CASE_UNLISTED = [
    ("please call sanne diesbergen about the renewal", "diesbergen"),
    ("ping domenico granatelli asap", "granatelli"),
    ("talked to iwan girschner yesterday", "girschner"),
    ("Termin mit anna oosterhuis am Montag", "oosterhuis"),
    ("hablé con lucía ferrándiz ayer", "ferrándiz"),
    ("ho parlato con giulia cutrufo del rinnovo", "cutrufo"),
]


@pytest.mark.parametrize(("text", "surname"), LOWER_CASE_UNLISTED)
def test_a_surname_no_list_holds_in_lower_case_after_a_cue(scrubber: Scrubber, text: str, surname: str) -> None:
    out = scrubbed(scrubber, "message", text)
    assert surname not in out and "[PERSON]" in out


WORDS_KEPT = [
    # everyday words after a given name in lower case, and after a surname and a comma
    "termin mit anna kommt später", "hablé con felipe nueva york", "danke an maria heute", "ciao con luca domani",
    "Schmidt, Logistik und Lager", "Lieferung an Meyer, Bremen", "Fischer, Berlin und Hamburg",
    # a function word of one language that the lists hold as a given name, before a listed surname
    "ho parlato con il cliente", "ho visto il preventivo",
    # a label in capitals before a given name, not a surname written in capitals
    "HINWEIS Anna kommt später", "ATTENZIONE Marco è assente",
]


@pytest.mark.parametrize("text", WORDS_KEPT)
def test_everyday_words_after_a_name_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, "message", text) == text
