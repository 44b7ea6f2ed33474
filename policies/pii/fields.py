"""What a key says about its value, in several languages: a person's name, a street address, a person in some role,
or a number that is an identifier (a version, a build, an invoice), not a phone or an address.

Keys are split into words (camelCase, snake_case, kebab-case; accents folded, ß as ss), and German and Dutch
compounds are read by their last part (`Kundenname`, `Rechnungsadresse`, `klantnaam`). The word lists are general
vocabulary of form fields in en/de/fr/es/it/nl, not tuned to any corpus.

- PERSON: a name word (`name`, `nombre`, `nom`, `nome`, `naam`, `vorname`, `surname`, ...) with a qualifier that is
  not a thing (`employee_name`, `nombre_cliente`, `from_name`), or a name word that only names people (`first_name`,
  `apellido`, `achternaam`). `name` alone, and `file_name`, `plan_name`, `event_name`, `feature_name`, `product_name`
  and the like, are not people.
- ADDRESS: an address or street word (`home_address`, `strasse`, `rue`, `calle`, `indirizzo`, `straat`, `line1` of an
  address), but not an e-mail, IP, MAC or wallet address. Its strings are replaced; an address object is walked, so
  that its country code and city stay while its street lines go.
- ROLE: a person in a role (`assignee`, `recipient`, `empfaenger`, `destinataire`, ...) or who did something
  (`created_by`, `erstellt_von`, `creado_por`): a value shaped like a name is replaced, any other value goes to the
  detectors.
- NUMBER_ID: a version, build, release, invoice, order, reference, job, run, shipment or booking key, or a compound
  of `Nummer` that is not a phone, account or identity number (`Auftragsnummer`, `factuurnummer`): its numbers are
  never phones, addresses or national ids.
  An id word followed by a phone word (`order_phone`) is a phone.
- THING: a key that names an organisation or a product (`company`, `employer`, `brand`, `vendor`, `product_name`,
  `feature`, `Firmenname`, `entreprise`, `empresa`, `azienda`, `bedrijf`, ...): its value names no person, so the
  name detectors do not run on it (`Morgan Stanley`, `Ralph Lauren`, `Baker McKenzie` are companies); every other
  detector does.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from policies.pii.keys import listed_field
from policies.pii.name_context import reads_as_a_name
from policies.pii.names import NameFinder, a_place, fold
from policies.pii.places import CITIES, STREET_WORDS

PERSON, ADDRESS, ROLE, NUMBER_ID, THING = "PERSON", "ADDRESS", "ROLE", "NUMBER_ID", "THING"
NAMED_ROLE = "NAMED_ROLE"  # a role whose value is a person only when the name lists say so

_NAME_WORDS = frozenset({
    "name", "names", "nombre", "nombres", "nom", "noms", "nome", "nomi", "naam", "namen", "nm",
})
# Name words that only ever name people.
_PERSON_NAME_WORDS = frozenset({
    "firstname", "lastname", "fullname", "surname", "surnames", "givenname", "familyname", "forename", "middlename",
    "maidenname", "birthname", "displayname", "nickname", "vorname", "nachname", "familienname", "rufname",
    "geburtsname", "prenom", "prenoms", "patronyme", "apellido", "apellidos", "cognome", "voornaam", "achternaam",
    "roepnaam", "tussenvoegsel", "fname", "lname", "mname", "apodo", "soprannome", "pseudonyme",
})
# Qualifiers that make `<qualifier> name` a thing, not a person.
_THING_WORDS = frozenset({
    # en
    "file", "plan", "event", "feature", "product", "company", "organization", "organisation", "org", "app",
    "application", "page", "screen", "report", "browser", "os", "device", "campaign", "category", "project", "team",
    "tag", "template", "workspace", "account", "domain", "host", "hostname", "server", "table", "column", "field",
    "step", "button", "element", "list", "group", "channel", "variant", "experiment", "flag", "role", "status", "type",
    "model", "brand", "city", "country", "state", "region", "venue", "store", "shop", "pipeline", "stage", "deal",
    "board", "folder", "document", "doc", "form", "survey", "integration", "key", "bucket", "queue", "job", "task",
    "metric", "dashboard", "cohort", "segment", "audience", "property", "timezone", "locale", "language", "currency",
    "item", "sku", "course", "class", "room", "building", "site", "environment", "env", "service", "module", "package",
    "library", "lib", "sdk", "plugin", "theme", "layout", "section", "component", "widget", "action", "trigger",
    "workflow", "automation", "rule", "policy", "permission", "scope", "bank", "tier", "level", "game", "book",
    "title", "department", "network", "database", "schema", "index", "zone", "cluster", "node", "image", "video",
    "asset", "attachment", "upload", "export", "import", "source", "destination", "target", "origin", "vendor",
    "partner", "supplier", "merchant", "business", "entity", "subscription", "bundle", "coupon", "promo", "discount",
    "price", "tax", "payment", "method", "provider", "carrier", "shipping", "warehouse", "location", "street", "path",
    "route", "url", "link", "attribute", "param", "parameter", "variable", "var", "option", "setting", "config",
    "label", "icon", "color", "font", "style", "sheet", "tab", "window", "view", "mode", "flow", "funnel", "goal",
    "kpi", "framework", "release", "version", "build", "branch", "repo", "repository", "commit",
    # de (with the stems compounds use: Firmenname, Seitenname)
    "datei", "produkt", "firma", "firmen", "unternehmens", "seiten", "gruppen", "bestands", "unternehmen", "projekt",
    "veranstaltung", "funktion", "bericht", "kategorie", "vorlage", "stadt", "land", "abteilung", "seite", "gruppe",
    "tabelle", "spalte", "ordner", "dokument", "artikel",
    # fr
    "fichier", "produit", "entreprise", "societe", "projet", "evenement", "fonction", "fonctionnalite", "rapport",
    "categorie", "modele", "ville", "pays", "departement", "equipe", "dossier", "groupe", "article",
    # es
    "archivo", "producto", "empresa", "proyecto", "evento", "funcion", "informe", "categoria", "plantilla", "ciudad",
    "pais", "departamento", "equipo", "carpeta", "grupo", "articulo", "campana",
    # it
    "prodotto", "azienda", "societa", "progetto", "funzione", "rapporto", "modello", "citta", "paese", "dipartimento",
    "squadra", "cartella", "gruppo", "articolo",
    # nl
    "bestand", "bedrijf", "functie", "sjabloon", "stad", "afdeling", "groep", "map",
    # plans and subscriptions in de/fr/es/it/nl (nome del piano, nom de l'offre, naam van het abonnement)
    "tarif", "abonnement", "offre", "forfait", "tarifa", "suscripcion", "oferta", "piano", "abbonamento", "offerta",
    "pakket", "pacchetto", "paquete", "paket",
})
# Words between a name word and its qualifier: `nombre_del_archivo`, `nom_de_la_ville`, `naam_van_het_bestand`.
_LINKING_WORDS = frozenset({"de", "del", "della", "dello", "dei", "degli", "delle", "di", "da", "du", "des", "la",
                            "le", "les", "el", "los", "las", "il", "lo", "van", "het", "der", "of", "the"})
_ADDRESS_WORDS = frozenset({
    "address", "addr", "adresse", "anschrift", "direccion", "domicilio", "indirizzo", "adres", "street", "strasse",
    "rue", "calle", "straat", "residence", "wohnadresse", "postanschrift", "hausnummer", "housenumber",
})
_ADDRESS_LINE = re.compile(r"(?:line|linea|ligne|zeile|regel)[1-4]")  # Stripe's `address.line1` and its kin
_ADDRESS_SUFFIXES = ("adresse", "anschrift", "strasse", "straat", "adres")
# An address that is not a place: e-mail, IP, MAC, wallet, web; or something about an address that is not the place.
_NOT_PLACE = frozenset({
    "email", "mail", "e", "correo", "courriel", "electronico", "electronique", "elettronica", "ip", "ipv4", "ipv6",
    "mac", "wallet", "crypto", "btc", "eth", "url", "web", "website", "link", "id", "ids", "uuid", "count", "type",
    "status", "verified", "valid", "validated", "format", "book", "hash", "key", "token", "server", "host",
})
_ROLE_WORDS = frozenset({
    # en
    "assignee", "assigned", "owner", "recipient", "sender", "author", "requester", "requestor", "reporter", "reviewer",
    "approver", "attendee", "attendees", "invitee", "invitees", "participant", "participants", "guest", "guests",
    "organizer", "organiser", "host", "employee", "agent", "contact", "customer", "client", "candidate", "applicant",
    "patient", "signer", "signatory", "witness", "manager", "supervisor", "cc", "bcc", "from", "to", "spouse",
    "parent", "child", "beneficiary", "cardholder", "holder", "payee", "driver", "tenant", "landlord",
    # de
    "ansprechpartner", "kontakt", "kunde", "mitarbeiter", "mitarbeiterin", "empfaenger", "absender", "inhaber",
    "bearbeiter", "verantwortlicher", "teilnehmer", "gast", "bewerber", "unterzeichner", "vertreter",
    # fr
    "destinataire", "expediteur", "responsable", "proprietaire", "employe", "interlocuteur", "invite", "candidat",
    "signataire", "titulaire", "demandeur",
    # es
    "contacto", "empleado", "destinatario", "remitente", "titular", "solicitante", "participante", "invitado",
    "candidato", "firmante",
    # it
    "referente", "contatto", "dipendente", "mittente", "titolare", "richiedente", "partecipante", "invitato",
    "firmatario",
    # nl
    "contactpersoon", "medewerker", "ontvanger", "afzender", "eigenaar", "klant", "aanvrager", "deelnemer",
    "kandidaat", "ondertekenaar",
})
# Roles that are as often a company, a team or a product as a person (`coach: Agile Coaching`, `teacher: Online
# Academy`, `processed_by: Stripe Payments`): NAMED_ROLE, whose value counts only when the name lists read it as a name.
_NAMED_ROLE_WORDS = frozenset({
    # people by their job towards the product's user, in en/de/fr/es/it/nl
    "rep", "coach", "teacher", "instructor", "tutor", "mentor", "doctor", "physician", "dentist",
    "therapist", "nurse", "caregiver", "guardian", "lawyer", "attorney", "advisor", "adviser", "consultant",
    "recruiter", "interviewer", "interviewee", "uploader", "collaborator", "delegate", "deputy",
    "person", "kin", "moderator", "teammate", "colleague",
    "sachbearbeiter", "ansprechperson", "kontaktperson", "betreuer", "berater", "vermittler", "lehrer", "arzt",
    "vertretung", "leiter", "verfasser", "autor", "auteur", "gestionnaire", "conseiller", "interlocutrice",
    "formateur", "medecin", "redacteur", "gestor", "asesor", "profesor", "medico", "responsabile", "consulente",
    "docente", "autore", "insegnante", "beheerder", "verantwoordelijke", "adviseur", "begeleider", "docent",
    "behandelaar", "accountmanager",
    # who pays, buys, calls or is insured; and the words of es/it/fr for a client, an owner, a representative
    "submitter", "caller", "payer", "buyer", "purchaser", "policyholder", "claimant", "stakeholder", "vorgesetzter",
    "kundin", "beneficiaire", "locataire", "referent", "collaborateur", "salarie", "superviseur", "cliente",
    "propietario", "proprietario", "encargado", "incaricato", "intestatario", "representante", "rappresentante",
    "beneficiario", "paciente", "paziente", "leidinggevende",
    # who speaks, travels or learns, in en/de/fr/es/it/nl: a conference's speaker, a booking's passenger, a course's
    # trainee, whoever invited someone; as often a stage, a class of travel or a cohort (`speaker: Keynote Stage`)
    "speaker", "presenter", "panelist", "panellist", "passenger", "traveler", "traveller", "trainee", "mentee",
    "learner", "student", "pupil", "inviter", "invitor", "sprecher", "redner", "referentin", "reisender",
    "passagier", "teilnehmerin", "intervenant", "orateur", "passager", "voyageur", "stagiaire", "eleve", "etudiant",
    "ponente", "orador", "pasajero", "viajero", "alumno", "estudiante", "relatore", "oratore", "passeggero",
    "viaggiatore", "studente", "allievo", "spreker", "reiziger", "cursist", "leerling",
})
# The last part of a German or Dutch compound that names a person in a role (`Kontoinhaber`, `Projektleiter`,
# `Rechnungsempfänger`, `Kundenbetreuerin`, `rekeninghouder`, `projectleider`).
_ROLE_SUFFIXES = ("inhaber", "inhaberin", "leiter", "leiterin", "empfaenger", "empfaengerin", "betreuer",
                  "betreuerin", "bearbeiter", "bearbeiterin", "vertreter", "vertreterin", "ansprechpartnerin",
                  "houder", "leider", "beheerder", "medewerker", "behandelaar")
# Adjectives that fr/es/it put after a role's noun (`referente_commerciale`, `responsable_technique`,
# `contacto_principal`, `cliente_finale`): the key names the role as the noun alone does.
_ROLE_ADJECTIVES = frozenset({
    "commercial", "commerciale", "comercial", "technique", "tecnico", "tecnica", "principal", "principale",
    "administratif", "administrative", "administrativo", "administrativa", "amministrativo", "amministrativa",
    "legal", "legale", "final", "finale", "interne", "interno", "interna", "externe", "externo", "externa", "esterno",
    "esterna", "aziendale", "financier", "financiere", "financiero", "financiera", "finanziario", "juridique",
    "juridico", "giuridico", "primaire", "primario", "primaria", "secondaire", "secundario", "secondario",
})
# Plurals of the role words that name a list of people (`attendees`, `reviewers`, `teilnehmer` is its own plural).
_ROLE_PLURALS = frozenset(word + "s" for word in _ROLE_WORDS | _NAMED_ROLE_WORDS if not word.endswith("s"))
_NUMBER_ID_WORDS = frozenset({
    "version", "ver", "v", "build", "release", "revision", "rev", "invoice", "rechnung", "rechnungsnummer", "facture",
    "factura", "fattura", "factuur", "order", "bestellung", "bestellnummer", "commande", "pedido", "ordine",
    "bestelling", "sku", "ref", "reference", "referenz", "referencia", "riferimento", "referentie", "ticket",
    "receipt", "quote", "po", "serial", "batch", "lot", "part", "article", "artikel", "case", "incident",
    # software builds and versions in other words and languages, receipts and bills
    "firmware", "patch", "changeset", "changelist", "versione", "versie", "compilacion", "compilazione", "bill",
    "recibo", "ricevuta", "quittung", "beleg",
    # records of machines and of business processes: CI jobs and runs, deployments, shipments, bookings
    "job", "run", "pipeline", "workflow", "deployment", "deploy", "attempt", "sequence", "seq", "txn", "transaction",
    "tracking", "shipment", "booking", "reservation", "confirmation", "reservierung",
    "buchung", "sendung", "lieferung", "reserva", "prenotazione", "spedizione", "zending", "boeking",
    # credit notes and delivery notes
    "gutschrift", "lieferschein", "avoir", "albaran", "creditnota", "pakbon", "bolla",
})
# Organisations and products, in en/de/fr/es/it/nl. Not `partner` (a spouse), `client` or `customer` (a person or
# a company): those are roles.
_THING_NAME_WORDS = frozenset({
    "company", "companies", "organization", "organisation", "org", "employer", "brand", "vendor", "merchant",
    "supplier", "manufacturer", "business", "firm", "product", "feature", "plan", "app", "application", "integration",
    "provider", "carrier", "bank", "publisher", "advertiser", "agency", "workspace", "project", "platform", "tool",
    "software", "service", "framework", "library", "sdk", "plugin",
    "firma", "firmen", "unternehmen", "unternehmens", "arbeitgeber", "marke", "hersteller", "produkt", "lieferant",
    "anbieter", "haendler",
    "entreprise", "societe", "employeur", "marque", "fabricant", "produit", "fournisseur", "editeur",
    "empresa", "compania", "marca", "fabricante", "producto", "proveedor", "empleador",
    "azienda", "societa", "produttore", "prodotto", "fornitore", "ditta",
    "bedrijf", "werkgever", "merk", "fabrikant", "leverancier",
})
_NOT_NUMBER_ID = frozenset({
    "phone", "tel", "telephone", "telefon", "telefono", "telefoon", "mobile", "mobil", "cell", "fax", "ip", "contact",
    "sms", "whatsapp",
})

_CAMEL = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])")
_WORD = re.compile(r"[^\W\d_]+|\d+")


def field_words(key: str) -> tuple[str, ...]:
    """The words of a key, lower case, accents folded: `Kunden-Straße` → (kunden, strasse)."""
    text = _CAMEL.sub(" ", key).replace("ß", "ss").replace("ẞ", "SS")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return tuple(w.lower() for w in _WORD.findall(text))


def field_class(key: str) -> str | None:
    """PERSON, ADDRESS, ROLE, NUMBER_ID, or None when the key says nothing about its value."""
    words = field_words(listed_field(key))  # `fields[3][name]` as `name` (keys.listed_field)
    if not words or len(words) > 8:
        return None
    if len(words) == 2 and words[1] in _ROLE_ADJECTIVES and (words[0] in _ROLE_WORDS or words[0] in _NAMED_ROLE_WORDS):
        words = words[:1]  # `referente_commerciale`, `responsable_technique`: the role, as without its adjective
    found = set(words)
    if _is_address(words, found):
        return ADDRESS
    if _is_thing(words):
        return THING
    if _is_person(words, found):
        return PERSON
    if _is_number_id(words):
        # `ticket_assignee: "Night Shift"`, `order_customer: "Stena Line"`: as often a team, a queue or a firm as a
        # person, so a name only when the name lists read it as one, not by its shape
        return NAMED_ROLE if _a_role_on_a_record(words) else NUMBER_ID
    return _role_class(words)


def _role_class(words: tuple[str, ...]) -> str | None:
    """ROLE for a person in a role or who did something, NAMED_ROLE for a role that is as often a team or a firm."""
    last = words[-1]
    if last in _ROLE_WORDS or _done_by_someone(words) or _role_of_something(words, _ROLE_WORDS):
        return ROLE
    if last in _NAMED_ROLE_WORDS or last in _ROLE_PLURALS or _by_someone(words) or (
            len(last) > 9 and last.endswith(_ROLE_SUFFIXES)) or _role_of_something(words, _NAMED_ROLE_WORDS):
        return NAMED_ROLE
    return None


def _role_of_something(words: tuple[str, ...], roles: frozenset[str]) -> bool:
    """A role first and what it is of after a linking word, as French, Spanish, Italian and Dutch order them
    (`titulaire_du_compte`, `titular_de_la_cuenta`, `destinatario_del_pago`, `eigenaar_van_het_account`)."""
    return len(words) >= 3 and words[0] in roles and words[1] in _LINKING_WORDS


# Who did something, in a key: `created_by`, `approved_by`, `erstellt_von`, `cree_par`, `creado_por`, `creato_da`,
# `aangemaakt_door`. Its value is a person when it is shaped like a name (ROLE), and goes to the detectors otherwise.
# Only after the participle of something people do: `sort_by`, `group_by` and `powered_by` name no one.
_DONE_BY = frozenset({"by", "von", "par", "por", "da", "door"})
_BY_WORDS = _DONE_BY | frozenset({
    # to whom: `assigned_to`, `assegnato_a`, `toegewezen_aan`, `zugewiesen_an`
    "to", "a", "aan", "an"})
_DONE_WORDS = frozenset({
    "created", "updated", "modified", "edited", "approved", "reviewed", "signed", "referred", "invited", "assigned",
    "requested", "submitted", "reported", "handled", "closed", "opened", "resolved", "escalated", "owned", "sent",
    "uploaded", "added", "removed", "deleted", "verified", "confirmed", "completed", "managed", "authored", "written",
    "booked", "placed", "changed", "cancelled", "canceled", "accepted", "rejected", "declined", "published", "hosted",
    "erstellt", "bearbeitet", "geaendert", "angefragt", "genehmigt", "geprueft", "unterschrieben", "angelegt",
    "cree", "creee", "modifie", "valide", "signe", "demande", "approuve", "envoye",
    "creado", "creada", "modificado", "aprobado", "firmado", "solicitado", "enviado",
    "creato", "creata", "modificato", "approvato", "firmato", "richiesto", "inviato",
    "aangemaakt", "gewijzigd", "goedgekeurd", "ondertekend", "aangevraagd", "verstuurd",
})
# Handed to someone: `assegnato_a`, `toegewezen_aan`, `forwarded_to` (NAMED_ROLE).
_HANDED_WORDS = frozenset({
    "delegated", "forwarded", "addressed", "transferred", "reassigned", "zugewiesen", "zugeordnet", "weitergeleitet",
    "assigne", "assignee", "attribue", "transmis", "asignado", "asignada", "enviada", "assegnato", "assegnata",
    "inoltrato", "toegewezen", "doorgestuurd", "gedelegeerd",
})


# Participles as each language forms them, after its own word for `by` (`triaged_by`, `geprüft_von`, `traité_par`,
# `gestionado_por`, `gestito_da`, `behandeld_door`), for the verbs no list holds.
_PARTICIPLE = {
    "by": re.compile(r"[a-z]{3,}ed"), "von": re.compile(r"(?:ge|be|ver|er|ent)[a-z]{3,}(?:t|en)|[a-z]{3,}iert"),
    "par": re.compile(r"[a-z]{3,}(?:ee?s?|is|ue?s?)"), "por": re.compile(r"[a-z]{3,}[ai]d[oa]s?"),
    "da": re.compile(r"[a-z]{3,}(?:at|it|ut)[oaie]"), "door": re.compile(r"(?:ge|be|ver|on|over)[a-z]{3,}[dt]"),
}
# Participles that say how things are ordered, caused or made, not who did them: `sorted_by`, `powered_by`.
_NOT_DONE_BY_SOMEONE = frozenset({
    "ordered", "sorted", "grouped", "filtered", "powered", "followed", "partitioned", "indexed", "keyed", "limited",
    "caused", "backed", "supported", "used", "required", "blocked", "replaced", "triggered", "referenced", "based",
    "determined", "defined", "driven", "separated", "delimited", "preceded", "superseded", "covered", "affected",
    "generated", "protected", "secured", "signalled", "bounded", "tagged", "labelled", "labeled", "measured",
    "weighted", "scored", "ranked", "rated", "segmented", "split", "divided", "multiplied", "compared", "matched",
    "linked", "joined", "expected", "classified", "categorized", "categorised",
    # by a company: a carrier, a manufacturer, an issuer, a sponsor
    "shipped", "fulfilled", "issued", "delivered", "carried", "operated", "manufactured", "produced", "provided",
    "offered", "sponsored", "funded", "distributed", "licensed", "insured", "underwritten", "serviced", "acquired",
    "geordnet", "sortiert", "gruppiert", "gefiltert", "trie", "triee", "groupe", "filtre", "ordenado", "agrupado",
    "filtrado", "ordinato", "raggruppato", "filtrato", "gesorteerd", "gegroepeerd", "gefilterd", "geliefert",
    "hergestellt", "ersetzt", "gesponsert", "betrieben", "vertrieben", "versichert", "geleverd", "vervangen",
})


def _done_by_someone(words: tuple[str, ...]) -> bool:
    """`created_by`, `erstellt_von`: a listed participle before a `by` word, whose value shaped like a name is one."""
    return len(words) >= 2 and words[-1] in _DONE_BY and words[-2] in _DONE_WORDS


def _by_someone(words: tuple[str, ...]) -> bool:
    """To whom (`assegnato_a`) or by whom after a participle no list holds (`triaged_by`): NAMED_ROLE."""
    if len(words) < 2 or words[-1] not in _BY_WORDS:
        return False
    done = words[-2]
    if done in _DONE_WORDS or done in _HANDED_WORDS:
        return True
    participle = _PARTICIPLE.get(words[-1])
    return participle is not None and done not in _NOT_DONE_BY_SOMEONE and participle.fullmatch(done) is not None


# Business records that people are assigned to, buy, book or receive, in en/de/fr/es/it/nl. Not the records of
# machines (`build_agent`, `pipeline_owner`, `release_manager`: a runner, a team or a bot as often as a person).
_RECORDS = frozenset({"ticket", "order", "invoice", "case", "incident", "booking", "reservation", "shipment", "quote",
                      "receipt", "bestellung", "rechnung", "buchung", "sendung", "commande", "facture", "pedido",
                      "factura", "reserva", "ordine", "fattura", "prenotazione", "bestelling", "factuur", "boeking"})


def _a_role_on_a_record(words: tuple[str, ...]) -> bool:
    """A person in a role on a business record (`ticket_assignee`, `order_owner`, `invoice_recipient`): a role
    (NAMED_ROLE), not an id."""
    return len(words) > 1 and words[-1] in _ROLE_WORDS and words[-2] in _RECORDS


def _is_address(words: tuple[str, ...], found: set[str]) -> bool:
    if found & _NOT_PLACE:
        return False
    if found & _ADDRESS_WORDS or _ADDRESS_LINE.fullmatch("".join(words)):
        return True
    return any(w.endswith(_ADDRESS_SUFFIXES) for w in words)


# German and Dutch compounds of `Nummer` that are not ids: telephone, account and identity numbers.
_NOT_ID_NUMMER = ("telefon", "telefoon", "ruf", "festnetz", "durchwahl", "notruf", "notfall", "kontakt", "contact",
                  "handy", "mobil", "mobiel", "gsm", "fax", "sms", "whatsapp", "konto", "rekening", "steuer", "ausweis",
                  "pass", "versicherungs", "burgerservice", "sofi", "identiteits", "personal")


def _id_word(word: str) -> bool:
    """`invoice`, `build`, ..., or a compound of `Nummer` or its abbreviation `Nr` (`Auftragsnummer`, `Belegnummer`,
    `ordernummer`, `Rechnungsnr`, `factuurnr`)."""
    # German compounds' linking s (Rechnungs_Nr, Bestellungs-ID), English plurals (orders_count) and German and Dutch
    # ones (`/rechnungen/`, `bestellingen`) as the word.
    return word in _NUMBER_ID_WORDS or (len(word) > 4 and word.endswith("s") and word[:-1] in _NUMBER_ID_WORDS) or (
        len(word) > 7 and word.endswith("en") and word[:-2] in _NUMBER_ID_WORDS) or (
        ((len(word) > 6 and word.endswith("nummer")) or (len(word) > 4 and word.endswith("nr")))
        and not word.startswith(_NOT_ID_NUMMER))


# Documents that two words name (`credit_note_number`, `nota_di_credito`, `bon_de_livraison`) and abbreviations of
# documents that need their number word after them (`inv_no`, `doc_nr`, `rg_nr`; `doc` alone may be a text).
_ID_PHRASES = (
    ("credit", "note"), ("debit", "note"), ("delivery", "note"), ("credit", "notes"), ("debit", "notes"),
    ("delivery", "notes"), ("packing", "slip"), ("nota", "credito"), ("nota", "debito"), ("nota", "di", "credito"),
    ("note", "de", "credit"), ("bon", "de", "livraison"), ("bon", "de", "commande"),
)
_ID_ABBREVIATIONS = frozenset({"inv", "doc", "rg", "fact", "ft", "fa", "vch", "voucher", "gutschein", "bon"})
_NUMBER_WORDS = frozenset({"no", "nr", "num", "number", "nummer", "numero", "nro", "n"})


def _id_at(words: tuple[str, ...], i: int) -> bool:
    word = words[i]
    if _id_word(word):
        return True
    after = words[i + 1] if i + 1 < len(words) else ""
    return (word in _ID_ABBREVIATIONS and after in _NUMBER_WORDS) or any(
        words[i : i + len(phrase)] == phrase for phrase in _ID_PHRASES if phrase[0] == word)


# The words that name numbered things, with their plurals, as a URL path names a collection of them (`invoices`,
# `rechnungen`); not a letter or two (`/v/`, `/po/`). A set: URL paths are read segment by segment.
NUMBERED_THINGS = frozenset(form for word in _NUMBER_ID_WORDS if len(word) > 2
                            for form in (word, word + "s", word + "en"))
_PHRASE_ENDS = frozenset(phrase[-1] for phrase in _ID_PHRASES)


def names_numbered_things(words: tuple[str, ...]) -> bool:
    """Words whose last ones name numbered things, as a URL path's collection does (`invoices`, `credit-notes`)."""
    last = words[-1] if words else ""
    return last in NUMBERED_THINGS or (
        last in _PHRASE_ENDS and any(words[-len(phrase):] == phrase for phrase in _ID_PHRASES))


def _is_number_id(words: tuple[str, ...]) -> bool:
    """An id word after any phone word: `mobile_build`, `sms_template_version` are builds and versions; `order_phone`
    and `invoice_contact` are not."""
    last_id = max((i for i in range(len(words)) if _id_at(words, i)), default=-1)
    return last_id >= 0 and not any(w in _NOT_NUMBER_ID for w in words[last_id + 1:])


def _is_thing(words: tuple[str, ...]) -> bool:
    """`company`, `customer_company`, `company_name`, `account_name`, `Firmenname`, `nombre_empresa`."""
    last = words[-1]
    if last in _THING_NAME_WORDS:
        return True
    if last in _NAME_WORDS:
        # The qualifier nearest the name word decides: `company_name` and `account_name` are things, but
        # `account_holder_name` and `vendor_contact_name` name a person in a role.
        return _role_nearer(words, _ACCOUNT_THINGS) is False
    # German and Dutch compounds, with their linking s: Firmenname, Unternehmensname, bedrijfsnaam.
    stem = last[:-4]
    return len(last) > 6 and last.endswith(("name", "naam")) and (
        stem in _THING_NAME_WORDS or stem.removesuffix("s") in _THING_NAME_WORDS)


_ACCOUNT_THINGS = _THING_NAME_WORDS | {"account"}
_ANY_THINGS = _THING_WORDS | _THING_NAME_WORDS


def _role_nearer(words: tuple[str, ...], things: frozenset[str]) -> bool | None:
    """Whether the qualifier of a name word nearest to it is a role (True) or one of `things` (False); None if the
    qualifiers hold neither."""
    for word in reversed(words[:-1]):
        if word in _ROLE_WORDS or word in _NAMED_ROLE_WORDS or word in _ROLE_PLURALS:
            return True
        if word in things:
            return False
    return None


def _a_role_qualifies(words: tuple[str, ...]) -> bool:
    """`account_holder_name`, `product_owner_name`, `event_speaker_name`: a role word nearer the name word than any
    thing's word."""
    return len(words) >= 3 and words[-1] in _NAME_WORDS and _role_nearer(words, _ANY_THINGS) is True


# The words for a part of a person's name, written as one word or two (`last_name`, `lastname`): at the key's end they
# name a person whatever qualifies them, so that WooCommerce's `shipping_first_name` and a form's `form_last_name`
# are people though `shipping` and `form` are things' words (`shipping_method`, `form_name`).
_NAME_PART_WORDS = frozenset({
    "firstname", "lastname", "surname", "givenname", "familyname", "forename", "middlename", "maidenname",
    "birthname", "fname", "lname", "vorname", "nachname", "familienname", "prenom", "apellido", "apellidos",
    "cognome", "voornaam", "achternaam",
})


def _ends_with_a_name_part(words: tuple[str, ...]) -> bool:
    return words[-1] in _NAME_PART_WORDS or "".join(words[-2:]) in _NAME_PART_WORDS


def _is_person(words: tuple[str, ...], found: set[str]) -> bool:
    if _a_role_qualifies(words) or _ends_with_a_name_part(words):
        return True
    if found & _THING_WORDS:
        return False
    if found & _PERSON_NAME_WORDS:
        return True
    for word in words:
        # A German or Dutch compound: Kundenname, klantnaam, but not Dateiname, bestandsnaam.
        if len(word) > 5 and word.endswith(("name", "naam")) and word not in _NAME_WORDS:
            return word[:-4] not in _THING_WORDS
    if not found & _NAME_WORDS:
        return False
    # `name` alone names anything (a page, a product); with a qualifier that is not a thing, it names a person
    # (`employee_name`, `nombre_cliente`), but not with a language code (`name_de`).
    return any(len(w) > 2 and not w.isdigit() for w in found - _NAME_WORDS - _LINKING_WORDS)


# What an object is, said by its key, for the keys inside it (`owner: {first: "Anna", last: "Schmidt"}` names a
# person; `workspace: {display_name: "Acme Marketing"}` a thing): the walker's selector state carries it one level down.
PERSON_OBJECT, THING_OBJECT = 1, 2
# Objects of things whose key field_class does not call a THING, because their own `*_name` qualifies no person.
_THING_OBJECTS = frozenset({"team", "teams", "group", "groups", "channel", "channels", "event", "events", "space",
                            "board", "repository", "repo", "folder", "tenant", "site", "store", "shop", "project",
                            "projects", "organization", "organisation", "org", "workspace", "workspaces",
                            "equipe", "equipo", "squadra", "gruppe", "groupe", "grupo", "gruppo", "groep"})
# Keys of a person's object that hold one part of the name (`first`, `vorname`) or the whole of it (`name`, `nom`).
_NAME_PARTS = frozenset({"first", "last", "given", "family", "middle", "firstname", "lastname", "givenname",
                         "familyname", "middlename", "surname", "vorname", "nachname", "prenom", "nombre", "apellido",
                         "apellidos", "cognome", "voornaam", "achternaam", "initials"})
_WHOLE_NAMES = frozenset({"name", "fullname", "displayname", "nom", "nomcomplet", "nombrecompleto", "nome",
                          "nomecompleto", "naam", "volledigenaam", "vollername"})


def object_context(key: str, kind: str | None) -> int:
    """The context an object under `key` (of field_class `kind`) gives its own keys: PERSON_OBJECT, THING_OBJECT, 0."""
    if kind in (PERSON, ROLE, NAMED_ROLE):
        return PERSON_OBJECT
    if kind == THING:
        return THING_OBJECT
    words = field_words(key)
    return THING_OBJECT if words and words[-1] in _THING_OBJECTS else 0


def name_in_object(key: str, context: int, kind: str | None) -> str | None:
    """What `key` holds inside an object of `context`: PERSON for a part of a person's name (`first`, `apellido`),
    ROLE for a whole one that names anything elsewhere (`name`, `nom`: replaced when shaped like a name), THING for a
    thing's `display_name`, None when the object says nothing about it."""
    if context == PERSON_OBJECT and kind != PERSON:  # a person's key (`display_name`) is replaced whatever it holds
        joined = "".join(field_words(key))
        if joined in _NAME_PARTS:
            return PERSON
        return NAMED_ROLE if joined in _WHOLE_NAMES else None  # `owner: {name: "Acme Marketing"}` stays
    if context == THING_OBJECT and kind == PERSON and "".join(field_words(key)) in _WHOLE_NAMES:
        return THING
    return None


_PARTICLE = r"(?:van|von|de|der|den|di|da|del|della|du|la|le|ter|ten|zu|dos|das|y)"
# A capitalised word, with the capital after an apostrophe that Irish and Italian surnames have (`O'Brien`,
# `D'Angelo`; not `Mc`/`Mac`: `MacBook Pro`, `McDonald Delivery`), or two joined by a hyphen.
# The capitals and small letters of Latin-1 and Latin Extended-A (`Łukasz`, `Dvořák`, `Şahin`), told apart by
# str.isupper/islower: in Latin Extended-A they alternate, but not always on even and odd code points.
_LATIN = [chr(code) for code in range(0xC0, 0x180)]
_UPPER = "A-Z" + "".join(c for c in _LATIN if c.isupper())
_LOWER = "a-z" + "".join(c for c in _LATIN if c.islower())
_WORD_PART = rf"(?:O['\u2019]|D['\u2019])?[{_UPPER}][{_LOWER}'\u2019]+"
_CAPITALIZED = rf"{_WORD_PART}(?:-{_WORD_PART})?"
# Initials before a surname: `H. Maillot`, `A.B. Smith`, `J. de Vries`; or after it: `Maillot, H.`.
_INITIALS = r"[A-Z]\.(?:\s?[A-Z]\.){0,2}"
# A form of address or a title before a name, in en/de/fr/es/it/nl (`Dr. Anna Weber`, `Prof. Dr.`, `Mme`, `Sig.ra`,
# `dhr.`), and a generation or a degree after it (`Jr.`, `III`, `MD`, `PhD`, `B.Sc.`).
_TITLES = (r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra|Srta|Sig|Sig\.ra|Dott|Dott\.ssa|Ing|Avv|Dhr|Mevr"
           r"|Mw|dhr|mevr|mw)\.?|M\.)\s+")
_SUFFIX = r",?\s+(?:Jr|Sr|II|III|IV|MD|DDS|DVM|PhD|MBA|Esq|CPA|RN|B\.\s?Sc|M\.\s?Sc|B\.\s?A|M\.\s?A|B\.\s?Eng)\.?"
_NAME_SHAPE = re.compile(
    rf"(?:{_TITLES}){{0,2}}(?P<name>"
    rf"{_CAPITALIZED}(?:\s+[A-Z]\.)?(?:\s+(?:{_PARTICLE}\s+)*{_CAPITALIZED}){{1,3}}"
    rf"|{_CAPITALIZED},\s*(?:{_CAPITALIZED}|{_INITIALS})|{_INITIALS}\s*(?:{_PARTICLE}\s+)*{_CAPITALIZED})(?:{_SUFFIX})?"
)
_ORGANIZATION = re.compile(
    r"(?i)\b(?:gmbh|mbh|gbr|ohg|ug|kgaa|ag|kg|inc|ltd|llc|plc|corp|co|sa|sas|sarl|sl|spa|srl|bv|nv|group|holding"
    r"|gruppe|groupe|grupo"
    r"|gruppo|partners|solutions|systems|technologies|software|consulting|services|labs|bank|university|stiftung"
    # what departments, products and firms are called: `Platform Engineering`, `Online Academy`, `Procurement Dept`
    r"|games|payments|engineering|academy|office|dept|department|online|direct|studio|studios|factory|squad"
    r"|platform|marketing|coaching|agency|media|digital|job|jobs|owners|testing|caller|contact|unknown)\b"
)


# Words that make a sender or an assignee a team, a service or a mailbox rather than a person, in en/de/fr/es/it/nl.
_NO_PERSON = re.compile(
    r"(?i)\b(?:team|support|service|services|help\s*desk|helpdesk|customer\s+care|sales|billing|accounts|noreply"
    r"|no-reply|do-not-reply|donotreply|notifications?|newsletter|info|admin|bot|system|automated|the"
    r"|kundenservice|kundendienst|vertrieb|buchhaltung|[ée]quipe|service\s+client|facturation|equipo|soporte"
    r"|atenci[óo]n\s+al\s+cliente|ventas|facturaci[óo]n|squadra|assistenza|clienti|vendite|fatturazione"
    r"|klantenservice|verkoop|administratie|employees|everyone|staff|mitarbeitende|tous|todos|tutti|iedereen)\b"
)


def names_no_person(value: str) -> bool:
    """True if a value under a person's name field names a team, a company or a mailbox (`The Acme Team`, `Acme
    Support`, `Équipe Acme`, `Acme GmbH`, `noreply`) rather than a person."""
    return _NO_PERSON.search(value) is not None or _ORGANIZATION.search(value) is not None


def looks_like_a_listed_name(value: str) -> bool:
    """Shaped like a name (`looks_like_a_name`), and read as one: no word an English word, a company's or a place's
    unless a listed name, and either one word a listed given name or surname that is no word (`Jasmine Hunter`,
    `Lorenzo Bianchi`) or, listed or not, no word a place's, an article's or a greeting's (`Tavrel Okumbe`, `Duuk
    Vierdag`: a role's key says it is someone, and most given names of the world are in no list). Not `Rockstar Games`,
    `Poste Italiane`, `Digital Factory`, `Keynote Stage`."""
    name = _name_in(value)
    if name is None:
        return False
    words = [word for word in _VALUE_WORD.findall(name) if len(word) > 1]  # without its title and degree
    finder = _finder()
    if not finder.could_be_a_name(words) or _starts_a_place(fold(words[0])):
        return False
    # unlisted, no word may name a place, a department or end as a noun does either (`Sala Verde`, `Zustellung Heute`)
    return finder.lists_a_name(words) or (reads_as_a_name(words) and not any(a_place(fold(w)) for w in words))


def _starts_a_place(first: str) -> bool:
    """A city or a street's first word before other words (`Milano Centrale`, `Strada Collina`, `Via Roma`), never a
    given name (`San`, `Santa`, `Ronda` are both)."""
    return first in CITIES or (first in STREET_WORDS and not _finder().is_a_given_name(first))


_VALUE_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


@functools.cache
def _finder() -> NameFinder:
    return NameFinder()


def looks_like_a_name(value: str) -> bool:
    """Two to four capitalised words (with particles such as van, de, di), `Surname, Given`, or initials and a
    surname, after a title or before a degree or not; not a company, a team or a mailbox (`Finance Team`, `Acme
    Support`)."""
    return _name_in(value) is not None


def _name_in(value: str) -> str | None:
    """The name of a value that looks like one (looks_like_a_name), without its title and degree; None if none."""
    # Four words of a name are far below 200 characters: a longer value is no name, and is not matched at all.
    if len(value) > 200:
        return None
    value = value.strip()
    m = _NAME_SHAPE.fullmatch(value)
    return None if m is None or names_no_person(value) else m.group("name")
