"""Issue 14, stop 44. The 2010 Census surnames: surnames of later immigration that the 1990 list lacks (`Okonkwo`,
`Yilmaz`, `Adebayo`) are listed surnames now, so the rules that need a listed surname find them; the 2010 surnames
that are everyday words of the six languages stay out of the list, so text that uses them as words is kept. Keys that
name a person the way shops' and Romance languages' forms write them. `Surname, Given` as a whole value, after
particles in lower case, and the given name after a surname another rule found alone."""

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


@pytest.mark.parametrize("key, value", [
    # a part of a person's name at the key's end names a person, whatever thing's word qualifies it (WooCommerce's
    # `shipping_first_name`; a form's `form_last_name`)
    ("shipping_first_name", "Femke"),
    ("shipping_last_name", "Okumbe"),
    ("form_last_name", "Smith"),
    ("billing_lastname", "de Vries"),
    # a role first and what it is of after a linking word, as French, Spanish, Italian and Dutch order them
    ("titulaire_du_compte", "Tavrel Okumbe"),
    ("titular_de_la_cuenta", "Tavrel Okumbe"),
    ("eigenaar_van_het_account", "Tavrel Okumbe"),
])
def test_keys_that_name_a_person_the_way_forms_write_them(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[PERSON]"


@pytest.mark.parametrize("key, value", [
    ("shipping_method", "DHL Express"),
    ("first_name_label", "First name"),
    ("form_name", "Newsletter Signup"),
    ("product_display_name", "Pro Plan"),
    ("destinatario_del_pago", "Equipo Finanzas"),
    ("responsable_du_projet", "Équipe Data"),
])
def test_things_and_teams_under_such_keys_are_kept(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("text, expected", [
    # a whole value or a title's part is read no less than running text: a given name that is a surname too
    ("Eren, Murat", "[PERSON]"),
    ("Eren, Murat – Kontakt – Acme CRM", "[PERSON] – Kontakt – Acme CRM"),
    # places stay
    ("Paris, Texas", "Paris, Texas"),
    ("Florence, Italy", "Florence, Italy"),
    ("Victoria, Australia", "Victoria, Australia"),
])
def test_surname_comma_given_as_a_whole_value(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text, expected", [
    # another rule found the surname alone (a cue's name, capitalised particles): the given name after it goes too
    ("Please call De Oliveira, Pierre tomorrow", "Please call [PERSON] tomorrow"),
    ("Please call Le Goff, Yves tomorrow", "Please call [PERSON] tomorrow"),
    ("Da Costa, Véronique", "[PERSON]"),
    # after particles in lower case, a listed surname before a given name
    ("Please call de Kok, Jasmijn tomorrow", "Please call [PERSON] tomorrow"),
    # the next name of a list is found on its own
    ("Ruud Mulder, Femke Smit en Jan", "[PERSON], [PERSON] en Jan"),
    # a place, a month, a word after the comma stay
    ("Meeting with Anna Schmidt, Paris office", "Meeting with [PERSON], Paris office"),
    ("Invoice for Anna Schmidt, Mai 2024", "Invoice for [PERSON], Mai 2024"),
    ("Thanks Anna Schmidt, Grace", "Thanks [PERSON], Grace"),
    # words after a preposition in lower case are no surname
    ("Equipo de Ventas, Ana", "Equipo de Ventas, Ana"),
    ("Nachricht von Support, Anna", "Nachricht von Support, Anna"),
])
def test_the_given_name_after_a_surname_found_alone(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected
