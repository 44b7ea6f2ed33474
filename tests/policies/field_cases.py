"""Generated cases for people's names in structured places, made at run time from a seed: under keys that name a person
or a role in en/de/fr/es/it/nl (camelCase, snake_case, `*_by`, nested objects, arrays of names or of people), as slugs
in URL paths (profiles, team pages, avatars), and in search queries (`q=`, `+` for spaces, doubly encoded redirects);
password-ish fields; and look-alikes that must stay (names of files, plans, events, companies, products, teams, ids).

Names come from Faker's locales via pii_cases; the keys, URL shapes and look-alikes are this module's own, written
from how products and their APIs name things. Nothing here comes from an evaluation corpus.
`python -m tests.policies.field_cases [SEED] [N] [--show]`.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

from faker import Faker

from policies.pii import Scrubber
from tests.policies.pii_cases import LOCALES, Case, Name, _forms, _names, default_scrubber, scrubbed, slug

_Make = Callable[[Name], Any]


def _initial(n: Name) -> str:
    return f"{n.given[0]}. {n.surname}"


# Keys that say a person, as SDKs and APIs name them, with values as they write them.
FIELD_TEMPLATES: list[tuple[str, str, _Make]] = [
    ("field", "owner", lambda n: n.full),
    ("field", "assignee", lambda n: n.full),
    ("field", "accountOwner", lambda n: n.full),
    ("field", "ticket_assignee", lambda n: n.full),
    ("field", "sales_rep", lambda n: n.full),
    ("field", "account_manager", lambda n: n.full),
    ("field", "approvedBy", lambda n: n.full),
    ("field", "last_modified_by", lambda n: n.full),
    ("field", "reviewer", lambda n: f"{n.surname}, {n.given}"),
    ("field", "author", lambda n: _initial(n)),
    ("field", "contact", lambda n: n.full),
    ("field", "primaryContact", lambda n: n.full),
    ("field", "recipient", lambda n: n.full),
    ("field", "sender", lambda n: n.full),
    ("field", "attendee", lambda n: n.full),
    ("field", "ansprechpartner", lambda n: n.full),
    ("field", "bearbeiter", lambda n: n.full),
    ("field", "zustaendiger_mitarbeiter", lambda n: n.full),
    ("field", "erstellt_von", lambda n: n.full),
    ("field", "responsable", lambda n: n.full),
    ("field", "destinataire", lambda n: n.full),
    ("field", "cree_par", lambda n: n.full),
    ("field", "responsable_compte", lambda n: n.full),
    ("field", "titular", lambda n: n.full),
    ("field", "asignado_a", lambda n: n.full),
    ("field", "creado_por", lambda n: n.full),
    ("field", "titolare", lambda n: n.full),
    ("field", "referente", lambda n: n.full),
    ("field", "assegnato_a", lambda n: n.full),
    ("field", "behandelaar", lambda n: n.full),
    ("field", "contactpersoon", lambda n: n.full),
    ("field", "toegewezen_aan", lambda n: n.full),
    ("field", "customerFullName", lambda n: n.full),
    ("field", "holder", lambda n: n.full.upper()),
    ("field", "signed_by", lambda n: n.full),
    ("field", "requested_by", lambda n: n.full),
    ("field", "uploader", lambda n: n.full),
    ("field", "coach", lambda n: n.full),
    ("field", "teacher", lambda n: n.full),
    ("field", "speaker", lambda n: n.full),
    ("field", "doctor", lambda n: n.full),
    ("field", "lead_owner", lambda n: n.full),
    ("field", "hiring_manager", lambda n: n.full),
    ("field", "collaborator", lambda n: n.full),
    ("field", "mentioned_user", lambda n: n.full),
    ("field", "user", lambda n: n.full),
    ("field", "member", lambda n: n.full),
    ("field", "person", lambda n: n.full),
    # nested objects and arrays
    ("nested", "owner", lambda n: {"name": n.full, "id": 4711}),
    ("nested", "assignee", lambda n: {"displayName": n.full, "accountId": "5b10ac8d82e05b22cc7d4ef5"}),
    ("nested", "contact", lambda n: {"first": n.given, "last": n.surname}),
    ("nested", "author", lambda n: {"name": n.full, "role": "editor"}),
    ("nested", "kunde", lambda n: {"vorname": n.given, "nachname": n.surname}),
    ("nested", "user", lambda n: {"name": n.full, "plan": "pro"}),
    ("nested", "created_by", lambda n: {"name": n.full}),
    ("nested", "sender", lambda n: {"full_name": n.full}),
    ("nested", "responsable", lambda n: {"nom": n.full}),
    ("nested", "profile", lambda n: {"first_name": n.given, "last_name": n.surname}),
    ("array", "attendees", lambda n: [n.full, "Jan Novak"]),
    ("array", "reviewers", lambda n: [{"name": n.full}]),
    ("array", "cc", lambda n: [n.full]),
    ("array", "teilnehmer", lambda n: [n.full]),
    ("array", "participants", lambda n: [{"name": n.full, "id": 12}]),
    ("array", "assignees", lambda n: [n.full]),
    ("array", "members", lambda n: [{"displayName": n.full}]),
]

_PEOPLE_SEGMENTS = ("users", "user", "u", "people", "team", "profile", "profiles", "members", "staff", "employees",
                    "authors", "agents", "mitarbeiter", "personen", "equipe", "annuaire", "equipo", "perfil",
                    "usuarios", "utenti", "squadra", "profilo", "medewerkers", "gebruikers", "profiel", "in")
URL_PATH_TEMPLATES: list[tuple[str, str, _Make]] = [
    ("url_path", "$current_url", lambda n: f"https://app.example.com/users/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.nl/team/{slug(n.full, '.')}"),
    ("url_path", "$pathname", lambda n: f"/profile/{slug(n.surname, '_')}_{slug(n.given)[0]}"),
    ("url_path", "avatar_url", lambda n: f"https://cdn.example.com/avatars/{slug(n.full)}.png"),
    ("url_path", "$current_url", lambda n: f"https://intranet.example.de/mitarbeiter/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.fr/equipe/{slug(n.full)}/"),
    ("url_path", "$current_url", lambda n: f"https://example.es/equipo/{slug(n.full)}?tab=about"),
    ("url_path", "$current_url", lambda n: f"https://example.it/utenti/{slug(n.full, '.')}/impostazioni"),
    ("url_path", "$current_url", lambda n: f"https://example.nl/medewerkers/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://www.linkedin.com/in/{slug(n.full)}-{len(n.full) * 7919:x}"),
    ("url_path", "$current_url", lambda n: f"https://example.com/people/{slug(n.given)}"
                                           f"-{slug(n.surname)}/activity"),
    ("url_path", "$pathname", lambda n: f"/{_PEOPLE_SEGMENTS[len(n.full) % len(_PEOPLE_SEGMENTS)]}/{slug(n.full)}"),
    ("url_path", "image", lambda n: f"https://example.com/uploads/team/{slug(n.full, '_')}.jpg"),
    ("url_path", "$current_url", lambda n: f"https://example.com/authors/{slug(n.full)}/posts"),
    ("url_path", "$current_url", lambda n: f"https://example.com/speakers/{quote(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://medium.example.com/@{slug(n.full, '.')}"),
    ("url_path", "$current_url", lambda n: f"https://example.com/contacts/{len(n.full) * 131}-{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.com/user/{slug(n.full, '_')}/settings"),
    ("url_path", "document_url", lambda n: f"https://files.example.com/cv/Lebenslauf_{slug(n.full, '_').title()}.pdf"),
    ("url_path", "$current_url", lambda n: f"https://example.com/wiki/{n.full.replace(' ', '_')}"),
    ("url_path", "$current_url", lambda n: f"https://example.de/unser-team/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.it/chi-siamo/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.nl/over-ons/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.fr/notre-equipe/{slug(n.full)}.html"),
    ("url_path", "$current_url", lambda n: f"https://example.com/ansprechpartner/{slug(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.com/author/{slug(n.given)}{slug(n.surname)}"),
    ("url_path", "photo_url", lambda n: f"https://cdn.example.com/img/staff/{slug(n.surname)}_{slug(n.given)}.jpg"),
    ("url_path", "$current_url", lambda n: f"https://crm.example.com/deals/4821/contacts/{slug(n.full)}"),
    ("url_path", "$pathname", lambda n: f"/app/u/{slug(n.given)}.{slug(n.surname)}/inbox"),
    ("url_path", "$current_url", lambda n: f"https://example.com/~{slug(n.given)}{slug(n.surname)[:1]}"),
]
URL_QUERY_TEMPLATES: list[tuple[str, str, _Make]] = [
    ("url_query", "$current_url", lambda n: f"https://app.example.com/search?q={quote_plus(n.full)}"),
    ("url_query", "$current_url", lambda n: f"https://example.com/contacts?search={quote(n.full)}&sort=asc"),
    ("url_query", "$current_url", lambda n: f"https://example.com/find?name={quote_plus(n.full)}"),
    ("url_query", "$current_url", lambda n: f"https://example.de/suche?query={quote_plus(n.full)}"),
    ("url_query", "$current_url", lambda n: f"https://example.fr/recherche?nom={quote_plus(n.surname)}"
                                            f"&prenom={quote_plus(n.given)}"),
    ("url_query", "$current_url", lambda n: f"https://example.com/list?filter[owner]={quote(n.full)}"),
    ("url_query", "$current_url", lambda n: f"https://example.com/tickets?assignee={quote_plus(n.full)}"),
    ("url_query", "$referrer", lambda n: f"https://www.google.com/search?q={quote_plus(n.full + ' linkedin')}"),
    ("url_query", "$current_url", lambda n: f"https://example.com/s?term={n.full.replace(' ', '+')}&page=1"),
    ("url_query_double_encoded", "$current_url",
     lambda n: "https://app.example.com/login?next=" + quote(f"/search?q={quote(n.full)}", safe="")),
    ("url_query_double_encoded", "$current_url",
     lambda n: "https://example.com/auth?redirect_uri=" + quote(
         f"https://example.com/people?name={quote_plus(n.full)}", safe="")),
    ("url_query_double_encoded", "$referrer",
     lambda n: "https://sso.example.com/cb?return_to=" + quote(f"/contacts/{slug(n.full)}?x=1", safe="")),
    ("url_query_double_encoded", "$current_url",
     lambda n: "https://t.example.com/r?u=" + quote("https://example.com/go?url=" + quote(
         f"/search?q={quote_plus(n.full)}", safe=""), safe="")),
]

_PIN_WORDS = ("pin_code", "login_pin", "pwd_hash", "user_pwd", "passwort_wiederholen", "password_confirmation",
              "contrasena_actual", "mot_de_passe_confirmation", "wachtwoord_herhalen", "codice_pin", "pinCode",
              "secret_answer", "passphrase_hint_answer", "clave_wifi", "new_pwd", "geheime_vraag_antwoord",
              "userpassword", "Zugangspasswort", "inlogwachtwoord", "respuesta_secreta")


def _secret(rnd: random.Random, key: str) -> str:
    if "pin" in key.lower():
        return str(rnd.randrange(1000, 999999))
    return "".join(rnd.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#") for _ in range(11))


# Values that must stay as they are: names of things, ids, versions, and URLs of interface pages.
BENIGN: list[tuple[str, str, Any]] = [
    ("field", "file_name", "Q3_Board_Deck_final.pdf"), ("field", "plan_name", "Growth Annual"),
    ("field", "event_name", "Berlin Summit 2025"), ("field", "company_name", "Schmidt & Partner GmbH"),
    ("field", "product_name", "Marco Polo Backpack"), ("field", "team_name", "Platform Core"),
    ("field", "feature_name", "Smart Scheduling"), ("field", "owner_id", "usr_8f3a2c"),
    ("field", "created_by", "system"), ("field", "created_by", "api"), ("field", "sort_by", "Last Name"),
    ("field", "group_by", "Account Owner"), ("field", "reviewer_count", "3"), ("field", "author_id", "a-1029"),
    ("field", "app_version", "14.9.4.199"), ("field", "build", "2024.06.1"),
    ("field", "owner", "Finance Team"), ("field", "assignee", "unassigned"), ("field", "sender", "Acme Support"),
    ("field", "contact", "Sales"), ("field", "recipient", "All Employees"), ("field", "approver", "Auto"),
    ("field", "organizer", "Acme GmbH"), ("field", "holder", "Deutsche Bank"), ("field", "user", "anonymous"),
    ("field", "owner_type", "Organization"), ("field", "contact_method", "Email"),
    ("nested", "workspace", {"display_name": "Acme Marketing", "plan": "Team"}),
    ("nested", "project", {"name": "Apollo Launch", "owner_id": 17}),
    ("nested", "event", {"name": "Order Completed"}), ("nested", "team", {"name": "Customer Success"}),
    ("array", "tags", ["New York", "Enterprise"]), ("array", "cities", ["San Francisco", "Den Haag"]),
    ("url_path", "$current_url", "https://app.example.com/users/settings"),
    ("url_path", "$current_url", "https://app.example.com/users/new"),
    ("url_path", "$current_url", "https://example.com/team/billing-overview"),
    ("url_path", "$current_url", "https://example.com/people/import-contacts"),
    ("url_path", "avatar_url", "https://cdn.example.com/avatars/default-avatar.png"),
    ("url_path", "$current_url", "https://example.com/blog/new-york-office-opening"),
    ("url_path", "$current_url", "https://example.com/mitarbeiter/neu-anlegen"),
    ("url_path", "$current_url", "https://example.fr/equipe/service-client"),
    ("url_path", "$current_url", "https://example.com/profile/edit"),
    ("url_path", "$current_url", "https://example.com/products/victoria-secret-bag"),
    ("url_path", "$current_url", "https://example.com/docs/getting-started/install-sdk"),
    ("url_query", "$current_url", "https://example.com/search?q=pricing+plans"),
    ("url_query", "$current_url", "https://example.com/search?q=Berlin+Marathon"),
    ("url_query", "$current_url", "https://example.com/events?name=Spring+Sale"),
    ("url_query", "$current_url", "https://example.com/login?next=%2Fdashboard%3Ftab%3Dreports"),
    ("url_query", "$current_url", "https://example.com/list?sort=name&order=asc"),
]


def cases(seed: int = 7, per_template: int = 4) -> list[Case]:
    rnd = random.Random(seed)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed * 1000 + i)
    names: Iterator[Name] = _names(rnd, fakers)
    out = []
    for emb, key, make in [*FIELD_TEMPLATES, *URL_PATH_TEMPLATES, *URL_QUERY_TEMPLATES]:
        for _ in range(per_template):
            name = next(names)
            out.append(Case("PERSON", emb, key, _text(make(name)), _forms(name)))
    for key in _PIN_WORDS:
        for _ in range(per_template):
            secret = _secret(rnd, key)
            out.append(Case("PASSWORD", "field", key, secret, (secret,)))
    out += [Case("BENIGN", emb, key, _text(value), (_text(value),)) for emb, key, value in BENIGN]
    return out


def _text(value: Any) -> str:
    """A case's value as Case holds it: a string as it is, an object or an array as its JSON text."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def scrubber_for_structures(scrubber: Scrubber | None = None) -> Callable[[str, str], str]:
    """A scrubber (the default policy's if none) as a function of a key and a case's value (JSON text for an object or
    an array, sent as the object or array it encodes) to what is left, in the same form."""
    scrubber = scrubber or default_scrubber()

    def scrub(key: str, value: str) -> str:
        structured = value[:1] in ("{", "[")
        left = scrubbed(scrubber, key, json.loads(value) if structured else value)
        return _text(left) if structured or isinstance(left, str) else ""
    return scrub


if __name__ == "__main__":
    from tests.policies.pii_cases import report

    report(sys.argv[1:], cases, 4, ("PERSON", "PASSWORD", "BENIGN"), scrubber_for_structures)
