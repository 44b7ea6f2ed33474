"""Issue 14, stop 48. The surname first, as directories, registers, ticket systems and CRMs sort people, read
further:

- after a role's label or a strong cue, a given name that also names a place, after a listed surname that names none
  (`Escalated by Fox, Nancy`; never `Owner: Savannah, Georgia`, nor a country: `Contact: Amman, Jordan`); a given
  name no list holds after a listed surname, if it is no English or everyday word (`Call with Jansen, Wubbo`); a
  hyphenated given name of listed parts (`Stoll, Hans-Albert`); one of the commonest surnames that is also a
  venue's or a street's word (`Hall, Sandra`, `Park, Jisoo`); `Contact person:` as a role's label;
- `Surname, Given` as a whole value whose given name names a region or a city too, after a listed surname that names
  no place (`Vidal, Virginia`; not `Richmond, Virginia`, `Melbourne, Victoria`, nor in running text);
- `Surname, Given` in quotes read as a whole value (`Contatto 'Zhou, Min' creato`, `Contact « Wang, Min » ajouté`);
- `Surname Surname, Given` as a whole value or a title's part (`Diéguez Duarte, Clarisa`), the first surname
  listed or no word, never an everyday word (`Kunde Schmidt, Anna`);
- anywhere, `Surname, ` before given names that another rule found (`Higgins, [Maria Teresa]`): the surname goes with
  them, unless the word before the comma is a greeting's, a place's, a day's, a clause's or an interface's word.
- `SURNAME Given` with a listed surname in capitals that is one of the commonest or no word, and no common given name
  (`SMITH Gareth`, `Dossier HUET Céline clos`); a label in capitals still is none (`NOTE Anna`, `SALE Amelia`).
Each kind of test includes what must still be kept. The people are written for these tests."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed

KEY = "note"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"names48-key-0123456789abcdef0123")


@pytest.mark.parametrize("text, expected", [
    # a given name that names a place too, after a listed surname
    ("Escalated by Fox, Nancy", "Escalated by [PERSON]"),
    ("Chat with Nicoletti, Carolina", "Chat with [PERSON]"),
    # a given name no list holds, after a listed surname
    ("Call with Jansen, Wubbo about the renewal", "Call with [PERSON] about the renewal"),
    # or after a surname that particles in lower case say is one
    ("Assigned to van der Steeg, Wubbo", "Assigned to [PERSON]"),
    # a hyphenated given name of listed parts
    ("Assigned to Stoll, Hans-Albert", "Assigned to [PERSON]"),
    # the commonest surnames that are also a venue's or a street's word
    ("Reported by Hall, Sandra", "Reported by [PERSON]"),
    ("Owner: Park, Jisoo", "Owner: [PERSON]"),
    ("Contact person: Jansen, Wubbo", "Contact person: [PERSON]"),
])
def test_surname_comma_given_after_a_role_or_a_cue(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text", [
    "Owner: Savannah, Georgia",
    "Contact: Amman, Jordan",
    "Customer: Beijing, China",
    "Chat with Station, Anna",
    # an everyday word after the comma is no given name
    "Contact person: Graf, Pero",
])
def test_places_and_words_after_a_role_are_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, KEY, text) == text


@pytest.mark.parametrize("text, expected", [
    ("Afspraak met Oosterbroek, Irmengard Solveig morgen", "Afspraak met [PERSON] morgen"),
    ("Wendling, Charlotte Rachel asked for a refund", "[PERSON] asked for a refund"),
    ("Riunione con Scarpellini, Alessandro Lando alle 10", "Riunione con [PERSON] alle 10"),
])
def test_the_surname_before_given_names_found_goes_with_them(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Thanks, Anna Maria", "Thanks, [PERSON]"),
    ("Berlin, Anna Schmidt called", "Berlin, [PERSON] called"),
    ("Montag, Anna Lena kommt", "Montag, [PERSON] kommt"),
    ("Yesterday, Anna Schmidt called", "Yesterday, [PERSON] called"),
    ("Hi Team, Anna Schmidt here", "Hi Team, [PERSON] here"),
    ("Support, Anna Schmidt", "Support, [PERSON]"),
])
def test_a_word_before_a_comma_that_is_no_surname_is_kept(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Diéguez Duarte, Clarisa", "[PERSON]"),
    ("Keudel Löchel, Liselotte", "[PERSON]"),
    ("Blonk Kuipers, Abel \u2014 Profil", "[PERSON] \u2014 Profil"),
    # an everyday word, a company's name before the surname stays
    ("Kunde Schmidt, Anna", "Kunde [PERSON]"),
    ("Deutsche Bank, Anna", "Deutsche Bank, Anna"),
    ("Customer Success, Anna", "Customer Success, Anna"),
])
def test_two_surnames_before_a_comma_as_a_whole_value(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("SMITH Gareth", "[PERSON]"),
    ("Signed: OSBORNE Amelia", "Signed: [PERSON]"),
    ("Dossier HUET Céline clos", "Dossier [PERSON] clos"),
    # labels and offers in capitals before a given name
    ("NOTE Anna", "NOTE Anna"),
    ("SALE Amelia", "SALE Amelia"),
    ("NEW Amelia", "NEW Amelia"),
    ("FREE Gareth", "FREE Gareth"),
    ("CALL Ryan today", "CALL Ryan today"),
])
def test_a_listed_surname_in_capitals_before_a_given_name(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Vidal, Virginia", "[PERSON]"),
    ("Ellis, Victoria", "[PERSON]"),
    # a city before its region, and a place in running text
    ("Richmond, Virginia", "Richmond, Virginia"),
    ("Columbus, Georgia", "Columbus, Georgia"),
    ("Melbourne, Victoria", "Melbourne, Victoria"),
    ("Offices in Vidal, Virginia and Austin", "Offices in Vidal, Virginia and Austin"),
])
def test_a_given_name_that_names_a_place_as_a_whole_value(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Contatto 'Zhou, Min' creato dal modulo", "Contatto '[PERSON]' creato dal modulo"),
    ("Contact \u00ab Wang, Min \u00bb ajout\u00e9", "Contact \u00ab [PERSON] \u00bb ajout\u00e9"),
    # quoted places and answers are read as whole values are
    ('Search for "Paris, France" returned 3 hotels', 'Search for "Paris, France" returned 3 hotels'),
    ("Label 'Yes, Anna' shown", "Label 'Yes, Anna' shown"),
])
def test_surname_comma_given_in_quotes_is_a_whole_value(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, KEY, text) == expected
