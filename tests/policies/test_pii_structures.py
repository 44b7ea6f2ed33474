"""People's names where a structure says whose they are (tests/policies/field_cases.py: person and role keys in six
languages, objects and arrays of people, URL path slugs, queries once and twice encoded), password-ish keys, and the
look-alikes these rules must leave: through the real Scrubber."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from policies.pii import Scrubber
from policies.pii.fields import PERSON_OBJECT, THING_OBJECT, name_in_object, object_context
from policies.pii.selectors import PathMatcher, normalize_key
from tests.policies.field_cases import cases, scrubber_for_structures
from tests.policies.pii_cases import default_scrubber, run, scrubbed


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber()


@pytest.mark.parametrize("seed", [7, 8])
def test_generated_names_in_structures_rarely_leak_and_look_alikes_stay(scrubber: Scrubber, seed: int) -> None:
    all_cases = cases(seed, per_template=4)
    failed = run(scrubber_for_structures(scrubber), all_cases)
    planted = Counter(case.kind for case in all_cases)
    leaked = Counter(case.kind for case, _ in failed)
    # on main (seed 7 / 8): 29 / 32 of 432 names, 24 / 24 of 80 passwords and 4 / 4 of 49 look-alikes; with these
    # rules 9 / 14, 0, 0 (names the lists do not hold, or whose words are all English words: `Brandy Tanner`)
    assert leaked["PERSON"] <= planted["PERSON"] * 0.04, [c.value for c, _ in failed if c.kind == "PERSON"]
    assert leaked["PASSWORD"] == 0, [c.value for c, _ in failed if c.kind == "PASSWORD"]
    assert leaked["BENIGN"] == 0, [c.value for c, _ in failed if c.kind == "BENIGN"]


@pytest.mark.parametrize("key, value", [
    ("contact", {"first": "Alfred", "last": "Courtois"}),
    ("owner", {"name": "Meik Scholtz", "id": 4711}),
    ("assignee", {"displayName": "Melania Petrocelli", "accountId": "5b10ac8d"}),
    ("kunde", {"vorname": "Jörg", "nachname": "Wetzel"}),
    ("reviewers", [{"name": "Inge Kolbe"}, {"name": "Pim Smeets"}]),
])
def test_a_person_s_object_has_its_name_parts_replaced(scrubber: Scrubber, key: str, value: Any) -> None:
    out = scrubbed(scrubber, key, value)
    text = str(out)
    for word in ("Alfred", "Courtois", "Scholtz", "Petrocelli", "Wetzel", "Kolbe", "Smeets"):
        assert word not in text, out
    if isinstance(value, dict):  # what is not a name stays
        assert {k: v for k, v in out.items() if v != "[PERSON]"} == {
            k: v for k, v in value.items() if not isinstance(v, str) or k in ("accountId",)}


@pytest.mark.parametrize("key, value", [
    ("workspace", {"display_name": "Acme Marketing", "plan": "Team"}),
    ("project", {"name": "Apollo Launch", "owner_id": 17}),
    ("team", {"name": "Customer Success"}),
    ("owner", {"name": "Finance Team"}),
    ("contact", {"first": "Sales", "last": "Support"}),
])
def test_objects_of_things_and_teams_keep_their_names(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key", ["speaker", "presenter", "passenger", "trainee", "ponente", "relatore", "spreker",
                                 "account_holder_name", "vendor_contact_name", "product_owner_name",
                                 "event_speaker_name"])
def test_new_roles_and_a_role_nearer_the_name_word_name_a_person(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Lorenzo Bianchi") == "[PERSON]"


@pytest.mark.parametrize("key, value", [("company_display_name", "Lorenzo Bianchi Srl"),
                                        ("customer_company_name", "Bianchi Costruzioni"), ("speaker_count", "3"),
                                        ("speaker", "Keynote Stage"), ("passenger", "Economy Class")])
def test_things_and_settings_stay_beside_the_new_roles(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key", ["ticket_assignee", "order_owner", "case_owner", "incident_reporter",
                                 "invoice_recipient", "booking_guest", "shipment_recipient", "bestellung_kunde"])
def test_a_role_on_a_record_names_a_person_not_an_id(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Lorenzo Bianchi") == "[PERSON]"


@pytest.mark.parametrize("key, value", [("ticket_number", "2024-11-5321"), ("order_version", "14.9.4.199"),
                                        ("ticket_owner_id", "usr_8f3a2c"), ("order_recipient_count", "3"),
                                        ("build_agent", "Ubuntu Latest"), ("release_manager", "Mobile Release")])
def test_ids_stay_beside_a_role_on_a_record(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


# A record's role names a team, a queue or a firm as often as a person: a name only when the name lists read one.
@pytest.mark.parametrize("key, value", [("ticket_assignee", "Customer Success"), ("ticket_assignee", "Night Shift"),
                                        ("order_customer", "Stena Line"), ("case_owner", "Tier Two"),
                                        ("booking_guest", "Walk In"), ("invoice_recipient", "Heinz Wirth GbR"),
                                        ("bestellung_kunde", "Müller und Söhne")])
def test_a_role_on_a_record_keeps_teams_queues_and_firms(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("key, value", [
    ("author", "H. Maillot"), ("reviewer", "A.B. Smith"), ("owner", "J. de Vries"), ("signer", "Maillot, H."),
    ("assegnato_a", "Giulia Romano"), ("toegewezen_aan", "Sanne Bakker"), ("zugewiesen_an", "Jürgen Weber"),
    ("coach", "Sophie Garnier"), ("teacher", "Ulrike Schneider"), ("sales_rep", "Lorenzo Bianchi"),
    ("attendees", ["Sophie Garnier", "Jan Novak"]),
])
def test_role_keys_replace_names_written_with_initials_and_handed_to_someone(scrubber: Scrubber, key: str,
                                                                            value: Any) -> None:
    out = scrubbed(scrubber, key, value)
    assert out == ("[PERSON]" if isinstance(value, str) else ["[PERSON]"] * len(value))


@pytest.mark.parametrize("key, value", [
    ("owner", "Finance Team"), ("sender", "Acme Support"), ("recipient", "All Employees"), ("coach", "Auto Pilot GmbH"),
    ("sort_by", "Last Name"), ("group_by", "Account Owner"), ("send_to", "Slack"), ("reviewers", [3, 4]),
    ("uploader", "API"), ("file_name", "Q3_Board_Deck_final.pdf"),
])
def test_role_keys_keep_teams_mailboxes_and_settings(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


# A reviewer's look-alikes (lead note, 11:44): companies, departments and products under the roles this branch added
@pytest.mark.parametrize("key, value", [
    ("developed_by", "Rockstar Games"), ("designed_by", "Studio Dumbar"), ("processed_by", "Stripe Payments"),
    ("maintained_by", "Platform Engineering"), ("recommended_by", "Google Ads"), ("gehostet_von", "Hetzner Online"),
    ("bereitgestellt_von", "Deutsche Telekom"), ("gestionado_por", "Banco Sabadell"), ("gestito_da", "Poste Italiane"),
    ("teacher", "Online Academy"), ("coach", "Agile Coaching"), ("delegate", "Regional Office"),
    ("person", "Main Contact"), ("caller", "Unknown Caller"), ("buyer", "Procurement Dept"),
    ("policyholder", "Allianz Direct"), ("cliente", "Banco Santander"),
    ("teammates", ["Growth Squad", "Core Platform"]),
    ("reviewers", ["Code Owners"]), ("uploader", "Import Job"), ("owner", {"name": "Acme Marketing"}),
    ("projektleiter", "Digital Factory"), ("author", "A.B. Testing"),
])
def test_new_role_keys_keep_companies_departments_and_products(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


def test_new_role_keys_keep_generated_companies_jobs_and_cities(scrubber: Scrubber) -> None:
    from faker import Faker

    fake = Faker(["en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
    fake.seed_instance(14)
    keys = ("coach", "processed_by", "cliente", "reviewers", "projektleiter", "gestito_da", "uploader", "buyer")
    values = [(keys[i % len(keys)], v) for i, v in enumerate(
        [fake.company() for _ in range(40)] + [fake.job() for _ in range(40)] + [fake.city() for _ in range(40)])]
    # what the role key changes, beside what the detectors change under a key that says nothing (`item`): companies
    # named after their founders (`Cole, Owens and Salas`) are the detectors' either way
    changed = [(k, v) for k, v in values if scrubbed(scrubber, k, v) != v and scrubbed(scrubber, "item", v) == v]
    assert len(changed) <= len(values) * 0.05, changed


@pytest.mark.parametrize("key", ["userpassword", "Zugangspasswort", "inlogwachtwoord", "wlanPasswort", "clave_wifi",
                                 "geheime_vraag_antwoord", "respuesta_secreta", "risposta_segreta"])
def test_glued_password_words_and_secret_answers_are_removed(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Teb7rgHYG4B") is None


@pytest.mark.parametrize("key, value", [("passwordless", True), ("password_strength", "strong"),
                                        ("security_question", "Name of your first pet?")])
def test_keys_about_passwords_keep_their_values(scrubber: Scrubber, key: str, value: Any) -> None:
    assert scrubbed(scrubber, key, value) == value


@pytest.mark.parametrize("url, name", [
    ("/profile/mueller_k", "mueller"), ("https://example.com/u/j.dupont/settings", "dupont"),
    ("/team/van_der_horst_s", "horst"),
    ("https://example.com/ansprechpartner/guenther-jacob", "guenther"),
    ("https://example.fr/notre-equipe/sophie-garnier.html", "garnier"),
    ("https://files.example.com/cv/Lebenslauf_Dina_Golino.pdf", "Golino"),
    ("https://example.com/docs/cv-anna-schmidt-2024.pdf", "schmidt"),
    ("https://example.fr/recherche?nom=Cooley&prenom=Joel", "Cooley"),
    ("https://example.es/perfil/sophie-garnier", "garnier"),
    ("https://example.com/directory/kowalski-jolanta", "kowal"),
    ("https://example.com/files/Emanuel_von_Hamann.pdf", "Hamann"),
    ("https://example.fr/profil/christa-maria-bolnbach", "bolnbach"),
    ("https://cdn.example.com/avatars/fiamma-trevisani@2x.png", "trevisani"),
    ("https://example.com/members/madeleine-tanguy-c9ea69a8", "tanguy"),
    ("https://example.com/wp-content/uploads/2023/11/Gail-Griffiths-300x300.jpg", "Griffiths"),
    ("https://example.com/Evelyn-K%C3%BChnert", "hnert"), ("https://example.com/u/lstephens", "stephens"),
    ("https://example.com/users/17054/sanne-bakker", "bakker"),
    ("https://example.com/contacts/view/sanne-bakker", "bakker"),
    ("https://app.example.com/search?q=paulina+de+la+cerezo", "cerezo"),
    ("https://app.example.com/tickets?owner=Lena+Meyer", "Meyer"),
    # a role's parameter takes a listed pair of words (`bull`), a search's a given name before an unlisted word
    ("https://example.com/tickets?assignee=Carol+Bull", "Bull"),
    ("https://example.com/search?q=Anna+Oosterhuis", "Oosterhuis"),
    ("https://app.example.com/login?next=%2Fsearch%3Fq%3DAnna%2520Oosterhuis", "Oosterhuis"),
    # a common given name and a common surname that are both English words, after a collection of people
    ("https://intranet.example.de/mitarbeiter/james-walker", "walker"), ("/staff/david-baker", "baker"),
])
def test_names_in_paths_and_queries_are_replaced(scrubber: Scrubber, url: str, name: str) -> None:
    assert name not in scrubbed(scrubber, "$current_url", url)


@pytest.mark.parametrize("url", [
    "/profile/edit_x", "/users/new_a", "https://example.com/over-ons/onze-missie",
    "https://example.de/ueber-uns/unsere-geschichte", "https://example.it/chi-siamo/la-nostra-storia",
    "https://example.com/about/careers-page", "https://example.com/x/quarterly_report_final.pdf",
    "https://example.com/img/company_logo_dark.png", "https://example.com/events?name=Spring+Sale",
    "https://example.com/list?name=Berlin&sort=asc", "https://example.com/team/billing-overview",
    "https://example.es/perfil/editar-datos", "https://example.com/directory/new-york", "https://example.com/u/admin",
    "https://example.com/team/sales-julia", "https://example.com/x/Isla_de_Margarita.jpg",
    "https://example.com/users/17054/settings", "https://example.com/search?q=Berlin+Marathon",
    "https://example.com/search?q=Costa+Rica", "https://example.com/x?host=Airbnb+Plus",
    "https://example.com/Pricing-Plans", "https://example.com/avatars/default-avatar@2x.png",
    "https://example.com/x?assignee=Unassigned+Queue", "https://example.com/x?owner=Sales+Team",
    "https://example.com/people/june-release", "https://example.com/x?reviewer=Code+Owners",
    # a given name before a country or a city, two names joined into a firm's, a German legal form, a given name that
    # is an English word and no common one before a word
    "https://example.com/search?q=Florence+Italy", "https://example.com/x?customer=Johnson+and+Sons",
    "https://example.com/x?owner=Dupont+et+Fils", "https://example.com/x?assignee=Bianchi+e+Figli",
    "https://example.com/x?zoekterm=Heinz+Wirth+GbR", "https://example.com/x?q=Klaus+Weber+OHG",
    "https://example.com/x?assignee=Rogers+Ramp",
])
def test_paths_and_queries_of_interfaces_stay(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == url


def test_an_object_s_state_carries_what_its_key_says_one_level_down() -> None:
    matcher = PathMatcher(["**.email"])
    owner = matcher.in_context(matcher.step(matcher.root, normalize_key("owner")), PERSON_OBJECT)
    assert matcher.context(owner) == PERSON_OBJECT
    email = matcher.step(owner, normalize_key("email"))
    assert matcher.winner(email) == 0 and matcher.context(email) == 0  # selectors still match; children start afresh
    assert object_context("owner", "ROLE") == PERSON_OBJECT and object_context("workspace", "THING") == THING_OBJECT
    assert name_in_object("first", PERSON_OBJECT, None) == "PERSON"
    assert name_in_object("name", PERSON_OBJECT, None) == "NAMED_ROLE"
    assert name_in_object("displayName", PERSON_OBJECT, "PERSON") is None  # a person's key already
    assert name_in_object("display_name", THING_OBJECT, "PERSON") == "THING"
    assert name_in_object("plan", PERSON_OBJECT, None) is None
