"""Generated cases for the scrubber's accuracy on people's names and passwords, made at run time from a seed.

Names come from Faker's locales (en/de/fr/es/it/nl, with the family-name particles of each); the field names, URL
shapes, page titles, element texts, sentences and look-alikes are this module's own, written from how products and
people write them. Nothing here comes from an evaluation corpus. `python -m tests.policies.pii_cases [SEED] [N]`
prints leaks and benign values kept per kind and embedding (with `--show` the cases that fail).
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from faker import Faker

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")
_PARTICLES = {"de_DE": ("von", "von der", "zu"), "fr_FR": ("de", "du", "de la", "le"), "es_ES": ("de", "de la", "del"),
              "it_IT": ("di", "de", "della", "da"), "nl_NL": ("van", "van der", "de", "van den", "ter")}


@dataclass(frozen=True)
class Case:
    kind: str  # PERSON, PASSWORD or BENIGN
    embedding: str
    key: str
    value: str
    secret: tuple[str, ...]  # forms of the planted value that must not survive (BENIGN: the value itself must)


@dataclass(frozen=True)
class Name:
    given: str
    surname: str
    locale: str

    @property
    def full(self) -> str:
        return f"{self.given} {self.surname}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(text: str, sep: str = "-") -> str:
    return re.sub(r"[^a-z0-9]+", sep, _ascii(text).lower()).strip(sep)


def _forms(name: Name) -> tuple[str, ...]:
    """The planted name as each embedding may write it: the surname is enough to identify someone."""
    surname = name.surname.split()[-1]
    return (name.full, surname, slug(surname), quote(surname), _ascii(surname))


def _names(rnd: random.Random, fakers: dict[str, Faker], locales: tuple[str, ...] = LOCALES) -> Iterator[Name]:
    while True:
        locale = rnd.choice(locales)
        faker = fakers[locale]
        given, surname = faker.first_name(), faker.last_name()
        if locale in _PARTICLES and rnd.random() < 0.2:
            surname = f"{rnd.choice(_PARTICLES[locale])} {surname.split()[-1]}"
        if len(surname.split()[-1]) >= 3 and " " not in given:
            yield Name(given, surname, locale)


_Template = tuple[str, str, Callable[[Name], str]]
_TITLE = {"de_DE": ("Herr", "Frau"), "fr_FR": ("M.", "Mme"), "es_ES": ("Sr.", "Sra."), "it_IT": ("Sig.", "Sig.ra"),
          "nl_NL": ("dhr.", "mevr."), "en_US": ("Mr.", "Ms."), "en_GB": ("Mr", "Mrs")}
PERSON_TEMPLATES: list[_Template] = [
    # free text
    ("free_text", "support_note", lambda n: f"Callback requested by {n.full}, prefers mornings"),
    ("free_text", "ticket_text", lambda n: f"{n.full} says the export button does nothing"),
    ("free_text", "bemerkung", lambda n: f"Rückruf von {n.full} erbeten, Vertrag läuft aus"),
    ("free_text", "commentaire", lambda n: f"Échange avec {n.full} au sujet de la facture"),
    ("free_text", "comentario", lambda n: f"Hablé con {n.full} sobre la renovación"),
    ("free_text", "nota", lambda n: f"Ho sentito {n.full} per il rinnovo"),
    ("free_text", "opmerking", lambda n: f"Gesproken met {n.full} over de offerte"),
    ("free_text", "chat_message", lambda n: f"Hi {n.given}, thanks for reaching out!"),
    ("free_text", "reply_body", lambda n: f"Dear {n.full},\nyour order has shipped."),
    ("free_text", "anmerkung", lambda n: f"{_TITLE['de_DE'][0]} {n.surname} bittet um Rückruf"),
    ("free_text", "remarque", lambda n: f"{_TITLE['fr_FR'][1]} {n.surname} a appelé ce matin"),
    ("free_text", "nota_interna", lambda n: f"La {_TITLE['es_ES'][1]} {n.surname} pidió un reembolso"),
    ("free_text", "appunto", lambda n: f"Il {_TITLE['it_IT'][0]} {n.surname} ha chiesto un preventivo"),
    ("free_text", "notitie", lambda n: f"{_TITLE['nl_NL'][1]} {n.surname} belt morgen terug"),
    ("free_text", "review_text", lambda n: f"Great onboarding session by {n.full}."),
    ("free_text", "slack_msg", lambda n: f"@{slug(n.full, '.')} can you take a look?"),
    ("free_text", "handover", lambda n: f"Assigned to {n.full} until Friday"),
    ("free_text", "email_body", lambda n: f"Best regards,\n{n.full}"),
    ("free_text", "summary", lambda n: f"{n.full} ({n.locale[:2]}) joined the workspace"),
    # fields under keys that say a person
    ("field", "reviewer_name", lambda n: n.full),
    ("field", "nom_du_contact", lambda n: n.full),
    ("field", "ansprechpartner", lambda n: n.full),
    ("field", "nombre_titular", lambda n: n.full),
    ("field", "referente_commerciale", lambda n: n.full),
    ("field", "contactpersoon", lambda n: n.full),
    ("field", "billing_contact_name", lambda n: n.full.upper()),
    ("field", "signatory", lambda n: f"{n.surname}, {n.given}"),
    # URL paths
    ("url_path", "$current_url", lambda n: f"https://crm.example.org/contacts/{slug(n.full)}-{len(n.full) * 37}"),
    ("url_path", "page_url", lambda n: f"https://files.example.net/uploads/photos/{slug(n.full, '_')}.jpg"),
    ("url_path", "$current_url", lambda n: f"https://intranet.example.de/mitarbeiter/{slug(n.full)}/kalender"),
    ("url_path", "$pathname", lambda n: f"/annuaire/{slug(n.full)}"),
    ("url_path", "link", lambda n: f"https://example.com/profiel/{quote(n.full)}"),
    ("url_path", "$current_url", lambda n: f"https://example.es/perfil/{slug(n.full, '.')}"),
    # page titles
    ("page_title", "$title", lambda n: f"{n.full}'s profile · Teamspace"),
    ("page_title", "document_title", lambda n: f"Profil von {n.full} | Intranet"),
    ("page_title", "$title", lambda n: f"Profil de {n.full} - Annuaire"),
    ("page_title", "$title", lambda n: f"Ficha de {n.full} — CRM"),
    ("page_title", "page_title", lambda n: f"Scheda cliente: {n.full}"),
    ("page_title", "$title", lambda n: f"{n.full} – Contact details"),
    # autocapture element text
    ("el_text", "$el_text", lambda n: f"Signed in as {n.full}"),
    ("el_text", "$el_text", lambda n: f"Message {n.full}"),
    ("el_text", "$el_text", lambda n: f"Angemeldet als {n.full}"),
    ("el_text", "$el_text", lambda n: f"Écrire à {n.full}"),
    ("el_text", "$el_text", lambda n: f"{n.full}\nAccount owner"),
    ("el_text", "$el_text", lambda n: n.full),
    # queries, once and twice encoded
    ("url_query", "$current_url", lambda n: f"https://app.example.com/search?who={quote_plus(n.full)}&page=2"),
    ("url_query", "$current_url", lambda n: f"https://example.com/zoeken?naam={quote(n.full)}"),
    ("url_query_double_encoded", "$current_url",
     lambda n: "https://example.com/login?return_to=" + quote(f"/people?q={quote_plus(n.full)}", safe="")),
    ("url_query_double_encoded", "$referrer",
     lambda n: "https://sso.example.com/cb?state=" + quote(f"https://app.example.com/u?name={quote(n.full)}", safe="")),
    # multi-line and arrays
    ("multiline", "shipping_label", lambda n: f"{n.full}\n12 Example Road\nSpringfield"),
    ("multiline", "signature_block", lambda n: f"Kind regards\n{n.full}\nHead of Finance"),
]
# pii7names: elided articles, greetings and titles before unlisted names, display names, glued handles, more keys.
CONTEXT_TEMPLATES: list[_Template] = [
    ("free_text", "commentaire", lambda n: f"Dossier d'{n.full} transmis au service client"),
    ("free_text", "nota", lambda n: f"la pratica dell'{n.full} è chiusa"),
    ("free_text", "chat_message", lambda n: f"Hallo {n.full}, danke für Ihre Nachricht"),
    ("free_text", "chat_message", lambda n: f"Bonjour {n.full}, merci pour votre retour"),
    ("free_text", "chat_message", lambda n: f"Hola {n.full}: gracias por escribirnos"),
    ("free_text", "chat_message", lambda n: f"Hoi {n.full}, bedankt voor je bericht"),
    ("free_text", "reply_body", lambda n: f"Sehr geehrte Frau {n.surname},\nvielen Dank."),
    ("free_text", "reply_body", lambda n: f"Chère Mme {n.surname},\nmerci."),
    ("free_text", "reply_body", lambda n: f"Estimado Sr. {n.surname}:\ngracias."),
    ("free_text", "reply_body", lambda n: f"Gentile Sig.ra {n.surname},\ngrazie."),
    ("free_text", "email_from", lambda n: f"{n.full} <{slug(n.full, '.')}@example.org>"),
    ("free_text", "chat_message", lambda n: f"Merci {n.full}, c'est réglé"),
    ("free_text", "chat_message", lambda n: f"Thanks {n.full}! Works now"),
    ("free_text", "slack_msg", lambda n: f"ping @{slug(n.given, '')}{slug(n.surname, '')} about the invoice"),
    ("free_text", "slack_msg", lambda n: f"@{slug(n.given)[0]}_{slug(n.surname, '')} please review"),
    ("field", "invitee_name", lambda n: n.full),
    ("field", "agent_name", lambda n: n.full),
    ("field", "legal_name", lambda n: n.full),
]

# pii8text: names the lists may not hold (from the locales of other countries whose people write to these products as
# well: WORLD_LOCALES) in the contexts people write them: after by/from/von/de/di/van, before a verb of saying, with a
# role in brackets, in a greeting or a signature, a page title or a button, in en/de/fr/es/it/nl.
WORLD_LOCALES = ("pl_PL", "fi_FI", "hu_HU", "cs_CZ", "tr_TR", "sv_SE", "da_DK", "pt_PT", "ro_RO", "hr_HR", "sk_SK",
                 "sl_SI", "lt_LT", "et_EE", "en_IE", "de_AT", "fr_CH", "nl_BE", "es_MX", "en_IN")
TEXT_TEMPLATES: list[_Template] = [
    ("free_text", "comment", lambda n: f"{n.full} wrote: the invoice is still missing"),
    ("free_text", "kommentar", lambda n: f"{n.full} schrieb, dass die Lieferung fehlt"),
    ("free_text", "commentaire", lambda n: f"{n.full} a écrit : la facture est fausse"),
    ("free_text", "comentario", lambda n: f"{n.full} escribió que no recibió el pedido"),
    ("free_text", "commento", lambda n: f"{n.full} ha scritto che il pagamento è fallito"),
    ("free_text", "opmerking", lambda n: f"{n.full} schreef dat de levering te laat is"),
    ("free_text", "ticket_text", lambda n: f"Ticket opened by {n.full} yesterday"),
    ("free_text", "notiz", lambda n: f"Anfrage von {n.full} zur Rechnung"),
    ("free_text", "note_interne", lambda n: f"Demande de {n.full} concernant le contrat"),
    ("free_text", "nota", lambda n: f"Solicitud de {n.full} sobre la factura"),
    ("free_text", "nota", lambda n: f"Richiesta di {n.full} per il rimborso"),
    ("free_text", "notitie", lambda n: f"Vraag van {n.full} over de factuur"),
    ("free_text", "summary", lambda n: f"{n.full} (CEO) approved the budget"),
    ("free_text", "summary", lambda n: f"Meeting notes: {n.full} (Head of Sales), pricing"),
    ("free_text", "chat_message", lambda n: f"Guten Tag {n.full}, vielen Dank"),
    ("free_text", "chat_message", lambda n: f"Buongiorno {n.full}, grazie per il messaggio"),
    ("free_text", "chat_message", lambda n: f"Buenos días {n.full}, gracias por su mensaje"),
    ("free_text", "chat_message", lambda n: f"Goedemiddag {n.full}, dank voor uw bericht"),
    ("free_text", "handover", lambda n: f"Ticket assigned to {n.full}"),
    ("free_text", "email_from", lambda n: f"From: {n.full} <{slug(n.given)}@example.net>"),
    ("multiline", "signature_block", lambda n: f"Mit freundlichen Grüßen\n{n.full}"),
    ("multiline", "signature_block", lambda n: f"Cordialement,\n{n.full}"),
    ("multiline", "signature_block", lambda n: f"Un saludo,\n{n.full}"),
    ("multiline", "signature_block", lambda n: f"Cordiali saluti\n{n.full}"),
    ("multiline", "signature_block", lambda n: f"Met vriendelijke groet,\n{n.full}"),
    ("multiline", "contact_card", lambda n: f"Ansprechpartner\n{n.full}\nVertrieb"),
    ("page_title", "$title", lambda n: f"{n.full} | LinkedIn"),
    ("page_title", "$title", lambda n: f"Kontakt {n.full} – Intranet"),
    ("page_title", "$title", lambda n: f"{n.full} - Mitarbeiterprofil"),
    ("page_title", "$title", lambda n: f"Contacto: {n.full} | CRM"),
    ("el_text", "$el_text", lambda n: f"Edit {n.full}"),
    ("el_text", "$el_text", lambda n: f"Chat with {n.full}"),
    ("el_text", "$el_text", lambda n: f"{n.full} · Admin"),
]
# Look-alikes of those contexts: companies, products, places and teams after by/from/von/de/di/van, before a verb of
# saying, with a role in brackets, in a greeting, a title or a button.
TEXT_BENIGN: list[tuple[str, str, str]] = [
    ("free_text", "note", "Deutsche Telekom schrieb, dass der Anschluss fertig ist"),
    ("free_text", "note", "Google Analytics wrote: no data"),
    ("free_text", "note", "Ticket opened by Customer Success"),
    ("free_text", "note", "Anfrage von Hoffmann Logistik zur Rechnung"),
    ("free_text", "note", "Demande de Crédit Agricole concernant le prêt"),
    ("free_text", "note", "Solicitud de Banco Sabadell sobre la cuenta"),
    ("free_text", "note", "Richiesta di Poste Italiane per il pacco"),
    ("free_text", "note", "Vraag van Albert Heijn"),
    ("free_text", "note", "Microsoft Teams (Enterprise) approved"), ("free_text", "note", "Guten Tag Hamburg!"),
    ("free_text", "note", "Buenos días Buenos Aires"), ("free_text", "note", "Ticket assigned to Tier Two"),
    ("page_title", "$title", "Jobs | LinkedIn"), ("page_title", "$title", "Kontakt Formular – Intranet"),
    ("page_title", "$title", "Salesforce Einstein - Produktseite"), ("page_title", "$title", "Contacto: Soporte | CRM"),
    ("el_text", "$el_text", "Edit Billing Details"), ("el_text", "$el_text", "Chat with Sales"),
    ("el_text", "$el_text", "Workspace Settings · Admin"),
    ("multiline", "footer", "Mit freundlichen Grüßen\nIhr Support-Team"),
    ("multiline", "footer", "Cordialement,\nL'équipe Doctolib"),
    ("free_text", "note", "Le Monde a écrit un article"), ("free_text", "note", "Mercado Libre escribió ayer"),
]

_PW_WORDS = ("Sonnenblume", "Papillon", "Mariposa", "Farfalla", "Vlinder", "Bluebird", "Kastanie", "Girasole")


def _password(rnd: random.Random) -> str:
    shape = rnd.randrange(4)
    word = rnd.choice(_PW_WORDS)
    if shape == 0:
        return f"{word}{rnd.randrange(10, 9999)}{rnd.choice('!#$%&*')}"
    if shape == 1:
        return "".join(rnd.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
    if shape == 2:
        return f"{word.lower()}-{rnd.choice(_PW_WORDS).lower()}-{rnd.randrange(10, 99)}"
    return f"{word[0].lower()}{word[1:]}{rnd.randrange(1, 99)}"


PASSWORD_TEMPLATES: list[tuple[str, str, Callable[[str], str]]] = [
    ("free_text", "support_note", lambda p: f"customer's temporary password {p} did not work"),
    ("free_text", "nachricht", lambda p: f"das Passwort ist {p}, bitte ändern"),
    ("free_text", "message", lambda p: f"mot de passe : {p}"),
    ("free_text", "mensaje", lambda p: f"la contraseña: {p} no funciona"),
    ("free_text", "messaggio", lambda p: f"ti mando la password: {p}"),
    ("free_text", "bericht", lambda p: f"wachtwoord is {p} voor de test-omgeving"),
    ("free_text", "chat", lambda p: f"pw: {p}"),
    ("free_text", "chat", lambda p: f"use '{p}' as the password for now"),
    ("free_text", "feedback", lambda p: f"Kennwort „{p}“ wird abgelehnt"),
    ("free_text", "notes", lambda p: f"login admin / pass {p}"),
    ("field", "temp_pass", lambda p: p),
    ("field", "kennwort_neu", lambda p: p),
]

# Values that look like names or passwords but are not: products, companies, places, plans, labels, filenames.
BENIGN: list[tuple[str, str, str]] = [
    ("field", "company_name", "Hoffmann Logistik GmbH"), ("field", "product_name", "Aurora Pro Max"),
    ("field", "plan_name", "Business Premium"), ("field", "file_name", "quarterly_report_final.pdf"),
    ("field", "city", "Bergen op Zoom"), ("field", "campaign_name", "Spring Sale Mailing"),
    ("field", "feature_name", "Smart Reminders"), ("field", "team_name", "Customer Success EMEA"),
    ("field", "template_name", "Welcome Series 3"), ("field", "store_name", "Galeries Lafayette Haussmann"),
    ("free_text", "note", "Meeting with Deutsche Bahn about the tender"),
    ("free_text", "note", "Llamar a Banco Santander mañana"), ("free_text", "note", "Rappeler La Poste demain"),
    ("free_text", "note", "Check the boarding pass for gate B12"),
    ("free_text", "note", "Password must be 12 characters"),
    ("free_text", "note", "Herr Ober, die Rechnung bitte"), ("free_text", "note", "Hi team, release is out"),
    ("free_text", "comment", "Dear customer, thanks for your patience"), ("free_text", "note", "Sent from my iPhone"),
    ("page_title", "$title", "Pricing | Acme"), ("page_title", "$title", "Profil bearbeiten | Intranet"),
    ("page_title", "$title", "Mon profil - Annuaire"), ("el_text", "$el_text", "Signed in as Admin"),
    ("el_text", "$el_text", "Message the team"), ("el_text", "$el_text", "Angemeldet bleiben"),
    ("url_path", "$current_url", "https://example.com/team/settings/billing"),
    ("url_path", "$current_url", "https://example.com/contacts/import-csv"),
    ("url_path", "$current_url", "https://example.com/uploads/photos/company_logo.png"),
    ("url_path", "$current_url", "https://example.com/mitarbeiter/neu-anlegen"),
    ("url_path", "$current_url", "https://example.com/annuaire/recherche-avancee"),
    ("free_text", "note", "Mme la directrice a validé le budget"),
    ("free_text", "note", "Sr. Director de ventas llamó"),
    ("free_text", "note", "by Friday from Berlin"), ("free_text", "note", "Hi Support, the app crashes"),
    ("page_title", "$title", "Volkswagen Golf – Konfigurator"), ("page_title", "$title", "Tarifs – Hôtel de Ville"),
    ("field", "persona", "Power User"), ("el_text", "$el_text", "Message Center"), ("free_text", "note", "Call Center"),
    ("page_title", "$title", "Giorgio's dashboard"), ("url_path", "$current_url", "https://example.com/@marketing"),
    ("url_path", "$current_url", "https://example.com/img/company_logo.png"),
    ("free_text", "note", "Rappeler La Poste demain"), ("free_text", "note", "Gracias Totales, nos vemos"),
    # a reviewer's look-alikes of the rules tried and taken out again (role keys by shape, copulas, file names)
    ("field", "seller", "Amazon Marketplace"), ("field", "member", "GOLD PLUS"), ("field", "driver", "Real Madrid"),
    ("free_text", "note", "Rotterdam Centraal is closed"), ("free_text", "note", "Call Vodafone Ziggo today"),
    ("free_text", "note", "Visit Galleria Borghese"),
    ("url_path", "$current_url", "https://x.example/ferrari_testarossa.jpg"),
    ("url_path", "$current_url", "https://example.com/empleados/nuevo-ingreso"),
    ("free_text", "note", "Follow us @renault"),
    # pii7names: greetings and titles before a common noun, a group or a place; handles of shops and teams
    ("free_text", "note", "Hola Buenos Aires, ya llegamos"), ("free_text", "note", "Hallo Berlin, wir sind da"),
    ("free_text", "note", "Chère Cliente, merci"), ("free_text", "comment", "Dear Valued Customer,"),
    ("free_text", "note", "Herr Doktor, bitte warten"),
    ("free_text", "note", "Frau Präsidentin, meine Damen und Herren"),
    ("free_text", "note", "Ciao Ragazzi!"), ("free_text", "comment", "Dear Hiring Manager,"),
    ("free_text", "note", "Bonjour Madame, merci"), ("free_text", "note", "Beste Klant, bedankt"),
    ("free_text", "note", "Mme la Directrice a validé le budget"), ("free_text", "note", "Follow @leroymerlin"),
    ("free_text", "note", "Shop @bellavita today"), ("free_text", "note", "ask @marketing team"),
    ("free_text", "note", "Gentile Cliente, grazie"), ("free_text", "note", "L'Oréal Paris a répondu"),
    ("free_text", "note", "Merci Beaucoup!"), ("free_text", "note", "Thanks Guys!"),
    ("free_text", "note", "Danke Schön"), ("free_text", "note", "Thanks Google!"),
]
# Look-alikes the scrubber still changes: known over-redactions, listed so that a new one fails the regression test.
KNOWN_CHANGED = frozenset({
    "Real Madrid",  # `driver`: a role key of main's, by shape
    # after a title a word is a surname whatever it means; two words after a greeting are left to be a name; a venue
    # named after someone
    "Herr Ober, die Rechnung bitte", "Sr. Director de ventas llamó", "Mme la Directrice a validé le budget",
    "Herr Doktor, bitte warten", "Frau Präsidentin, meine Damen und Herren", "Hola Buenos Aires, ya llegamos",
    "Dear Valued Customer,", "Dear Hiring Manager,", "Galeries Lafayette Haussmann",
    # pii8text's look-alikes that main's rules change too: a place after a greeting, a shop named after its founder
    "Buenos días Buenos Aires", "Vraag van Albert Heijn",
})


def cases(seed: int = 7, per_template: int = 12) -> list[Case]:
    rnd = random.Random(seed)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed * 100 + i)
    names = _names(rnd, fakers)
    out = [Case("PERSON", emb, key, make(name), _forms(name))
           for emb, key, make in PERSON_TEMPLATES for name in _take(names, per_template)]
    for emb, key, make_pw in PASSWORD_TEMPLATES:
        for _ in range(per_template):
            secret = _password(rnd)
            out.append(Case("PASSWORD", emb, key, make_pw(secret), (secret,)))
    out += [Case("PERSON", emb, key, make(name), _forms(name))  # after the rest: their cases stay as they were
            for emb, key, make in CONTEXT_TEMPLATES for name in _take(names, per_template)]
    world_fakers = {locale: Faker(locale) for locale in WORLD_LOCALES}
    for i, faker in enumerate(world_fakers.values()):
        faker.seed_instance(seed * 1000 + i)
    world = _names(rnd, world_fakers, WORLD_LOCALES)
    for emb, key, make in TEXT_TEMPLATES:  # half of each from the six locales, half from the world's
        taken = _take(names, per_template - per_template // 2) + _take(world, per_template // 2)
        out += [Case("PERSON", emb, key, make(name), _forms(name)) for name in taken]
    out += [Case("BENIGN", emb, key, value, (value,)) for emb, key, value in BENIGN + TEXT_BENIGN]
    return out


def _take(names: Iterator[Name], n: int) -> list[Name]:
    return [next(names) for _ in range(n)]


def leaked(case: Case, out: str) -> bool:
    """True if a planted value survived (for BENIGN: if the value did not survive unchanged)."""
    if case.kind == "BENIGN":
        return out != case.value
    low = out.lower()
    return any(form.lower() in low for form in case.secret if len(form) >= 3)


def run(scrub: Callable[[str, str], str], all_cases: list[Case]) -> list[tuple[Case, str]]:
    return [(case, out) for case in all_cases if leaked(case, out := scrub(case.key, case.value))]


def default_scrubber(key: bytes = b"generated-cases-key-0123456789abcdef",
                     regions: tuple[str, ...] = ("US", "GB", "DE", "FR")) -> Scrubber:
    """The default policy's scrubber, with its own analyzer (a model directory of its own)."""
    return Scrubber(PiiConfig(), key, analyzer=Analyzer(Path(tempfile.mkdtemp()), regions, 0, 0.1))


def scrubbed(scrubber: Scrubber, key: str, value: Any) -> Any:
    """What is left of one property's value (None when the property is dropped)."""
    return scrubber.scrub_value({"properties": {key: value}})[0]["properties"].get(key)


def scrubber_for_cases() -> Callable[[str, str], str]:
    """The default policy's scrubber, as a function of a property's key and value to what is left of the value."""
    scrubber = default_scrubber()
    return lambda key, value: str(scrubbed(scrubber, key, value) or "")


def report(argv: list[str], make_cases: Callable[[int, int], list[Case]], per: int, kinds: tuple[str, ...],
           make_scrub: Callable[[], Callable[[str, str], str]] = scrubber_for_cases) -> None:
    """`python -m tests.policies.<generator> [SEED [PER]] [--show]`: what leaks (and which look-alikes change) per kind
    and embedding, through the default policy's scrubber; with --show, each failing case and what was left of it."""
    args = [a for a in argv if not a.startswith("--")]
    seed, per = (int(args[0]) if args else 7), (int(args[1]) if len(args) > 1 else per)
    all_cases = make_cases(seed, per)
    bad = run(make_scrub(), all_cases)
    total = Counter((c.kind, c.embedding) for c in all_cases)
    failed = Counter((c.kind, c.embedding) for c, _ in bad)
    for kind in kinds:
        n, f = sum(v for k, v in total.items() if k[0] == kind), sum(v for k, v in failed.items() if k[0] == kind)
        print(f"{kind:9} {'changed' if kind == 'BENIGN' else 'leaked'} {f}/{n}  " + "  ".join(
            f"{emb} {failed[(kind, emb)]}/{t}" for (k, emb), t in sorted(total.items()) if k == kind))
    if "--show" in argv:
        for case, out in bad:
            print(f"{case.kind} {case.embedding} {case.key}: {case.value!r} -> {out!r}")


if __name__ == "__main__":
    report(sys.argv[1:], cases, 12, ("PERSON", "PASSWORD", "BENIGN"))
