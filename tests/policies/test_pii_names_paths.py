"""Names in URL paths and file names outside a people segment, and a welcome that greets someone, as the scrubber
gives them (issue 14). The examples are this module's own, written for the rules;
none comes from an evaluation corpus or from Faker's person names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.pii import Scrubber, candidates
from policies.pii.name_context import find_names
from policies.pii.names import NameFinder
from tests.policies.pii_cases import default_scrubber, scrubbed

_FINDER = NameFinder()


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"paths-names-key-0123456789abcdefgh")


FOUND = [
    # a name at the end of a slug that starts with English words: a listed surname, or one no list holds
    ("/docs/shared-with-femke-bakker", "/docs/shared-with-[PERSON]"),
    ("/docs/shared-with-theo-hornkamp", "/docs/shared-with-[PERSON]"),
    ("https://app.example.com/notes/call-with-ingrid-bergstrom?tab=1", "https://app.example.com/notes/call-with-[PERSON]?tab=1"),
    ("/reports/q3-sjoukje-veldkamp.pdf", "/reports/q3-[PERSON].pdf"),
    # a listed surname that is no word: anywhere in the slug
    ("/news/acme-welcomes-anna-schmidt-as-cto", "/news/acme-welcomes-[PERSON]-as-cto"),
    # a file's whole stem in capitals: a surname no list holds, a given name of the tier for pairs
    ("/uploads/Luitgard_Gröppler.jpg", "/uploads/[PERSON].jpg"),
    ("https://app.example.com/files/Goyo_Cifuentes_CV.pdf", "https://app.example.com/files/[PERSON]_CV.pdf"),
]
KEPT = [
    # inside a slug of another language, a word no English list holds is as often a word of it
    "/blog/gracias-socialista-senora-asimismo", "/blog/alto-puntos-fernando-ambos-mayores",
    "/docs/baldissero-d-alba-dimenticare",
    # after other words, a surname that is an English word or a month's given name (review40)
    "/help/docs-for-june-box", "/blog/review-of-june-down", "/products/guide-to-victoria-plan",
    "/blog/recipe-for-victoria-grey",
    # English and interface words, places
    "/blog/how-to-mark-down", "/docs/getting-started-with-grace", "/products/frank-green-bottle",
    "/help/billing-and-rose-gold", "/uploads/Berlin_Office.jpg", "/files/Q3_Report_Final.pdf",
    # a user's own pages, a word, a month, a place
    "/user/settings", "/user/me", "/user/admin", "/user/new", "/user/mark", "/users/april", "/team/paris",
]


@pytest.mark.parametrize("url, expected", FOUND)
def test_a_name_in_a_slug_or_a_file_name_is_replaced(scrubber: Scrubber, url: str, expected: str) -> None:
    assert scrubbed(scrubber, "url", url) == expected


@pytest.mark.parametrize("url", KEPT)
def test_words_of_slugs_and_file_names_are_kept(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "url", url) == url


WELCOMED = [
    ("Welcome back, Sieghard!", "Welcome back, [PERSON]!"),
    ("Welcome, Maartje", "Welcome, [PERSON]"),
    ("Willkommen zurück, Jannik!", "Willkommen zurück, [PERSON]!"),
    ("Bon retour, Ghislaine", "Bon retour, [PERSON]"),
    ("Welkom terug Sjoukje!", "Welkom terug [PERSON]!"),
]
NOT_WELCOMED = ["Welcome Kit", "Welcome Tour", "Welcome back!", "Welcome, Team", "Welcome back, Everyone",
                "Willkommen zurück", "Welkom Pakket", "Welcome to Berlin", "Welcome back, Boss", "Hey, Google",
                "Welcome, Premium", "Hello, Honeywell", "Welcome back, Brot!", "Welcome Back Offer"]


@pytest.mark.parametrize("text, expected", WELCOMED)
def test_a_welcome_names_whom_it_greets(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "$el_text", text) == expected


@pytest.mark.parametrize("text", NOT_WELCOMED)
def test_a_welcome_before_a_thing_or_a_group_is_kept(scrubber: Scrubber, text: str) -> None:
    assert scrubbed(scrubber, "$el_text", text) == text


_SLUG_WORDS = st.sampled_from(["anna", "Anna", "schmidt", "Schmidt", "theo", "hornkamp", "femke", "bakker", "shared",
                               "with", "docs", "notes", "q3", "2024", "van", "der", "june", "box", "victoria",
                               "Sjoerd", "ingrid", "bergstrom", "x", "de", "la"])
_SLUG_SEPARATORS = st.sampled_from(["-", "_", ".", "+", "/", "-2024-", "--"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_SLUG_WORDS, _SLUG_SEPARATORS), min_size=1, max_size=6),
       st.sampled_from(["", "/docs/", "https://x.test/p/", "/users/"]), st.sampled_from(["", ".pdf", ".jpg", "?x=1"]))
def test_a_slug_the_finder_reads_a_name_in_opens_the_name_test(parts: list[tuple[str, str]], prefix: str,
                                                               suffix: str) -> None:
    """The finder is the oracle: the name gate must open wherever it reads a name in a slug (review40 A3)."""
    text = prefix + "".join(w + s for w, s in parts)[:-1] + suffix
    if find_names(_FINDER, text):
        assert "PERSON_NAME" in candidates.candidate_entities(text), text


# One URL of each people-path shape, all in one event: the detectors read them joined in one batch, where every leaf
# but the first starts a line, not the text (each shape once first, once later in the batch).
PEOPLE_URLS = [
    ("https://example.com/team/Mark-Wood-300x300.jpg", "https://example.com/team/[PERSON]-300x300.jpg"),
    ("https://example.com/users/anna-schmidt", "https://example.com/users/[PERSON]"),
    ("https://example.com/team/MagdaPeukert", "https://example.com/team/[PERSON]"),
    ("https://example.com/profile/cummings/jessica", "https://example.com/profile/[PERSON]"),
    ("https://example.com/u/pierredurand", "https://example.com/u/[PERSON]"),
]


@pytest.mark.parametrize("first", range(len(PEOPLE_URLS)))
def test_every_people_url_of_one_event_is_read_not_only_the_first(scrubber: Scrubber, first: int) -> None:
    ordered = PEOPLE_URLS[first:] + PEOPLE_URLS[:first]
    event = {f"url_{i}": url for i, (url, _) in enumerate(ordered)}
    out = scrubber.scrub_value({"properties": event})[0]["properties"]
    assert out == {f"url_{i}": want for i, (_, want) in enumerate(ordered)}
