"""Names that context finds, as the scrubber gives them: names in URL paths (names.py), and surnames before a
generation or a degree. The examples are this module's own, written for the rules; none comes from an
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


URL_PEOPLE = [
    # a record's number before a person's slug after a collection of people
    ("https://acme.example/contacts/1703-anna-schmidt", "https://acme.example/contacts/1703-[PERSON]"),
    ("https://acme.example/crm/contacts/88-wiebke-hollmann/edit", "https://acme.example/crm/contacts/88-[PERSON]/edit"),
    # a listed given name glued to a surname no list holds, after a collection of people
    ("https://blog.example/authors/ansgarbrambillasca", "https://blog.example/authors/[PERSON]"),
    ("https://blog.example/u/wiebkekrueckl/posts", "https://blog.example/u/[PERSON]/posts"),
]
URL_NOT_PEOPLE = [
    "https://acme.example/wiki/Main_Page", "https://acme.example/wiki/New_York", "https://acme.example/wiki/Santa_Clara",
    "https://acme.example/wiki/Goldman_Sachs", "https://acme.example/wiki/Florence_Cathedral",
    "https://acme.example/wiki/Release_Notes", "https://acme.example/wiki/Getting_Started",
    # brands, films and characters titled like people (a wiki is no page of people)
    "https://en.example.org/wiki/Alfa_Romeo", "https://en.example.org/wiki/Stella_Artois",
    "https://de.example.org/wiki/Lola_Rennt",
    # a given name glued to English words, after a surname or not, with a possessive s or not: a shop's handle
    "https://blog.example/authors/emmaskitchen", "https://shop.example/users/sarahsboutique",
    "https://shop.example/u/victoriassecret", "https://blog.example/authors/adamsmithinstitute",
    "https://shop.example/p/linneaskincare",
    "https://acme.example/contacts/1703-import-csv", "https://acme.example/users/42-settings",
    "https://acme.example/team/12-new-members", "https://acme.example/contacts/2024-export",
    # glued words that are no given name and unlisted surname: a given name whole, a surname whole, an interface's
    # word after a name, English words
    "https://blog.example/author/annamaria", "https://blog.example/u/evasettings", "https://blog.example/team/marketing",
    "https://blog.example/u/markdown", "https://blog.example/team/alexandria",
]


@pytest.mark.parametrize("url, expected", URL_PEOPLE)
def test_a_person_in_a_wiki_title_after_a_record_number_or_glued_is_replaced(scrubber: Scrubber, url: str,
                                                                             expected: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == expected


@pytest.mark.parametrize("url", URL_NOT_PEOPLE)
def test_wiki_pages_places_records_and_glued_words_without_a_person_stay(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == url


def test_a_phone_after_a_collection_of_people_is_still_a_phone(scrubber: Scrubber) -> None:
    assert scrubbed(scrubber, "$current_url", "https://acme.example/contacts/415-555-0100") == (
        "https://acme.example/contacts/[PHONE]")


SUFFIXED = [
    ("Brian Chavez DDS reviewed the claim", "[PERSON] DDS reviewed the claim"),
    ("Reviewed by Brian Chavez Jr. yesterday", "Reviewed by [PERSON]. yesterday"),  # after `by`: with its `Jr`
    ("Brian Chavez III signed the lease", "[PERSON] III signed the lease"),
]
NOT_SUFFIXED = ["Rocky Mountain III", "Star Wars III", "Grace Hall MBA program", "Anna Sophie", "Mission Hills MD"]


@pytest.mark.parametrize("text, expected", SUFFIXED)
def test_a_surname_that_is_a_given_name_too_before_a_generation_or_a_degree(scrubber: Scrubber, text: str,
                                                                           expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("text", NOT_SUFFIXED)
def test_words_before_a_generation_or_a_degree_that_name_no_one_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, "note", text) == text
