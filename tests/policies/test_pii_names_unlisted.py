"""Names that no list holds, found by their place: a value shaped like a name under a key that names a person in a
role (`sachbearbeiter`, `gestionnaire`, `autista`), and a name written in capitals. The names are invented for these
tests (syllables no list holds); the look-alikes are what such keys hold when no person is meant. None comes from an
evaluation corpus or from Faker's person names."""

from __future__ import annotations

import pytest

from policies.pii import Scrubber
from tests.policies.pii_cases import default_scrubber, scrubbed


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber(b"unlisted-names-key-0123456789abcdef")


ROLE_VALUES = [
    # roles that are as often a firm or a team: a name of words no list holds, in en/de/fr/es/it/nl
    ("sales_rep", "Tavrel Okumbe"), ("speaker", "Lisandre Vautrin"), ("sachbearbeiter", "Joskia Brandlewitz"),
    ("betreuer", "K. von Hakowski"), ("gestionnaire", "Vautrin, Lisandre"), ("conseiller", "Maelis Durvanot"),
    ("cliente", "Nindro del Fleucci"), ("asesor", "Veris Bevrinema"), ("incaricato", "Vrisetta Giakani"),
    ("autore", "Zaerette Kukino della Flourani"), ("behandelaar", "Duukje Vierstrama"),
    ("beheerder", "R. van der Vruxvalmann"),
    # roles no key list had: who drives, repairs, hosts or uses an account
    ("chauffeur", "Tavrel Okumbe"), ("technician", "Joskia Brandlewitz"), ("fahrer", "Maelis Durvanot"),
    ("monteur", "Duukje Vierstrama"), ("autista", "Nindro Fleucci"), ("tecnico", "Veris Bevrinema"),
    ("conductor", "Lisandre Vautrin"), ("ospite", "Vrisetta Giakani"), ("user", "Tavrel Okumbe"),
    ("zustaendig", "Joskia Brandlewitz"),
    # in capitals, under a role and under a person's key
    ("assignee", "TAVREL OKUMBE"), ("recipient", "LISANDRE VAUTRIN"), ("klant", "DUUKJE VAN VIERSTRAMA"),
    ("destinatario", "VERIS BEVRINEMA"), ("sales_rep", "MAELIS DURVANOT"),
]
NOT_ROLE_VALUES = [
    # a team, a stage, a fleet, a product, a department: English words, or a firm's, a team's or a place's words
    ("sales_rep", "Inside Sales"), ("speaker", "Keynote Stage"), ("sachbearbeiter", "Vertrieb Nord"),
    ("betreuer", "Kundenservice"), ("gestionnaire", "Service Client"), ("cliente", "Distribuciones Norte S.L."),
    ("autore", "Redazione"), ("behandelaar", "Team Noord"), ("chauffeur", "Fleet North"),
    ("technician", "Field Service"), ("fahrer", "Logistik GmbH"), ("autista", "Strada Collina"),
    ("tecnico", "Assistenza Clienti"), ("user", "anonymous"), ("user", "Guest User"), ("user", "Premium Plan"),
    ("conductor", "Madrid"), ("monteur", "Onderhoud BV"), ("ospite", "Milano Centrale"),
    # in capitals: a team, a system, a department
    ("assignee", "SUPPORT TEAM"), ("assignee", "SYSTEM"), ("sales_rep", "INSIDE SALES"),
    # keys that name no person
    ("owner_type", "Individual"), ("host_name", "db-01"), ("author_count", "12"), ("driver_version", "535.104.05"),
    ("contact_method", "email"), ("recipient_type", "Business"), ("from", "2024-01-01"),
]


@pytest.mark.parametrize("key, value", ROLE_VALUES)
def test_a_name_no_list_holds_under_a_role_is_replaced(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == "[PERSON]"


@pytest.mark.parametrize("key, value", NOT_ROLE_VALUES)
def test_what_a_role_holds_when_no_person_is_meant_stays(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value
