"""People's names and passwords in generated traffic (tests/policies/pii_cases.py: Faker's names of six locales in this
project's own field names, URL shapes, page titles, element texts and sentences), through the real Scrubber; and the
rules pii6 added, one example each with the look-alikes they must leave."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer
from policies.pii.name_context import could_hold_a_handle
from tests.policies.pii_cases import KNOWN_CHANGED, cases, run

KEY = b"generated-cases-key-0123456789abcdef"


@pytest.fixture(scope="module")
def scrubber(tmp_path_factory: pytest.TempPathFactory) -> Scrubber:
    analyzer = Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)
    return Scrubber(PiiConfig(), KEY, analyzer=analyzer)


def scrubbed(scrubber: Scrubber, key: str, value: Any) -> Any:
    return scrubber.scrub_value({"properties": {key: value}})[0]["properties"].get(key)


@pytest.mark.parametrize("seed", [7, 8])
def test_generated_names_and_passwords_rarely_leak_and_look_alikes_stay(scrubber: Scrubber, seed: int) -> None:
    all_cases = cases(seed, per_template=12)
    failed = run(lambda key, value: str(scrubbed(scrubber, key, value)), all_cases)
    planted = Counter(case.kind for case in all_cases)
    leaked = Counter(case.kind for case, _ in failed)
    # 28 of 612 names leaked before pii6's rules (seed 7), 14 after; with pii7names' shapes (elisions, greetings,
    # thanks, handles: 828 names) 67 before name_context.py, 27 after (seed 8: 29): names the lists do not hold, and
    # handles whose surname is an English word (`@andreaburrows`, `@l_miller`), kept as brands' are (`@tedbaker`).
    # With pii8text's contexts and other countries' names (1,224 names): 43 before its rules, 28 after (seed 8: 45, 33)
    assert leaked["PERSON"] <= planted["PERSON"] * 0.04, [c.value for c, _ in failed if c.kind == "PERSON"]
    assert leaked["PASSWORD"] == 0, [c.value for c, _ in failed if c.kind == "PASSWORD"]
    assert {case.value for case, _ in failed if case.kind == "BENIGN"} <= KNOWN_CHANGED


@pytest.mark.parametrize("key", ["reviewer_full_nm", "fname", "lname"])
def test_abbreviated_name_keys_replace_a_name(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Sosimo Malacarne") == "[PERSON]"


@pytest.mark.parametrize("key, value", [("seller", "Amazon Marketplace"), ("member", "GOLD PLUS"),
                                        ("persona", "Power User"), ("passenger", "2 adults")])
def test_role_keys_keep_values_that_are_no_name(scrubber: Scrubber, key: str, value: str) -> None:
    assert scrubbed(scrubber, key, value) == value


def test_a_long_run_of_particles_under_a_role_key_is_scrubbed_in_one_pass(scrubber: Scrubber) -> None:
    # `De` is a capitalised word and no particle: the name shape reads such a run once, and a value of 200 characters
    # or more is no name at all (the detectors still read it)
    value = "Anna " + "De " * 700 + "x"
    assert scrubbed(scrubber, "member", value) == value


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/search?kundenname=Agnolo%20Malacarne&page=2",
     "https://example.com/search?kundenname=[PERSON]&page=2"),
    ("https://example.com/cb?next=%2Fu%3Ffull_name%3DPuccio%2520Camuccini",
     "https://example.com/cb?next=/u%3Ffull_name%3D[PERSON]"),  # re-encoded as a secret parameter is
])
def test_query_parameters_named_for_a_person_lose_the_name(scrubber: Scrubber, url: str, expected: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == expected


@pytest.mark.parametrize("url", ["https://example.com/q?assignee=unassigned", "https://example.com/q?name=Spring+Sale",
                                 "https://example.com/q?owner_id=4821", "https://example.com/s?host=Airbnb+Plus",
                                 "https://example.com/s?teacher=Math+Department"])
def test_query_parameters_that_name_no_person_are_kept(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == url


@pytest.mark.parametrize("key, text, expected", [
    ("$el_text", "Signed in as Agnolo Malacarne", "Signed in as [PERSON]"),
    ("$el_text", "Angemeldet als Azeglio de Pedersoli", "Angemeldet als [PERSON]"),
    ("$el_text", "Écrire à Siegward Hauffer", "Écrire à [PERSON]"),
    ("$title", "Profil von Jaylinn van der Werd | Intranet", "Profil von [PERSON] | Intranet"),
    ("$title", "Dawn Butler's profile · Teamspace", "[PERSON]'s profile · Teamspace"),
    ("note", "Mme zu Roskoth a appelé ce matin", "Mme [PERSON] a appelé ce matin"),
    ("note", "Ticket escalated, Giacinto Parri is waiting", "Ticket escalated, [PERSON] is waiting"),
])
def test_names_by_interface_labels_context_and_unlisted_given_names(scrubber: Scrubber, key: str, text: str,
                                                                    expected: str) -> None:
    assert scrubbed(scrubber, key, text) == expected


@pytest.mark.parametrize("key, text", [
    ("$el_text", "Signed in as Admin"), ("$el_text", "Message Center Settings"), ("$title", "Team's dashboard"),
    ("note", "Rappeler La Poste demain"), ("note", "Meeting with Deutsche Bahn about the tender"),
    ("note", "by Friday from Berlin"), ("note", "ping @marketing"), ("note", "Reunión con Banco Santander"),
    ("note", "Rotterdam Centraal is closed"), ("note", "Call Vodafone Ziggo today"), ("note", "ping Grafana Loki"),
    ("note", "Follow us @renault"), ("note", "Visit Galleria Borghese"),
])
def test_look_alikes_of_the_new_name_rules_are_kept(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/p/MagdaPeukert", "https://example.com/p/[PERSON]"),
    ("https://files.example.net/uploads/photos/anna_schmidt.jpg", "https://files.example.net/uploads/photos/[PERSON].jpg"),
    ("https://example.com/p/SandraOwens", "https://example.com/p/[PERSON]"),
])
def test_names_in_file_names_and_profile_paths(scrubber: Scrubber, url: str, expected: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == expected


@pytest.mark.parametrize("url", ["https://example.com/img/company_logo.png", "https://example.com/p/PayPal",
                                 "https://example.com/img/ferrari_testarossa.jpg",
                                 "https://example.com/empleados/nuevo-ingreso",
                                 "https://example.com/profil/bearbeiten", "https://example.com/team/NewMembers"])
def test_file_names_and_profile_paths_without_a_person_are_kept(scrubber: Scrubber, url: str) -> None:
    assert scrubbed(scrubber, "$current_url", url) == url


@pytest.mark.parametrize("key", ["default_pass", "nueva_clave", "geheimwort", "codigo_acceso", "code_acces",
                                 "parolaOrdine"])
def test_password_keys_with_their_qualifier_are_removed(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Sonnenblume77!") is None


@pytest.mark.parametrize("key", ["boarding_pass", "season_pass", "palabra_clave", "guest_pass"])
def test_passes_and_keywords_are_no_password_keys(scrubber: Scrubber, key: str) -> None:
    assert scrubbed(scrubber, key, "Sonnenblume77!") == "Sonnenblume77!"


@pytest.mark.parametrize("key, text, expected", [
    ("note", "Message d'Anne-Marie Lefèvre", "Message d'[PERSON]"),
    ("note", "la pratica dell'Anna Rossi è chiusa", "la pratica dell'[PERSON] è chiusa"),
    ("note", "l'avis d\u2019Hélène Girard", "l'avis d\u2019[PERSON]"),
    ("note", "Ho parlato con l'Olivier Dubois ieri", "Ho parlato con l'[PERSON] ieri"),
    ("note", "Prijs uitgereikt aan Jacobus van 't Hoff", "Prijs uitgereikt aan [PERSON]"),
    ("note", "Lorenzo de' Medici", "[PERSON]"),
])
def test_names_after_an_elided_article_are_a_person(scrubber: Scrubber, key: str, text: str, expected: str) -> None:
    assert scrubbed(scrubber, key, text) == expected


@pytest.mark.parametrize("key, text, expected", [
    ("$title", "Edit Patrizio della Mattarella - Admin", "Edit [PERSON] - Admin"),
    ("$el_text", "View Anna Schmidt", "View [PERSON]"),
    ("$current_url", "https://x.example/u/esperanzabarrera", "https://x.example/u/[PERSON]"),
])
def test_names_after_an_interface_verb_or_glued_after_a_people_segment(scrubber: Scrubber, key: str, text: str,
                                                                       expected: str) -> None:
    assert scrubbed(scrubber, key, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Le client Lazzaro Bertoli demande un avoir", "Le client [PERSON] demande un avoir"),
    ("Lando Panicucci commented on your post", "[PERSON] commented on your post"),
    ("Folker Wernecke kan niet inloggen", "[PERSON] kan niet inloggen"),
])
def test_names_before_a_verb_after_a_lower_case_word(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("@annaschmidt can you check?", "@[PERSON] can you check?"),
    ("cc @mariagarcia", "cc @[PERSON]"),
    ("@h_schmidt please review", "@[PERSON] please review"),
])
def test_handles_glued_from_a_name_are_a_person(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Sehr geehrte Frau Trautwein,", "Sehr geehrte [PERSON],"),
    ("Hola Ximena Urquiza, gracias", "Hola [PERSON], gracias"),
    ("mevr. Holland belt morgen terug", "mevr. [PERSON] belt morgen terug"),
    ("Gentile Sig.ra de la Madrid,", "Gentile Sig.ra [PERSON],"),
    ("Thijn van der Strigt <thijn@example.org>", "[PERSON] <[EMAIL]>"),
    ("Thanks Ramona! Works now", "Thanks [PERSON]! Works now"), ("Danke Jürgen!", "Danke [PERSON]!"),
    ("Grazie Paoletta Longhena, a presto", "Grazie [PERSON], a presto"),
    # review32's inputs: what main redacts stays redacted
    ("am Bahnhof Anna Schmidt abholen", "am Bahnhof [PERSON] abholen"),
    ("im Hotel Maria Rossi treffen", "im Hotel [PERSON] treffen"), ("Peter Liste ruft zurück", "[PERSON] ruft zurück"),
    ("Edit Kovács called about her order", "[PERSON] called about her order"),
    ("Dear Mr. Major,", "Dear Mr. [PERSON],"), ("Sehr geehrte Frau Kunde,", "Sehr geehrte [PERSON],"),
])
def test_greetings_titles_and_display_names_still_name_people(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubbed(scrubber, "note", text) == expected


@pytest.mark.parametrize("key, text", [
    ("note", "Hallo Berlin"), ("note", "Chère Cliente, merci"), ("note", "Bonjour Madame, merci"),
    ("note", "Ciao Ragazzi!"), ("note", "L'Oréal Paris a répondu"),
    ("note", "Merci Beaucoup!"), ("note", "Thanks Guys!"), ("note", "Gracias Totales, nos vemos"),
    ("note", "Thank you Mark."), ("note", "Follow @leroymerlin"), ("note", "Shop @bellavita today"),
    ("note", "ask @marketing team"), ("$el_text", "Edit profile"), ("$title", "View Pricing | Acme"),
    ("note", "Rotterdam Centraal Station hat geschlossen"), ("note", "la Banque Populaire ne répond pas"),
    ("note", "the Apple Watch left a mark"), ("note", "la Sagrada Familia no abre"),
    ("note", "@paulsmith shop"), ("note", "Follow @hugoboss"), ("note", "@tedbaker sale"), ("note", "@k_pop"),
    ("note", "@x_files"), ("note", "Thanks Amazon Prime!"), ("note", "Thanks Chase Bank!"),
    ("$current_url", "https://example.com/mitarbeiter/neu-anlegen"),
    ("$current_url", "https://example.com/utenti/nuovo-utente"),
])
def test_a_greeting_before_a_noun_or_a_place_and_shops_handles_keep_it(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text


@pytest.mark.parametrize("key, text, expected", [
    ("comment", "Mato Martić schrieb, dass die Lieferung fehlt", "[PERSON] schrieb, dass die Lieferung fehlt"),
    ("comment", "Ecemiş Yüksel ha scritto che", "[PERSON] ha scritto che"),
    ("comment", "Daciana Dinu wrote: thanks", "[PERSON] wrote: thanks"),
    ("comment", "Guten Tag Bimala Dyal, vielen Dank", "Guten Tag [PERSON], vielen Dank"),
    ("comment", "Goedemiddag Varl\u0131k \u0130hsano\u011flu, dank voor uw bericht",
     "Goedemiddag [PERSON], dank voor uw bericht"),
    ("$title", "Seyyide Mans\u0131z | LinkedIn", "[PERSON] | LinkedIn"),
    ("$title", "Olivia Manole - Mitarbeiterprofil", "[PERSON] - Mitarbeiterprofil"),
    ("$el_text", "Sabatino di Morandini · Admin", "[PERSON] · Admin"),
    ("$el_text", "Chat with Vytė Kaupas", "Chat with [PERSON]"),
    ("$el_text", "Yago Ricart\nAccount owner", "[PERSON]\nAccount owner"),
    ("handover", "Ticket assigned to Eve Pukk", "Ticket assigned to [PERSON]"),
])
def test_names_no_list_holds_are_a_person_by_their_context(scrubber: Scrubber, key: str, text: str,
                                                           expected: str) -> None:
    assert scrubbed(scrubber, key, text) == expected


@pytest.mark.parametrize("key, text", [
    ("note", "Deutsche Telekom schrieb, dass der Anschluss fertig ist"), ("note", "Google Analytics wrote: no data"),
    ("note", "Anfrage von Lidl Deutschland"), ("note", "Anfrage von Hoffmann Logistik zur Rechnung"),
    ("note", "Richiesta di Poste Italiane per il pacco"), ("note", "Le Monde a écrit un article"),
    ("note", "Mercado Libre escribió ayer"), ("note", "Guten Tag Hamburg!"), ("$title", "Jobs | LinkedIn"),
    ("$title", "Salesforce Einstein - Produktseite"), ("$el_text", "Workspace Settings · Admin"),
    ("$el_text", "Chat with Sales"), ("$el_text", "Ansprechpartner\nIhr Support-Team"),
    ("note", "Der Spiegel schreibt heute"), ("note", "eBooks by Rakuten Kobo"), ("note", "Goldman Sachs"),
    ("handover", "assigned to Will Bakery"), ("handover", "assigned to Grace Hall"),
    ("handover", "assigned to Jordan Brand"),
])
def test_companies_places_and_labels_in_those_contexts_are_kept(scrubber: Scrubber, key: str, text: str) -> None:
    assert scrubbed(scrubber, key, text) == text


@pytest.mark.parametrize("text, expected", [
    ("write to anna.schmidt@example.com", False), ("a@b.de, c@d.fr", False), ("https://x.example/@marketing", False),
    ("ping @annaschmidt", True), ("mail a@b.de then ping @annaschmidt", True), ("@j_doe please", True),
])
def test_only_an_at_sign_that_can_start_a_handle_opens_the_handle_test(text: str, expected: bool) -> None:
    assert could_hold_a_handle(text) is expected
