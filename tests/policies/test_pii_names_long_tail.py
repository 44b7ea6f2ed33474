"""Names written in the less common ways, as the scrubber gives them: an initial and a surname that context says
name someone, `Surname, Given` as a whole value with particles or a note in brackets, and the other names of a list
that holds one found. The examples are this module's own, written for the rules; none comes from an evaluation corpus
or from Faker's person names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer

KEY = b"long-tail-names-key-0123456789abcd"


@pytest.fixture(scope="module")
def scrubber(tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    analyzer = Analyzer(Path(tmp_path_factory.mktemp("pii-data")), ("US", "GB", "DE", "FR"), 0, 0.1)
    return Scrubber(PiiConfig(), KEY, analyzer=analyzer)


def scrubbed(scrubber: Scrubber, value: Any) -> Any:
    return scrubber.scrub_value({"properties": {"note": value}})[0]["properties"]["note"]


INITIALLED = [
    # after a role's label or a preposition: a listed surname that is an English word too, or one no list holds
    ("owner: T. Gardner", "owner: [PERSON]"),
    ("Assigned to K. Oosterbroek", "Assigned to [PERSON]"),
    ("owner: J. van Dijkhuizen", "owner: [PERSON]"),
    ("Rendez-vous avec M. Pelletier demain", "Rendez-vous avec [PERSON] demain"),
    # after a greeting; `M.` for Monsieur at the line's start before a French verb
    ("Bonjour M. Chevalier,", "Bonjour [PERSON],"),
    ("M. Lemaire a appelé ce matin", "[PERSON] a appelé ce matin"),
    # a hyphenated given name's initial: the name whole
    ("Klaus-D. Metzger hat angerufen", "[PERSON] hat angerufen"),
]
NOT_INITIALLED = [
    # a letter that ends a sentence after a capitalised word, or a second initial
    "Plan B. Danach prüfen wir", "Typ C. Kunden bitte melden", "Vitamin C. Danach", "U. S. Steel",
    "Option B. Save Draft",
    # outlines, headings, a survey's or a quiz's options and answers, with a label or not (review37)
    "A. Introduction", "B. Pricing", "I got an A. Great job", "C. Friend", "A. Daily", "B. Weekly", "A. Price",
    "D. Baker", "Answer: C. Stone", "A. Einleitung", "B. Haftung", "B. Livraison", "Kategorie: B. Haftung",
    "Variante: A. Klassik", "B. Livraison a lieu en 48h", "la option B. Spedizione è gratuita",
    "B. Levering is gratis", "(B. Weekly)",
    # a company's form or a degree written with dots, after a role's label
    "Owner: S.Coop., Rosenda",
    # a size's letter before a word no list holds that more words or a colon follow
    "Größe: M. Farbe rot", "Taille : M. Couleur : bleu",
    # places and months
    "Assigned to N. Dakota", "from J. March",
]


@pytest.mark.parametrize("text, expected", INITIALLED)
def test_an_initial_and_a_surname_that_context_says_name_someone_are_replaced(scrubber: Scrubber, text: str,
                                                                              expected: str) -> None:
    assert scrubbed(scrubber, text) == expected


@pytest.mark.parametrize("text", NOT_INITIALLED)
def test_a_letter_and_a_word_that_name_no_one_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, text) == text


INVERTED = [
    # a note in brackets after the whole value
    ("Gardner, Holly (Sales)", "[PERSON] (Sales)"),
    # the surname's particles, lower case or capitalised at the start
    ("van der Linden, Sanne (Inkoop)", "[PERSON] (Inkoop)"),
    ("De Almeida, Rui", "[PERSON]"),
    # a second given name
    ("Owner: Ortega, María José", "Owner: [PERSON]"),
    # a given name of the pairs-only tier after a listed surname that is no word
    ("Brandstetter, Hildegart", "[PERSON]"),
]
NOT_INVERTED = ["Paris, Texas", "Berlin, Germany (HQ)", "Rose, Lily", "Salt, Pepper", "Yes, Anna (Support)",
                "Savannah, Georgia", "Austin, Texas (US)", "Clair, Bleu", "Rotterdam, Zuid-Holland",
                # a capitalised particle and a word no list holds, or a region in the given name's place (review37)
                "Van Nuys, California", "La Fenice, Venezia"]


@pytest.mark.parametrize("text, expected", INVERTED)
def test_a_surname_first_as_a_whole_value_is_replaced(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, text) == expected


@pytest.mark.parametrize("text", NOT_INVERTED)
def test_places_and_words_before_a_comma_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, text) == text


LISTED = [
    # after a name found: a listed given name and a surname, or two listed surnames
    ("Marta Bellini e Tancredi Pellegrini partecipano", "[PERSON] e [PERSON] partecipano"),
    ("Sophie Marchetti y Ruprecht Ferraro asisten", "[PERSON] y [PERSON] asisten"),
    # in a list of three, one after the other
    ("Giulia Ferrante, Severino Guarini e Tancredi Ferraro", "[PERSON], [PERSON] e [PERSON]"),
    # before a name found, without the sentence's first word
    ("Gestern Tancredi Pellegrini und Anke Vosskuhle", "Gestern [PERSON] und [PERSON]"),
]
# After a name found: a company, a job, a department, a place, a date, an interface's words, a sale
NOT_LISTED = [
    ("Ruth Baumann und Deutsche Bahn", "[PERSON] und Deutsche Bahn"),
    ("Ilse Brakenhoff, Hoofd Inkoop", "[PERSON], Hoofd Inkoop"),
    ("Anke Vosskuhle, Leiterin Einkauf", "[PERSON], Leiterin Einkauf"),
    ("Ruth Baumann, Marketing Manager", "[PERSON], Marketing Manager"),
    ("Ruth Baumann, Linda Mountains", "[PERSON], Linda Mountains"),
    ("Ruth Baumann, Neu Anlegen", "[PERSON], Neu Anlegen"),
    ("Ruth Baumann, Summer Sale", "[PERSON], Summer Sale"),
    ("Ruth Baumann und Rose Gold", "[PERSON] und Rose Gold"),
    ("Marta Bellini e Poste Italiane", "[PERSON] e Poste Italiane"),
]


@pytest.mark.parametrize("text, expected", LISTED)
def test_the_other_names_of_a_list_with_a_name_found_are_replaced(scrubber: Scrubber, text: str,
                                                                  expected: str) -> None:
    assert scrubbed(scrubber, text) == expected


@pytest.mark.parametrize("text, expected", NOT_LISTED)
def test_what_a_name_is_listed_with_that_names_no_one_stays(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, text) == expected


DEGREES = [
    # a surname that is a given name too, before a degree written with dots
    ("Greta Holt M.Sc. hat angerufen", "[PERSON] M.Sc. hat angerufen"),
    ("Lukas Adler B.A.", "[PERSON] B.A."),
]


@pytest.mark.parametrize("text, expected", DEGREES)
def test_a_surname_before_a_dotted_degree_is_the_surname(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, text) == expected


PEOPLE_URLS = [
    # capitalised as the lower-case slug is read
    ("https://crm.example/people/Douglas-Fisher", "https://crm.example/people/[PERSON]"),
    # surname first: a common surname that is a word before a common given name, or one no list holds
    ("https://crm.example/staff/hill-jennifer", "https://crm.example/staff/[PERSON]"),
    ("https://crm.example/directory/vauquelin-margot", "https://crm.example/directory/[PERSON]"),
    # a common given name glued to a common surname
    ("https://blog.example/authors/kevinmartin", "https://blog.example/authors/[PERSON]"),
]
NOT_PEOPLE_URLS = ["https://crm.example/users/markpage", "https://crm.example/team/settings-anna",
                   "https://crm.example/team/sales-julia", "https://crm.example/people/new-york",
                   "https://crm.example/accounts/vauquelin-margot"]


@pytest.mark.parametrize("url, expected", PEOPLE_URLS)
def test_people_slugs_capitalised_surname_first_or_glued_are_replaced(scrubber: Scrubber, url: str,
                                                                     expected: str) -> None:
    assert scrubber.scrub_value({"properties": {"$current_url": url}})[0]["properties"]["$current_url"] == expected


@pytest.mark.parametrize("url", NOT_PEOPLE_URLS)
def test_interface_words_places_and_accounts_after_a_segment_stay(scrubber: Scrubber, url: str) -> None:
    assert scrubber.scrub_value({"properties": {"$current_url": url}})[0]["properties"]["$current_url"] == url


LOWER_CASE = [
    # after a preposition or a verb of talking to someone: a listed given name and a listed surname that is no word
    # or a common one, or particles and a word
    ("talked to james miller about it", "talked to [PERSON] about it"),
    ("email to sharon brown asap", "email to [PERSON] asap"),
    ("ping jan de vries pls", "ping [PERSON] pls"),
    ("Termin mit anna schmidt morgen", "Termin mit [PERSON] morgen"),
]
NOT_LOWER_CASE = [
    # English words, words of other languages no list holds, a street, a place, a company's form
    "talked to sales team about it", "go to rose garden", "talked to anna about it", "with maria today",
    "talked to julia set theory", "ping felipe nueva", "para luis asap", "voor rosa profundo tomorrow",
    "ticket for evans lane tomorrow", "ping ronda de miguela now", "ticket for louis le roux s.a. und dann",
]


@pytest.mark.parametrize("text, expected", LOWER_CASE)
def test_a_name_in_lower_case_after_a_cue_is_replaced(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, text) == expected


@pytest.mark.parametrize("text", NOT_LOWER_CASE)
def test_words_in_lower_case_after_a_cue_that_name_no_one_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, text) == text
