"""Street addresses in free text, multi-line blocks and URL queries (en/de/fr/es/it/nl), through the real Scrubber: the
generated cases of tests/policies/street_cases.py, each new shape with a case, and look-alikes that must stay."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, leaked, scrubbed
from tests.policies.street_cases import cases

KEY = b"street-cases-key-0123456789abcdef"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(KEY)


@pytest.mark.parametrize("seed", [7, 8])
def test_generated_street_addresses_rarely_leak(scrubber: Scrubber, seed: int) -> None:
    all_cases = cases(seed, 7)
    failed = [(c.value, out) for c in all_cases if leaked(c, out := str(scrubbed(scrubber, c.key, c.value)))]
    # What is left: British flats alone (`Flat 6`, `Studio 20A`), with no street word to find them by, and street
    # words of Faker's that are also everyday words (`Ferry`, `Hills`, `Creek`), which review showed too imprecise.
    assert len(failed) <= 16, failed


@pytest.mark.parametrize("text,street", [
    ("Please deliver to avenue Laine, 52212 Bouvet", "avenue Laine"),
    ("c/o Hausverwaltung\nrue de Delattre\n50899 Bertin", "rue de Delattre"),
    ("Spedire a Rotonda Federico 7, Bondanello", "Rotonda Federico"),
    ("https://shop.example.com/checkout?street=Aim%C3%A9ehof+89&zip=5466KB", "Aim%C3%A9ehof"),
    # pw14: post office boxes in en/de/fr/es/it/nl, and Spanish and Italian street types in lower case
    ("Ship to PO Box 4821, Springfield IL", "4821"), ("Ship to P.O. Box 77, Dover", "Box 77"),
    ("Postfach 12 34, 10115 Berlin", "12 34"), ("Postbus 1234, 1000 AB Amsterdam", "1234"),
    ("BP 123, 75001 Paris", "BP 123"), ("Boîte postale 7, 33000 Bordeaux", "postale 7"),
    ("Apartado de correos 45, Sevilla", "correos 45"), ("Casella postale 12, Milano", "postale 12"),
    ("Entrega en c/ Mayor 12, 3º B, 28013 Madrid", "Mayor 12"), ("abito in viale Monza 12, Milano", "Monza 12"),
])
def test_a_street_address_is_removed(scrubber: Scrubber, text: str, street: str) -> None:
    assert street not in str(scrubbed(scrubber, "note" if "://" not in text else "$current_url", text))


@pytest.mark.parametrize("text", [
    "Windows 11 Home View", "Top 10 Hill Climbs", "Unit 3 tests passed", "Chapter 2 Suite", "Room 4 at the Village",
    "Place your order, 30 items left", "https://shop.example.com/checkout?street=&zip=54784",
    "https://example.com/settings?address_type=billing", "Bahnhof in 5 Minuten",
    # a reviewer's look-alikes of street suffixes tried and taken out again (Hills, Creek, Suite, Unit, -hof, -baan)
    "Top 10 Beverly Hills Hotels", "Level 3 Silent Hill walkthrough", "Season 2 Schitt Creek recap",
    "Version 2 Animal Crossing update", "Chapter 7 The Path", "Grade 5 Math Unit 3 Lesson 2",
    "Adobe 2024 Creative Suite 6", "Ferien auf dem Bauernhof 2024", "Treffpunkt Hauptbahnhof 2", "Loopbaan 2 gestart",
    "Sunsetboulevard 2 tickets", "https://maps.example.com/?street_view=1a",
    # pw14: boxes and lower-case words that are no address
    "PO Box rental prices from 3 EUR", "BP 2024 results", "BP 120/80 at rest", "Postfach leer seit 3 Tagen",
    "Checkbox 3 selected", "Inbox 12 unread", "il corso Python 3", "un paseo de 5 km", "la piazza 2 volte",
    "apartado 3 del artículo 5", "Via email 12 times", "Postbus 12 dagen vertraagd",
    # review38 W10: a webmail's inbox and pack sizes; German capitalises its nouns
    "Postfach 12 Nachrichten", "Ihr Postfach 3 Ungelesene Nachrichten", "Postfach 8 GB Speicher", "PO Box 3 Items",
])
def test_look_alikes_of_streets_stay(scrubber: Scrubber, text: str) -> None:
    key = "$current_url" if "://" in text else "note"
    assert scrubbed(scrubber, key, text) == text


def test_a_wallet_under_an_address_parameter_is_the_detectors_to_name() -> None:
    scrubber = default_scrubber(KEY, ("US",))
    url = "https://example.com/pay?address=0x71C7656EC7ab88b098defB751B7401B5f6d8976F"
    assert scrubbed(scrubber, "$current_url", url) == "https://example.com/pay?address=[CRYPTO_WALLET]"
