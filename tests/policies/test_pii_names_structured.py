"""Names in the structured places an SDK sends: two path segments after a collection of people, a given name and a
surname that is a rarer given name as a whole value or a part of a page's title, and the contexts that name no one
(a list of companies, `Go to` before a section's letter). The examples are this module's own, written for the rules;
none comes from an evaluation corpus or from Faker's person names."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"structured-names-key-0123456789abcd")


SEGMENTS = [
    # surname first, as a directory sorts people, or given name first; at the path's end, with a slash or a query
    ("/profile/brennan/theresa", "/profile/[PERSON]"),
    ("/people/gunhild/schumacher/", "/people/[PERSON]/"),
    ("/utenti/ornella/bianchi", "/utenti/[PERSON]"),
    ("/gebruikers/wouter/visser", "/gebruikers/[PERSON]"),
]
NOT_SEGMENTS = [
    # a collection's own pages, in English and in the other languages
    "/users/admin/settings", "/team/sales/members", "/contacts/import/csv", "/u/anna/posts", "/profile/edit/avatar",
    "/equipo/ventas/miembros", "/mitarbeiter/vertrieb/uebersicht", "/kunden/bestellung/neu",
    # a language's or a place's page
    "/team/berlin/anna", "/users/paris/france", "/team/milano/giulia", "/users/en/anna",
    # a word no list holds, and more segments after the two
    "/team/violeta/sonrojado", "/profile/brennan/theresa/edit",
    # a given name and a word interfaces use
    "/u/max/price", "/p/rose/gold",
    # firms and products named after people, under customers and products; the same word twice (review38 N3)
    "/customers/morgan/stanley", "/clients/charles/schwab", "/p/calvin/klein", "/team/johnson/johnson",
]


@pytest.mark.parametrize("path, expected", SEGMENTS)
def test_a_name_as_two_segments_after_a_people_segment_is_replaced(scrubber: Scrubber, path: str,
                                                                  expected: str) -> None:
    assert scrubbed(scrubber, "$pathname", path) == expected


@pytest.mark.parametrize("path", NOT_SEGMENTS)
def test_a_collections_pages_and_places_as_two_segments_stay(scrubber: Scrubber, path: str) -> None:
    assert scrubbed(scrubber, "$pathname", path) == path


GIVEN_NAMES = [
    # a surname that is a rarer given name as well, as a title's part or a whole element text
    ("title", "Ornella Morvan | Acme", "[PERSON] | Acme"),
    ("title", "Profile – Henrike Sauli", "Profile – [PERSON]"),
    ("title", "Gunhild Blin - Contacts - Acme CRM", "[PERSON] - Contacts - Acme CRM"),
    ("$el_text", "Ornella Hervé", "[PERSON]"),
]
NOT_GIVEN_NAMES = [
    # a common given name second: one person's given names, not a full name
    ("title", "Maria Luisa | Acme"),
    # places and words
    ("title", "Costa Rica | Travel"), ("title", "Pricing | Acme"), ("title", "Release Notes 14.2"),
    ("title", "Dashboard – Acme"), ("$el_text", "Save Draft"), ("$el_text", "Add Member"), ("$el_text", "Jump to"),
]


@pytest.mark.parametrize("key, text, expected", GIVEN_NAMES)
def test_a_given_name_and_a_rarer_given_name_as_a_whole_part_are_replaced(scrubber: Scrubber, key: str, text: str,
                                                                          expected: str) -> None:
    assert scrubbed(scrubber, key, text) == expected


@pytest.mark.parametrize("key, text", NOT_GIVEN_NAMES)
def test_given_names_alone_places_and_labels_stay(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text


def test_a_name_in_a_running_sentence_of_two_given_names_is_not_read_as_a_title(scrubber: Scrubber) -> None:
    # the rule reads whole values and title parts only: in a sentence, `Maria Luisa` stays as it is
    assert scrubbed(scrubber, "note", "Das Hotel Maria Luisa liegt am See") == "Das Hotel Maria Luisa liegt am See"


@pytest.mark.parametrize("text, expected", [
    ("Giulia Ferrante, Severino Guarini e Tancredi Ferraro", "[PERSON], [PERSON] e [PERSON]"),
    # a label that lists firms as often lists people: the list rule reads the names, not the label (review38 N1)
    ("Customers: Giulia Ferrante, Severino Guarini and Tancredi Ferraro", "Customers: [PERSON], [PERSON] and [PERSON]"),
])
def test_the_list_rule_still_spreads_in_a_list_of_people(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("text", ["Go to D. Baker", "Skip to B. Pricing", "Jump to C. Stone"])
def test_a_letter_after_go_to_is_a_section_not_an_initial(scrubber: Scrubber, text: str) -> None:
    # review37 P7
    assert scrubbed(scrubber, "note", text) == text


@pytest.mark.parametrize("text, expected", [
    ("Send it to D. Baker", "Send it to [PERSON]"), ("Assigned to K. Oosterbroek", "Assigned to [PERSON]"),
    # mid-sentence, after `back`/`return`, or a surname no word: a person (review38 N2)
    ("Please go back to D. Baker with the signed form", "Please go back to [PERSON] with the signed form"),
    ("Give it back to D. Baker", "Give it back to [PERSON]"), ("I will go to D. Baker tomorrow",
                                                                "I will go to [PERSON] tomorrow"),
    ("Return to K. Oosterbroek", "Return to [PERSON]"), ("Go to K. Oosterbroek", "Go to [PERSON]"),
])
def test_an_initial_after_to_still_names_someone(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


URL_SEGMENTS = [
    # in a whole URL, with a query, a fragment or a slash after the two segments
    ("https://app.example/profile/brennan/theresa?tab=activity", "https://app.example/profile/[PERSON]?tab=activity"),
    ("https://app.example/users/gunhild/schumacher/#top", "https://app.example/users/[PERSON]/#top"),
    # a folder of people's pictures is a people segment
    ("https://cdn.example/media/profile_pics/OrnellaBianchi.jpg", "https://cdn.example/media/profile_pics/[PERSON].jpg"),
    ("https://cdn.example/headshots/wouter-visser.png", "https://cdn.example/headshots/[PERSON].png"),
]
NOT_URL_SEGMENTS = ["https://app.example/users/admin/settings?x=1", "https://app.example/team/sales/members#list",
                    "https://app.example/en/team/berlin/anna", "https://app.example/users/anna/posts?page=2",
                    "https://cdn.example/headshots/team-photo.jpg"]


@pytest.mark.parametrize("url, expected", URL_SEGMENTS)
def test_a_name_as_a_urls_last_two_segments_or_a_pictures_name_is_replaced(scrubber: Scrubber, url: str,
                                                                          expected: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == expected


@pytest.mark.parametrize("url", NOT_URL_SEGMENTS)
def test_a_urls_pages_after_a_people_segment_stay(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == url
