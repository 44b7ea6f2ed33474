"""Companies named like people in free text, element text and titles (pii9text): legal forms, places that start with
a point of the compass; and the people next to them that must still be found (`Conversation avec Martin Auger`, a
list of people written surname first). The examples are this module's own, written from how
such names are formed; none comes from an evaluation corpus."""

from __future__ import annotations

from typing import Any

import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer
from policies.pii.names import NameFinder

KEY = b"firms-cases-key-0123456789abcdef0123"


@pytest.fixture(scope="module")
def scrubber(tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    analyzer = Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)
    return Scrubber(PiiConfig(), KEY, analyzer=analyzer)


def scrubbed(scrubber: Scrubber, key: str, value: Any) -> Any:
    return scrubber.scrub_value({"properties": {key: value}})[0]["properties"].get(key)


@pytest.mark.parametrize("key, text", [
    # a legal form after a surname: no surname itself
    ("$el_text", "Holt PLC"), ("title", "Lawrence LLC - Dashboard"), ("title", "Reid Ltd - Dashboard"),
    # a sign-off's, a role's and a preposition's company
    ("message", "Viele Grüße\nMende Krein GmbH"), ("message", "Cordialement,\nPinto Brunel S.A.S."),
    ("message", "Saludos,\nGisela Pagès Jove S.A."), ("message", "Met vriendelijke groet,\nSpruyt B.V."),
    ("$el_text", "Gespräch mit Carsten Eberth GmbH"), ("$el_text", "Conversation avec Fleury Bousquet SA"),
    ("message", "Rückruf bei Stahr Paffrath e.V."), ("message", "Viele Grüße\nWilmsen AG & Co. OHG"),
    # places
    ("message", "Meeting in West Kimberly on Monday"), ("title", "North Judith | Weather"),
    # a size or a row after `M.`; a verb to contact before a product, a place
    ("$el_text", "Size M. Navy"), ("$el_text", "Taille M. Bleu marine"), ("$el_text", "Row M. Seat 12"),
    ("message", "ping Grafana Loki"), ("message", "Contattare Reggio Emilia ufficio"),
    ("message", "Geef Anna het boek"),
])
def test_companies_and_places_named_like_people_are_kept(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text


@pytest.mark.parametrize("key, text, expected", [
    ("$el_text", "Conversation avec Martin Auger", "Conversation avec [PERSON]"),
    ("title", "Entretien avec Martin Colas", "Entretien avec [PERSON]"),
    # people next to the look-alikes above
    ("message", "Thanks,\nAnna Schmidt", "Thanks,\n[PERSON]"),
    ("message", "Viele Grüße\nAnna Schmidt\nGeschäftsführerin", "Viele Grüße\n[PERSON]\nGeschäftsführerin"),
    ("message", "Gespräch mit Carsten Eberth", "Gespräch mit [PERSON]"),
    ("message", "Rückruf bei Stahr Paffrath morgen", "Rückruf bei [PERSON] morgen"),
    ("message", "Offerte voor Bo Sas", "Offerte voor [PERSON]"),  # Sas: a surname, not the French SAS
    ("message", "Doe, Jane and Smith, John", "[PERSON] and [PERSON]"),  # people written surname first
    # `van het` (Dutch)
    ("message", "Hallo Guusje van het Heerenveen, bedankt", "Hallo [PERSON], bedankt"),
])
def test_people_next_to_those_look_alikes_are_found(scrubber: Scrubber, key: str, text: str, expected: str) -> None:
    assert scrubbed(scrubber, key, text) == expected


def test_a_sign_off_name_ends_where_its_word_ends(scrubber: Scrubber) -> None:
    # `Gmb` of `GmbH` was read as a name's word: `[PERSON]H` kept neither the company nor a clean text
    assert scrubbed(scrubber, "message", "Viele Grüße\nMende Krein GmbH") == "Viele Grüße\nMende Krein GmbH"
    # one word of a sign-off is a name; a word glued to a capital is none of its words
    assert scrubbed(scrubber, "message", "Viele Grüße\nMende KreinX") == "Viele Grüße\n[PERSON] KreinX"


@pytest.mark.parametrize("unit", ["Schmidt, Anna, ", "Weaver, Crosby, ", "Anna Schmidt, "])
def test_a_long_line_of_names_is_scanned(scrubber: Scrubber, unit: str) -> None:
    # Whether a `Surname, Given` pair is a whole line or a title's part was read from the line's start, once per pair:
    # a 30 KB line of names took a second or more and came back "[UNSCANNED]"; read from the pair outwards it takes
    # milliseconds (bench figures in the report, not here).
    assert scrubbed(scrubber, "message", unit * 2000 + "and Meyer") != "[UNSCANNED]"


@pytest.mark.parametrize("text", ["Holt PLC", "West Kimberly"])
def test_the_finder_reads_them_as_no_person(text: str) -> None:
    assert NameFinder().find(text) == []


# Lists of people written surname first, and a team signing with given names: people, not a firm of partners.
@pytest.mark.parametrize("key, text, gone", [
    ("message", "Participants: Müller, Anna and Thomas", "Anna"),
    ("message", "Attendees: Schmidt, Jana und Peter", "Jana"),
    ("message", "CC: Rossi, Mario e Luca", "Mario"),
    ("message", "Thanks,\nTracy, Gary and Vincent", "Tracy"),
])
def test_lists_of_people_are_no_firm(scrubber: Scrubber, key: str, text: str, gone: str) -> None:
    assert gone not in scrubbed(scrubber, key, text)
