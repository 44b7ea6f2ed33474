"""People's names found by the gazetteer (policies/pii/names.py), and the labels, products, places and companies that
must stay. The examples are this module's own, written for the rules; none comes from an evaluation corpus."""

from __future__ import annotations

import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer
from policies.pii.names import NameFinder

PEOPLE = [
    ("John Smith", "John Smith"),
    ("Profile – Jane Doe | Acme", "Jane Doe"),
    ("Assign to María García López", "María García López"),
    ("Jürgen Müller", "Jürgen Müller"),
    ("Anna van der Berg", "Anna van der Berg"),
    ("Doe, Jane", "Doe, Jane"),
    ("Mary Ann Smith", "Mary Ann Smith"),
    ("John F. Kennedy", "John F. Kennedy"),
    ("Hans-Peter Meier", "Hans-Peter Meier"),
    ("Sarah O'Brien", "Sarah O'Brien"),
    ("Jane Doe's profile", "Jane Doe"),
    ("Spoke with Lukas Brandstätter about it", "Lukas Brandstätter"),  # a surname not on the list
    ("/u/anna-schmidt", "anna-schmidt"),
    ("maria garcia", "maria garcia"),  # a search box's whole value
]
NOT_PEOPLE = [
    "Save Changes", "Rose Gold", "Max Price", "Summer Sale", "Grace Period", "Mark as read", "Hunter Green",
    "Morgan Stanley Inc", "Johnson & Johnson", "Marks and Spencer", "Virginia Beach", "San Francisco", "Santa Clara",
    "Tesla Model S", "Jordan Brand", "Rue Victor Hugo", "Alexa Skills Kit", "Julia Studio", "Anna Sophie",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)", "/blog/summer-sale", "/products/julia-sweater",
    "Einstellungen speichern", "Paramètres du compte", "Martin Luther King Jr Blvd", "will smith",
    "Please ask anna about it",  # one name alone is not enough
]


@pytest.fixture(scope="module")
def finder() -> NameFinder:
    return NameFinder()


@pytest.mark.parametrize("text, name", PEOPLE)
def test_a_given_name_and_a_surname_are_a_person(finder: NameFinder, text: str, name: str) -> None:
    assert [text[a:b] for a, b in finder.find(text)] == [name]


@pytest.mark.parametrize("text", NOT_PEOPLE)
def test_labels_products_places_and_companies_are_not_people(finder: NameFinder, text: str) -> None:
    assert finder.find(text) == []


def test_names_are_scrubbed_where_they_sit_in_events(tmp_path_factory: pytest.TempPathFactory) -> None:
    analyzer = Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)
    scrubber = Scrubber(PiiConfig(), b"names-key-0123456789abcdef012345", analyzer=analyzer)
    event = {"properties": {
        "title": "Profile – Jane Doe | Acme",
        "$el_text": "Anna Schmidt",
        "$current_url": "https://app.example.com/u/anna-schmidt/settings?q=maria+garcia",
        "button": "Save Changes",
    }}
    assert scrubber.scrub_value(event)[0] == {"properties": {
        "title": "Profile – [PERSON] | Acme",
        "$el_text": "[PERSON]",
        "$current_url": "https://app.example.com/u/[PERSON]/settings?q=[PERSON]",
        "button": "Save Changes",
    }}
