"""What the words around a name say about it, where the gazetteer's pairs (names.py) misread the text.

- Elided articles and particles glue themselves to a name (`d'Anne-Marie Lefèvre`, `dell'Anna Rossi`, `l'Olivier`,
  `van 't Hoff`, `de' Medici`): `unelided` blanks them out, one space per character so that spans stay, and the name
  finder reads the text again.
- A button's or a title's verb that is also a given name (`Edit Patrizio della Mattarella`): read without it.
- A handle glued in lower case in running text (`@annaschmidt`, `@h_martin`): a listed given name or an initial,
  and a listed surname that is no English word (`handles`).
- One word after a bare greeting that is a form of address, a group, a job title or a place names nobody (`Hallo
  Berlin`, `Ciao Ragazzi`, `Chère Cliente`): `addresses_someone` tells the context recognizer so. After a title the
  next word is a surname whatever it means (`Herr Ober` stays a person).
- These rules only add names to what the finder finds: of its own spans only an article's (`L'Oréal Paris`), a
  greeting before a place (`Hallo Berlin`) and a slug of interface words (`neu-anlegen`) are dropped.

Each rule runs only on a text that holds its trigger (an apostrophe, an `@`, a verb's word), tested before any regex.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import hyperscan

from policies.pii.hyperscan_cache import Spec
from policies.pii.names import (
    ARTICLES,
    GREETINGS,
    INITIAL_ENDS_A_NAME,
    TOP,
    UI_WORDS,
    WORD,
    Gazetteer,
    NameFinder,
    a_firm_word,
    fold,
    gazetteer,
)
from policies.pii.places import CITIES, COUNTRIES, PLACES_NAMED_LIKE_PEOPLE, STREET_SUFFIXES, STREET_WORDS
from policies.pii.prefilter import ascii_stand_in
from policies.pii.word_regex import one_of

# Lower-case articles and particles elided before a capital in fr/it (`d'`, `l'`, `dell'`, `all'`, `nell'`, `un'`);
# not `D'`, `O'`: they start surnames (D'Angelo, O'Neil), nor `L'`: it starts brands (L'Oréal Paris). Then the Dutch
# `'t` after `van`/`ten`/`op` (`van 't Hoff`) and the Italian `de'`/`da'` (`Lorenzo de' Medici`).
_ELIDED = re.compile(r"(?<![^\W\d_])(?:d|l|dell|dall|nell|all|sull|coll|quell|un|qu|j|s)['\u2019](?=[ \t]?[A-ZÀ-Ý])"
                     r"|(?:(?<=\bvan )|(?<=\bten )|(?<=\bop ))['\u2019]t(?= [A-Z])"
                     r"|(?:(?<=\bde)|(?<=\bda))['\u2019](?= [A-Z])")


def unelided(text: str) -> str | None:
    """`text` with its elided articles blanked out, or None if it has none (the common case: no apostrophe)."""
    if "'" not in text and "\u2019" not in text:
        return None
    blanked = _ELIDED.sub(_blank, text)
    return blanked if blanked != text else None


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


# Buttons' and titles' verbs before a name at the start of a text or after a title's separator: the name finder reads
# the text without them (`Edit Patrizio della Mattarella - Admin` is no `Edit Patrizio`: `Edit` is a Hungarian given
# name; `View`, `Call`, `Share` are listed surnames, `Message` a word the finder reads before a name).
UI_VERB_WORDS = frozenset({"Edit", "View", "Open", "Remove", "Delete", "Add", "Invite", "Assign", "Message", "Call",
                            "Email", "Follow", "Block", "Mute", "Share", "Chat", "Reply", "Ping", "Mention", "Star"})
_UI_VERB = re.compile(r"(?:^|(?<=[|\u00b7\u2013\u2014:>] )|(?<= - ))(?:" + "|".join(sorted(UI_VERB_WORDS))
                      + r")(?= [A-ZÀ-Ý])", re.MULTILINE)


def without_ui_verbs(text: str) -> str | None:
    """`text` with such verbs blanked out, or None if it has none (the regex only where one of the words occurs)."""
    if UI_VERB_WORDS.isdisjoint(text.split()):
        return None
    blanked = _UI_VERB.sub(_blank, text)
    return blanked if blanked != text else None


# A handle in running text, not inside an e-mail or a URL: `@johnsmith`, `@j_doe`, `@j.doe`.
# Its words joined by a dot, an underscore or a hyphen, in any case and with accents (`@merve.güneş`,
# `@Mustafa_Özdemir`, `@Rosenda_Tejada-Catalán`), or glued in lower case.
_HANDLE_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u017f"
_HANDLE = re.compile(rf"(?<![\w.@/])@([{_HANDLE_LETTER}]{{1,20}}(?:[._-][{_HANDLE_LETTER}]{{2,24}}){{1,3}}"
                     r"|[a-zß-ÿ\u0100-\u017f]{6,24})(?![\w@-]|\.[a-z])")
_HANDLE_SEPARATOR = re.compile(r"[._-]")
_NOT_GIVEN = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "des", "la", "le", "el",
                        "al", "mac", "st", "the", "my", "our", "team", "info", "hello", "help", "shop", "club"})


def _glued_pair(lists: Gazetteer, word: str) -> bool:
    """A listed given name and a listed surname glued (`johnsmith`, `annaschmidt`): not a given name, a surname or an
    English word whole; the surname no given name unless it is among the most common surnames (`annamaria`, and
    `leroymerlin`, a company named like a person), and no English word (`paulsmith`, `hugoboss`)."""
    if word in lists.given or word in lists.surnames or word in lists.english:
        return False
    for i in range(3, len(word) - 3):
        given, surname = word[:i], word[i:]
        given_flags, flags = lists.given.get(given), lists.surnames.get(surname)
        if given_flags is None or flags is None or given in _NOT_GIVEN:
            continue
        if surname in lists.given and not flags & TOP:
            continue  # `annamaria`, `bellavita`, `leroymerlin`; `sandraowens` is a person (Owens: a common surname)
        if flags & WORD or surname in lists.english or given in UI_WORDS:
            continue  # `@paulsmith shop`, `@hugoboss`, `@tedbaker`: a surname that is a word makes a brand
        return True
    # a given name of four letters or more that is no English word, then particles and a surname or a longer word no
    # list holds (`@piusvanderdussen`, `@kayleetuithof`; not `@emmaskitchen`, `@annabot`)
    for i in range(4, len(word) - 4):
        given = word[:i]
        if given in lists.given and given not in lists.english and given not in UI_WORDS and given not in _NOT_GIVEN \
                and word[i:] not in lists.surnames and _handle_surname(lists, word[i:], 6):
            return True
    return False


# Particles as handles glue them to a surname (`@piusvanderdussen`, `@s_vanderrehorst`, `@p_depalomares`), longest
# first.
_GLUED_PARTICLES = ("vanden", "vander", "vande", "van", "von", "della", "delle", "del", "dei", "de", "di", "da", "du",
                    "le", "la", "ter", "ten", "zu", "dos", "das")
# What ends a team's, a bot's or a shop's handle after a word that is a given name (`@evasupport`, `@annabot`).
_HANDLE_ENDS = ("team", "bot", "bots", "support", "admin", "sales", "dev", "devs", "ops", "news", "info", "shop",
                "store", "official", "app", "labs", "care", "help", "desk", "office", "studio", "design", "media")


def _handle_surname(lists: Gazetteer, word: str, unlisted: int) -> bool:
    """True if `word`, the part of a handle after a given name or an initial, is a surname as handles write it: a
    listed surname that is no English word nor a word interfaces use (`schmidt`); particles glued to a surname
    (`vanderdussen`, `depalomares`); or, of `unlisted` letters or more, a word no list holds as a surname or a given
    name, that is no English word and ends in no long one (`tuithof`, `zufaust`, `ozdemir`; not `kitchen`,
    `skincare`, `boutique`)."""
    if word in lists.surnames:
        return word not in lists.english and word not in UI_WORDS
    for particle in _GLUED_PARTICLES:
        rest = word[len(particle):]
        if word.startswith(particle) and len(rest) >= 3 and rest not in lists.english and not rest.endswith(
                _HANDLE_ENDS) and (rest in lists.surnames or _unknown_word(lists, rest)):
            return True
    return len(word) >= unlisted and _unknown_word(lists, word)


def _unknown_word(lists: Gazetteer, word: str) -> bool:
    """No listed name, no English word, no team's or shop's word at its end (`skincare`) nor an English word of five
    letters or more (`skitchen`)."""
    if word in lists.given or word in lists.surnames or word in lists.english or word.endswith(_HANDLE_ENDS):
        return False
    return not any(word[i:] in lists.english for i in range(1, len(word) - 4))


def handles(lists: Gazetteer, text: str) -> Iterator[tuple[int, int]]:
    """The spans of handles that name someone (the handle without its `@`): a given name glued to a surname
    (`_glued_pair`), or before it a dot or an underscore (`@jeannine.blot`); an initial and a surname (`@h_martin`,
    `@i_zufaust`; not `@x_files`, `@k_pop`)."""
    if "@" not in text:
        return
    for m in _HANDLE.finditer(text):
        parts = [fold(part) for part in _HANDLE_SEPARATOR.split(m.group(1))]
        if len(parts) == 1:
            if _glued_pair(lists, parts[0]):
                yield m.span(1)
        elif len(parts[0]) == 1:  # an initial and a surname: `@h_martin`, `@i_zufaust`, `@s_vanderrehorst`
            if len(parts) == 2 and _handle_surname(lists, parts[1], 5):
                yield m.span(1)
        elif _handle_person(lists, parts):
            yield m.span(1)


def _handle_person(lists: Gazetteer, parts: list[str]) -> bool:
    """A handle's words (`@jeannine.blot`, `@cindy-dajana-zorbach`) are a person's: a listed given name first that is
    no English word nor a word interfaces use, a surname as handles write it (`_handle_surname`) or a given name that
    is no English word last, and between
    them given names, particles or surnames, none an English word (`@anna.design`, `@elena_dev`, `@maria-db` stay)."""
    given, surname, middle = parts[0], parts[-1], parts[1:-1]
    if not (given in lists.given or given in lists.paired) or given in _NOT_GIVEN or given in UI_WORDS \
            or given in lists.english:
        return False
    if any(part in lists.english and part not in lists.given for part in middle):
        return False
    # a given name last is a person's too (`@merve.güneş`: Güneş is both; `@anna.maria`)
    return _handle_surname(lists, surname, 5) or (surname in lists.given and surname not in lists.english
                                                   and surname not in UI_WORDS and surname not in _HANDLE_ENDS)


def could_hold_a_handle(text: str) -> bool:
    """The candidates' gate for `handles`: an `@` that starts a handle. Most `@` are inside e-mails, after a word's
    character or a dot (_HANDLE's look-behind): those are passed over by a look at that character, without a regex."""
    at = text.find("@")
    while at >= 0:
        before = text[at - 1] if at else " "
        if not (before.isalnum() or before in "_.@/") and _HANDLE.match(text, at) is not None:
            return True
        at = text.find("@", at + 1)
    return False


# Words after a greeting or a title that name no one, in en/de/fr/es/it/nl: forms of address, groups, customers,
# job titles and ranks (`Herr Ober`, `Sr. Director`, `Frau Präsidentin`, `Dear Hiring Manager`, `Ciao Ragazzi`). Not
# the job words that are common surnames as well (Richter, Koch, Schneider, Kellner, Meister).
_NOT_ADDRESSED = frozenset({
    # forms of address and groups
    "madame", "monsieur", "mademoiselle", "madam", "sir", "senor", "senora", "senorita", "signore", "signora",
    "signorina", "meneer", "mevrouw", "herr", "herren", "frau", "damen", "dame", "messieurs", "mesdames", "ladies",
    "gentlemen", "all", "everyone", "everybody", "folks", "guys", "team", "equipo", "equipe", "squadra", "ragazzi",
    "ragazze", "chicos", "chicas", "amigos", "amigas", "amici", "amis", "freunde", "vrienden", "leute", "jongens",
    "allemaal", "tutti", "todos", "tous", "alle", "zusammen", "colleagues", "kollegen", "kollegin", "kollege",
    "collegues", "collegue", "colleghi", "collega", "collegas", "colegas", "colega", "world", "welt", "monde",
    "mundo", "mondo", "wereld",
    # customers, users, members, partners, friends
    "customer", "customers", "client", "clients", "cliente", "clientes", "clienti", "kunde", "kundin", "kunden",
    "klant", "klanten", "user", "users", "utente", "utenti", "usuario", "usuaria", "utilisateur", "utilisatrice",
    "benutzer", "benutzerin", "gebruiker", "member", "members", "mitglied", "membre", "miembro", "membro", "lid",
    "partner", "partnerin", "socio", "socia", "associe", "valued", "dear", "friend", "friends", "ami", "amie",
    "amigo", "amiga", "amico", "amica", "vriend", "vriendin", "nachbar", "nachbarin", "voisin", "voisine", "vecino",
    "vecina", "vicino", "vicina", "buurman", "buurvrouw", "guest", "gast", "invite", "invitado", "ospite", "reader",
    "lecteur", "lector", "lettore", "lezer", "leser", "support", "admin", "administrator", "hiring", "sales", "hr",
    "owner", "applicant", "candidate", "candidat", "candidato", "kandidat", "kandidaat", "patient", "paciente",
    "paziente", "student", "studente", "estudiante", "etudiant", "etudiante",
    # job titles and ranks
    "ober", "director", "directora", "directeur", "directrice", "direttore", "direttrice", "direktor", "direktorin",
    "manager", "managerin", "gerente", "responsable", "responsabile", "presidente", "presidenta",
    "president", "presidentin", "prasident", "prasidentin", "voorzitter", "vorsitzender", "vorsitzende", "chef",
    "chefin", "jefe", "jefa", "capo", "minister", "ministerin", "ministre", "ministro", "ministra", "burgermeister",
    "burgermeisterin", "maire", "alcalde", "alcaldesa", "sindaco", "burgemeester", "doktor", "doktorin", "doctor",
    "doctora", "docteur", "dottore", "dottoressa", "professor", "professorin", "professeur", "profesor", "profesora",
    "professore", "professoressa", "ingenieur", "ingenieurin", "ingeniero", "ingeniera", "ingegnere", "notar",
    "notarin", "notaire", "notario", "notaria", "notaio", "notaris", "anwalt", "anwaltin", "avocat", "avocate",
    "abogado", "abogada", "avvocato", "avvocata", "advocaat", "kommissar", "inspector", "inspecteur", "ispettore",
    "pfarrer", "pastor", "pastoor", "cure", "padre", "geschaftsfuhrer", "geschaftsfuhrerin", "leiter", "leiterin",
    "abteilungsleiter", "teamleiter", "vertreter", "redakteur", "secretary", "sekretar", "secretaire", "secretario",
    "secretaria", "segretario", "segretaria", "officer", "agent", "agente", "coordinator", "coordinador",
    "coordinatore", "coordinateur", "lead", "head", "ceo", "cto", "cfo", "vp", "general", "colonel", "oberst",
    "medico", "medica", "asistente", "assistente", "tecnico", "tecnica", "technicien", "technicienne", "ouvrier",
    "ouvriere", "especialista", "specialista", "consultor", "consulente", "enfermero", "enfermera", "infermiere",
    "infermiera", "operaio", "operaia", "empleado", "empleada", "impiegato", "impiegata", "auxiliar", "ayudante",
    "vendedor", "vendedora", "venditore", "comercial", "recursos",
    "kapitan", "capitaine", "capitan", "capitano", "kapitein", "captain", "major", "sergeant", "comandante",
    # departments a note meets with, calls or quotes, in en/de/fr/es/it/nl (`Voir avec Ressources Humaines`, `Volgens
    # Inkoop Centraal`)
    "ressources", "humaines", "risorse", "umane", "humanos", "personal", "personalabteilung", "einkauf", "verkauf",
    "vertrieb", "buchhaltung", "geschaftsleitung", "comptabilite", "direction", "contabilidad", "direccion",
    "contabilita", "direzione", "acquisti", "ufficio", "inkoop", "verkoop", "boekhouding", "directie", "afdeling",
    # a profile's own sections (`Profil – Persönliche Daten`, `Perfil – Datos Personales`)
    "daten", "datos", "dati", "donnees", "gegevens", "einstellungen", "ajustes", "impostazioni", "parametres",
    "instellingen", "konto", "cuenta", "compte", "conto",
    # after thanks: `Merci Beaucoup`, `Danke Schön`, `Gracias Totales`, `Grazie Mille`
    "beaucoup", "schon", "vielmals", "totales", "mille", "tante", "again", "much", "wel",
})
# Places a greeting or a title is often put before, in the six locales' countries and the world's capitals
# (`Hola Buenos Aires`, `Hallo Berlin`, `Bonjour Paris`): the first word of each.
_PLACES = frozenset({
    "berlin", "hamburg", "munchen", "munich", "koln", "frankfurt", "stuttgart", "dusseldorf", "leipzig", "dresden",
    "wien", "vienna", "zurich", "bern", "paris", "lyon", "marseille", "toulouse", "nice", "nantes", "bordeaux",
    "lille", "strasbourg", "bruxelles", "brussel", "brussels", "madrid", "barcelona", "valencia", "sevilla",
    "bilbao", "malaga", "zaragoza", "buenos", "mexico", "bogota", "lima", "caracas", "quito", "montevideo",
    "roma", "rome", "milano", "milan", "napoli", "naples", "torino", "turin", "firenze", "bologna",
    "venezia", "venice", "palermo", "genova", "amsterdam", "rotterdam", "utrecht", "eindhoven", "groningen", "den",
    "antwerpen", "gent", "london", "manchester", "liverpool", "edinburgh", "dublin", "new", "los", "san", "chicago",
    "boston", "seattle", "toronto", "lisboa", "lisbon", "porto", "europe", "europa", "germany",
    "deutschland", "france", "espana", "spain", "italia", "italy", "nederland", "america",
    "tokyo", "praha", "prague", "warszawa", "warsaw", "budapest", "athens", "oslo", "stockholm", "copenhagen",
    "helsinki", "luxembourg", "monaco", "geneve", "geneva", "basel", "lausanne", "innsbruck", "salzburg", "graz",
})


_AFTER_A_TITLE = re.compile(r"\b(?i:herrn?|frau|mme|madame|monsieur|m|mlle|sra?|srta|se[ñn]ora?|sig|sig\.ra|signora?"
                            r"|dhr|mevr|meneer|mevrouw|mr|mrs|ms|dr|prof)\.?[ \t]+$")


def addressed_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """text[start:end] found after a greeting or a title, or None if it names nobody (addresses_someone)."""
    return (start, end) if addresses_someone(text, start, end) else None


def addresses_someone(text: str, start: int, end: int) -> bool:
    """False if the one word found at text[start:end] after a bare greeting is a form of address, a group, a job title
    or a place (`Hallo Berlin`, `Ciao Ragazzi`, `Chère Cliente`). After a title the next word is a surname whatever it
    means (`Dear Mr. Major`, `Sehr geehrte Frau Kunde`). Two words or more name someone unless each is a form of
    address, a group or a job's word (`Dear Valued Customer`, `Dear Hiring Manager`; not `Hi Chef Marco`) or the
    first is a place's (`Hola Buenos Aires`, `Hallo Den Haag`)."""
    words = text[start:end].split()
    if _AFTER_A_TITLE.search(text, max(0, start - 12), start) is not None:
        return True
    keys = [fold(word) for word in words]
    if len(keys) != 1:  # a title first is a title and a surname (`Sehr geehrte Frau Kunde`)
        titled = _AFTER_A_TITLE.search(words[0] + " ") is not None
        return titled or (keys[0] not in _PLACES and not all(key in _NOT_ADDRESSED for key in keys))
    return keys[0] not in _NOT_ADDRESSED and keys[0] not in _PLACES


def thanked_someone(text: str, start: int, end: int) -> bool:
    """After thanks, one word is a person only if it is a listed given name and no English word (`Thanks Ramona!`, not
    `Thanks Guys!` or `Danke Schön`); two or more if no word is an English word, a company's or a place's
    (`Thanks Amazon Prime!`, `Thanks Chase Bank!`)."""
    words = text[start:end].split()
    if len(words) > 1:
        return _FINDER.could_be_a_name(words)
    key, lists = fold(words[0]), gazetteer()
    return key in lists.given and key not in lists.english and key not in _NOT_ADDRESSED


_FINDER = NameFinder()


def named_by_context(words: list[str]) -> bool:
    """True if capitalised words before a verb of saying or after an author's preposition (`Mato Martić schrieb`,
    `Ecemiş Yüksel ha scritto`) read as a name though the lists may know neither: could_be_a_name (no English word, no
    company's or place's word), no place, and no greeting, form of address or article first (`Der Spiegel schreibt`)."""
    keys = [fold(word) for word in words]
    return (keys[0] not in PLACES_NAMED_LIKE_PEOPLE and keys[0] not in GREETINGS and keys[0] not in _NOT_ADDRESSED
            and keys[0] not in ARTICLES and _PLACES.isdisjoint(keys) and _FINDER.could_be_a_name(words))


def starts_with_a_greeting(text: str, span: tuple[int, int]) -> bool:
    """True if the name found at `span` is a greeting before a place or a form of address (`Hallo Berlin`, `Chère
    Cliente`), not before a name (`Hola Mercedes`, `Cara Delevingne`)."""
    first = text[span[0] : span[1]].split(maxsplit=1)[0]
    return fold(first) in GREETINGS and not addresses_someone(text, span[0] + len(first), span[1])


# Words of interfaces in paths and buttons, in en/de/fr/es/it/nl, that a people segment puts where a slug of a name
# would be (`/mitarbeiter/neu-anlegen`, `/utenti/nuovo-utente`): no word of a person's name.
_INTERFACE_WORDS = frozenset({
    "neu", "neue", "anlegen", "bearbeiten", "erstellen", "loschen", "suche", "suchen", "ubersicht", "einstellungen",
    "hinzufugen", "einladen", "nouveau", "nouvelle", "creer", "modifier", "supprimer", "recherche", "ajouter",
    "editer", "inviter", "liste", "nuevo", "nueva", "crear", "editar", "eliminar", "buscar", "agregar", "anadir",
    "invitar", "lista", "nuovo", "nuova", "crea", "modifica", "elimina", "cerca", "aggiungi", "invita", "elenco",
    "nieuw", "nieuwe", "aanmaken", "bewerken", "verwijderen", "zoeken", "toevoegen", "overzicht", "instellingen",
    "uitnodigen", "lijst", "utente", "usuario", "utilisateur", "benutzer", "gebruiker", "mitarbeiter", "empleado",
})
_WORD = re.compile(r"[^\W\d_]+")


def _not_a_person(text: str, span: tuple[int, int]) -> bool:
    """True if the name found at `span` starts with an article (`L'Oréal Paris`) or with a greeting before a place or a
    form of address (`Hallo Berlin`), or is a slug of an interface's words (`neu-anlegen`: never a written name)."""
    start, end = span
    if text.startswith(("l'", "L'", "l\u2019", "L\u2019"), start):
        return True  # `L'Oréal Paris`: no given name glued to an article (`l'Olivier Dubois` is read unelided)
    if starts_with_a_greeting(text, span):
        return True
    found = text[start:end]
    return " " not in found and any(fold(w) in _INTERFACE_WORDS for w in _WORD.findall(found))


def _both_readings(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """`Edit Patrizio della Mattarella`: the name the verb-less reading finds (`others`), instead of `Edit Patrizio`
    that overlaps it; a span of the first reading that overlaps none stays (`Edit Kovács called`)."""
    return {s for s in spans if not any(o != s and o[0] < s[1] and s[0] < o[1] for o in others)} | set(others)


# The cue words of cued_names, one table: the finder (_CUED), the lines it reads (_A_CUE) and the prefilter's hint
# (PERSON_CUE_HINT, in candidates._PERSON_HINT) are built from it, so that they cannot disagree. Regex pieces, in
# any case; an accented letter beside its plain one (the prefilter's ASCII stand-in maps both alike).
# Words after which capitalised words name a person whether the lists know them or not, as after a role's label
# (recognizers._ROLE_LABEL), in en/de/fr/es/it/nl: whose account a sentence reports (`According to`, `Laut`, `Selon`,
# `Según`, `Secondo`, `Volgens`).
_REPORTING = (r"according[ \t]+to", "laut", "selon", r"d\Wapr[èe]s", "seg[úu]n", "secondo", r"stando[ \t]+a", "volgens")
# A button's verb of writing to someone in de/fr/es/it/nl (`Contacter`, `Scrivi a`, `Nachricht an`): the name ends the
# button's text, and the lists know a word of it (cued_name_words: `Chiama Ora` is "call now").
_WRITING = ("contacter", r"contactar(?:[ \t]+(?:a|con))?", "contatta(?:re)?", "contacteer", "contacteren",
            "kontaktieren", r"[ée]crire[ \t]+[àa]", r"escribir[ \t]+a", r"scrivi[ \t]+a", r"scrivere[ \t]+a",
            r"enviar[ \t]+(?:un[ \t]+)?mensaje[ \t]+a", r"nachricht[ \t]+an", r"schreiben[ \t]+an",
            r"invia[ \t]+(?:un[ \t]+)?messaggio[ \t]+a", r"bericht[ \t]+(?:aan|naar)",
            # en's buttons (`Message Helmtrud Noack`, `Call Thies Paffrath`): the name ends the button's text, and the
            # lists must know a word of it (cued_name_words): `Call Now`, `Message Your Host`, `Email Marketing Tools`
            # stay
            "message", "call", r"e-?mail", r"chat[ \t]+with", r"write[ \t]+to")
# An e-mail header's label at its line's start in de/fr/es/it/nl (`An:`, `À :`, `Para:`, `Aan:`, `Von:`, `De :`,
# `Da:`, `Van:`; en's `to:`/`from:`/`cc:` are role labels already): the name ends its line or comes before an e-mail.
_LABELS = ("an", "von", "[àa]", "de", "para", "da", "aan", "van", "kopie", "copie", "copia")
# A sign-off and its comma before a name that ends the line (`Grüße, Taddeo Brambillasca`, `Saludos, X`): the sign-off
# on the line above the name is recognizers' `sign-off`.
_SIGN_OFFS = (r"(?:viele|liebe|beste|freundliche|herzliche)[ \t]+gr[üu](?:ß|ss)e", "gr[üu](?:ß|ss)e",
              r"mit[ \t]+freundlichen[ \t]+gr[üu](?:ß|ss)en", "cordialement", r"bien[ \t]+[àa][ \t]+vous",
              "amicalement", r"saludos(?:[ \t]+cordiales)?", r"un[ \t]+saludo", "atentamente", "saluti",
              r"cordiali[ \t]+saluti", r"un[ \t]+saluto", r"distinti[ \t]+saluti", "groeten", "groetjes",
              r"met[ \t]+vriendelijke[ \t]+groet(?:en)?", r"(?:best|kind|warm)[ \t]+regards", "regards", "sincerely",
              "cheers")
# A list of people: the attendees', participants' label, or `cc` first on a line. Each name of the list is a
# person's (recognizers' `cue list`), not only the first.
_LISTS = (r"(?:attendees|participants|invitees|teilnehmer|teilnehmende|participantes|partecipanti|deelnemers)[ \t]*:",
          r"(?:^|\n)[ \t]*b?cc")
LIST_CUE = "(?i:" + "|".join(_LISTS) + ")"
# Where a note or a message puts a person by what was done with them, in en/de/fr/es/it/nl: a call, a meeting or an
# appointment with someone (`Call with`, `Termin mit`, `Rendez-vous avec`, `Cita con`, `Riunione con`, `Afspraak met`),
# spoke to someone, our driver or technician, the customer (`Kunde`, `le client`, `il cliente`, `klant`), a line's
# `Name:`, `Rep:`, `Attendees:` or `cc`. After one, two to four capitalised words are a name though no list holds them
# (recognizers' `cue`), when they read as one by their shape alone (unlisted_name_words).
_WITH = (r"(?:call|phone[ \t]+call|meeting|meet|met|appointment|lunch|interview|catch-up|sync|spoke|talked|speaking"
         r"|chatted)[ \t]+with", r"(?:spoke|talked|speaking|talk|reached[ \t]+out|sent[ \t]+it|handed[ \t]+(?:it|over))"
         r"[ \t]+to", r"(?:telefonat|termin|treffen|besprechung|r[üu]cksprache|abstimmung|telefoniert|gesprochen"
         r"|verabredung|videocall)[ \t]+mit",
         r"(?:appel|r[ée]union|rendez-vous|rdv|d[ée]jeuner|rencontre|visio|voir|parl[ée]|rappel)[ \t]+avec",
         r"(?:llamada|reuni[óo]n|cita|almuerzo|habl[ée]|hablado|habl[óo])[ \t]+con",
         r"(?:chiamata|telefonata|riunione|appuntamento|colloquio|incontro|pranzo|parlato|sentito)[ \t]+con",
         r"(?:gesprek|afspraak|overleg|gebeld|gesproken|vergadering|belafspraak)[ \t]+met",
         r"(?:our|your|the)[ \t]+(?:driver|technician|courier|engineer|rep|sales[ \t]+rep|account[ \t]+manager"
         r"|consultant|advisor|adviser|caseworker)", r"unser(?:e|em|en)?[ \t]+(?:fahrer(?:in)?|techniker(?:in)?|monteur"
         r"|berater(?:in)?|kundenberater(?:in)?|kundenbetreuer(?:in)?|sachbearbeiter(?:in)?)",
         r"(?:notre|votre|le|la)[ \t]+(?:chauffeur|technicien(?:ne)?|livreur|conseill[èe]re?|commercial[e]?)",
         r"(?:nuestr[oa]|su|el|la)[ \t]+(?:conductor[a]?|t[ée]cnic[oa]|repartidor[a]?|asesor[a]?|comercial)",
         r"(?:il[ \t]+nostro|la[ \t]+nostra|il|la)[ \t]+(?:autista|tecnic[oa]|corriere|consulente)",
         r"(?:onze|uw|de)[ \t]+(?:chauffeur|monteur|bezorger|adviseur|accountmanager)",
         r"(?:customer|kunde|kundin|le[ \t]+client|la[ \t]+cliente|el[ \t]+cliente|la[ \t]+clienta|il[ \t]+cliente"
         r"|klant)", r"(?:name|rep|sachbearbeiter(?:in)?|nom|nombre|nome|naam)[ \t]*:", *_LISTS,
         # whose word a note reports or passes on: `According to`, `Laut`, `Selon` (_REPORTING), `Per` first on a
         # line, a note's or a message's sender
         *_REPORTING, r"(?:^|\n)[ \t]*per", r"(?:notes?|e-?mail|message|voicemail|feedback|request)[ \t]+from",
         r"(?:nachricht|r[üu]ckruf(?:bitte)?|anfrage)[ \t]+von", r"(?:message|demande)[ \t]+de",
         r"(?:mensaje|solicitud)[ \t]+de", r"(?:messaggio|richiesta)[ \t]+da", r"(?:bericht|verzoek)[ \t]+van")
MEETING_CUE = "(?i:" + "|".join(_WITH) + ")"
# A contacts' page and a profile's word in a title or an element's text, before or after a name across a separator
# (`Tavrel Okumbe - Contacts - Acme CRM`, `Profile – Tavrel Okumbe`, `Kontakt · Lisandre Vautrin`): recognizers'
# `contact card` and `profile first`, read by shape like a cue's name.
_CONTACTS = r"contacts?|kontakte?|contactos?|contatti|contacten"
CONTACT_WORD = rf"(?i:{_CONTACTS})\b"
PROFILE_FIRST = rf"(?i:\w*profile?|\w*profiel|\w*profilo|\w*perfil|{_CONTACTS})"
_CUE = "(?i:" + "|".join(_REPORTING) + ")"
_VERB = "(?i:" + "|".join(_WRITING) + ")"
_HEADER = r"(?im:^[ \t]*(?:" + "|".join(_LABELS) + r")[ \t]*:)"
_SIGN_OFF = "(?i:(?:" + "|".join(_SIGN_OFFS) + r")[ \t]*,)"
# What the prefilter asks of a text before cued_names reads it (candidates._PERSON_HINT): a cue as _CUED reads it and
# the blank after it; a header's label at the start of a text (`\x00` joins the texts of a batch) or of a line.
PERSON_CUE_HINT = (rf"(?:{_CUE}[ \t]*[,:]?|{_VERB}|{_SIGN_OFF})[ \t]"
                   r"|(?:^|[\n\x00])[ \t]*(?i:" + "|".join(_LABELS) + r")[ \t]*:")
# What the prefilter asks of a text before recognizers' `cue`, `contact card` and `profile first` read it
# (candidates.STRONG_CUE, a gate and a Python test of its own: a text that opens the PERSON gate for another reason,
# as most do, is not searched for these dozens of words again): a strong cue, a contacts' page or a profile's word,
# and the capital of the name after it.
STRONG_CUE_HINT = ("(?i:" + "|".join(w.replace("\\n", "[\\n\\x00]") for w in _WITH) + r")[ \t]+(?-i:[^a-z\s])"
                   rf"|\s[^\w\s]\s+{CONTACT_WORD}"
                   rf"|(?:^|[\n\x00])[ \t]*{PROFILE_FIRST}[ \t]*(?:[|·:-]|–|—)[ \t]*(?-i:[^a-z\s])")
_NAME_WORD = r"[A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+(?:['\u2019-][A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+)?"
_CUED_NAME = (rf"(?P<name>{_NAME_WORD}(?:[ \t]+(?:(?:van|von|ter|ten|den|der|de|del|della|di|da|du|des|la|le|dos|das"
              rf"|zu)[ \t]+)*{_NAME_WORD}){{0,3}})(?![^\W\d_])")
_CUED = re.compile(rf"(?<![^\W\d_])(?:(?P<cue>{_CUE})[ \t]*[,:]?|(?P<verb>{_VERB})|(?P<header>{_HEADER})"
                   rf"|(?P<sign>{_SIGN_OFF}))[ \t]+"
                   rf"{_CUED_NAME}")
# What ends a cued name: for a cue, anything but another capitalised word; for a verb, a header or a sign-off, its
# line (or an e-mail's angle bracket after a header's name).
_AFTER_CUE = re.compile(r"(?![ \t]*[A-ZÀ-Ý\u0100-\u017f])")
_AFTER_LINE = re.compile(r"[ \t]*[.!]?[ \t]*(?:\r?\n|$)|[ \t]*<")
# After a name, what makes a firm of it: a connective and a capital (`Paul Rey et Fils`, `Jansen en Zonen`), or a
# legal form (`Carsten Eberth GmbH`, `Rossi S.r.l.`).
_FIRM_AFTER = re.compile(r",?[ \t]+(?:(?:&|and|und|et|y|e|en)[ \t]+[A-ZÀ-Ý]|(?i:gmbh|mbh|ag|kg|ohg|ug|sas|sarl|srl"
                         r"|spa|bv|nv|ltd|llc|llp|plc|inc|sa|sl|s\.\s?[a-z]\.|[bn]\.\s?v\.)(?![^\W\d_]))")
# Possessives and determiners that start a group's signature or a button's object, not a name (`Grüße, Ihr
# Support-Team`, `Contacter Votre Conseiller`, `Message Your Host`).
_CONNECTIVES = frozenset({"and", "und", "et", "y", "e", "en"})
_DETERMINERS = frozenset({"ihr", "ihre", "euer", "eure", "dein", "deine", "mein", "meine", "unser", "unsere", "votre",
                          "vos", "notre", "nos", "ton", "mon", "su", "sus", "tu", "nuestro", "nuestra", "vuestro",
                          "vostro", "vostra", "nostro", "nostra", "il", "uw", "jullie", "je", "onze", "mijn", "your",
                          "our", "my", "the", "a", "an", "un", "une", "uno", "una", "ein", "eine", "een"})


# The cues of _CUED without what follows them, found in one pass over a text by hyperscan (one search a cue word, or
# one Python regex of all of them, costs two to ten times as much on texts without one): _CUED then reads only the
# lines that hold one. Scanned on prefilter's ASCII stand-in, which can only find more, at the same offsets.
_A_CUE = (_CUE, _VERB, _SIGN_OFF, r"(?:^|\n)[ \t]*(?i:" + "|".join(_LABELS) + r")[ \t]*:")


# Compiled on import (30 ms), not in the time budget of the first text that reaches cued_names.
_CUE_SCAN = Spec(tuple(ascii_stand_in(p).encode() for p in _A_CUE), tuple(range(len(_A_CUE))),
                 (hyperscan.HS_FLAG_CASELESS,) * len(_A_CUE)).compile()


def cued_names(text: str) -> Iterator[tuple[int, int]]:
    """Names after a cue, a button's verb, a header's label or a sign-off (above): two to four capitalised words that
    read as a name (cued_name_words)."""
    for start, stop in _lines_with_a_cue(text):
        yield from _cued_in(text, start, stop)


def _lines_with_a_cue(text: str) -> list[tuple[int, int]]:
    """The lines (start, end) of `text` that hold a cue (glued to brackets, quotes or commas as well: `(according to
    X)`, `Done,according to X`): a name after a cue is on the cue's line, and most texts hold no cue, or one on a few
    of their lines only."""
    ends: list[int] = []

    def on_match(_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
        ends.append(end)

    _CUE_SCAN.scan(ascii_stand_in(text).encode("ascii"), match_event_handler=on_match)
    lines = set()
    for end in ends:  # a cue ends on its line (none holds a line break after its first character)
        start, stop = text.rfind("\n", 0, end - 1) + 1, text.find("\n", end - 1)
        lines.add((start, len(text) if stop < 0 else stop))
    return sorted(lines)


def _cued_in(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    for m in _CUED.finditer(text, start, stop):
        end = m.end("name")
        after = _AFTER_CUE if m.group("cue") else _AFTER_LINE
        if after.match(text, end) is None or _FIRM_AFTER.match(text, end) is not None:
            continue
        words = m.group("name").split()
        if len(words) > 1 and cued_name_words([w for w in words if not w.islower()] if len(words) > 2 else words):
            yield m.start("name"), end


def cued_name_words(words: list[str]) -> bool:
    """True if capitalised words after a cue read as a name: no determiner, article, greeting, form of address, place,
    English word, company's word first or among them (named_by_context), or a listed given name and surname, or a
    listed given name before words no list holds (as after a role's label: `Laut Frank Walker`, `Grüße, Eve Pukk`)."""
    if _not_name_words([fold(word) for word in words]):
        return False
    # a title-cased job or department no list knows (`Médico Especialista`, `Recursos Humanos`, and German nouns:
    # `Laut Statistischem Bundesamt`): the lists must know a word of the name
    return ((named_by_context(words) and _FINDER.lists_a_name(words)) or _FINDER.listed_pair(words)
            or _FINDER.given_before_unknown(words))


# Endings of nouns and adjectives of de/fr/es/it/nl that no surname has, which title case or German capitals put after
# a cue (`Laut Statistischem Bundesamt`, `Reunión con Dirección Comercial`, `Termin mit Geschäftsleitung Nord`).
_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "amt", "tion", "sion", "cion", "zione", "ismus", "isme", "ismo",
                 "itat", "ische", "ischem", "ischen", "lichem", "lichen", "abteilung", "leitung", "ment", "ique",
                 "ica", "ico", "ale", "ales", "ali", "iale", "ieel", "ief", "lich", "liche", "lichen", "ivo", "iva",
                 "ivos", "ivas", "ivi", "ive", "ives")


# The head nouns of a public body's, an agency's, an office's or a practice's name in en/de/fr/es/it/nl, alone or as
# the last part of a German or Dutch compound (`Bundesagentur`, `Hausarzt`, `Landratsamt`, `Belastingdienst`,
# `Rijkswaterstaat`, `Waterschap`): after a cue or under a role's key, the people one calls or quotes as a body, not a
# person (`Laut Bundesagentur Arbeit`, `Telefonat mit Hausarzt Praxis`, `Rendez-vous avec Mairie Annexe`). No surname
# ends so, listed or not (`Kanzlei Weber` is a firm of lawyers).
_INSTITUTION_HEADS = ("agentur", "agency", "agence", "agencia", "agenzia", "amt", "behorde", "ministerium",
                      "ministerie", "ministry", "ministere", "ministerio", "ministero", "gericht", "rechtbank",
                      "tribunal", "tribunale", "juzgado", "polizei", "politie", "police", "policia", "polizia",
                      "praxis", "praktijk", "kanzlei", "arzt", "rathaus", "mairie", "prefecture", "ayuntamiento",
                      "comune", "gemeente", "municipio", "kasse", "dienst", "staat", "schap", "kantoor", "bureau",
                      "office", "oficina", "annexe", "annex", "zentrum", "centro", "consulat", "consulate",
                      "konsulat", "embassy", "botschaft", "ambassade", "embajada", "ambasciata", "questura",
                      "prefettura", "hacienda")


def _a_body(keys: list[str]) -> bool:
    """True if folded capitalised words name a body by its head noun (_INSTITUTION_HEADS), or are English words only
    (`Blue Ocean`, `Golden Gate`, `Silver Line`: a product's, a place's or a project's name that the name lists also
    hold, not a person's)."""
    return (any(key.endswith(_INSTITUTION_HEADS) for key in keys)
            or all(_FINDER.is_an_english_word(key) for key in keys))


def reads_as_a_name(words: list[str]) -> bool:
    """True if capitalised words that a role's key or a strong cue puts in a person's place read as a name by their
    shape, listed or not: no determiner, article, greeting, form of address, place, English word, company's or
    department's word (named_by_context, _not_name_words), no body's head noun (_a_body), and no word no list holds
    that ends as nouns and adjectives do (`Zustellung Heute`, `Recursos Humanos`)."""
    keys = [fold(word) for word in words]
    if _not_name_words(keys) or _a_body(keys) or not named_by_context(words):
        return False
    return not any(key.endswith(_NOUN_ENDINGS) and not _FINDER.lists_a_name([word])
                   for key, word in zip(keys, words, strict=True))


def unlisted_name_words(words: list[str]) -> bool:
    """True if two to four capitalised words after a strong cue (`Call with`, `Termin mit`, `our driver`) read as a
    name: no body's head noun and not English words only (_a_body: `Laut Bundesagentur Arbeit`, `Name: Blue Ocean`),
    and as after any cue (cued_name_words), or, listed or not, by their shape (reads_as_a_name: `Tavrel Okumbe`, not
    `Recursos Humanos`, `Vertrieb Nord`)."""
    names = [word for word in words if not word.islower()]
    if len(names) < 2 or _a_body([fold(name) for name in names]):
        return False
    return cued_name_words(names) or reads_as_a_name(names)


def _not_name_words(keys: list[str]) -> bool:
    """True if folded capitalised words are no name whatever the lists say: a determiner, a street's, a place's, a
    greeting's, a form of address's, a connective's, a company's word among them, or interface words only."""
    if keys[0] in _DETERMINERS or keys[0] in STREET_WORDS:
        return True
    if not (CITIES.isdisjoint(keys) and COUNTRIES.isdisjoint(keys)):
        return True
    # a form of address, a group or a job's word anywhere (`Race Relations Officer`, `Charity Officer`)
    if keys[0] in GREETINGS or keys[0] in ARTICLES or not (_NOT_ADDRESSED.isdisjoint(keys)
                                                          and _PLACES.isdisjoint(keys)):
        return True
    if not _CONNECTIVES.isdisjoint(keys):  # `Technicien Télécoms Et Réseaux`: a title-cased job, not a name
        return True
    if keys[-1] in STREET_SUFFIXES or all(key in UI_WORDS for key in keys):  # `Smith Ridge`, `Call Rose Gold`
        return True
    return any(a_firm_word(key) for key in keys)  # `Royal Dachgelt`, `Gerritse Groep`


# An initial and a surname, with particles or not, or a hyphenated given name's initial (`B. Walls`, `J. van Bovene`,
# `Klaus-D. Metz`), a blank after the initial's dot (`S.Coop.`, `B.Sc.` are a company's form and a degree): names.py
# takes it alone only when the lists hold the surname and it is no English word.
# Latin Extended-A letters as well (`Ł. Lewandowski`, `F. Şimşek`, `Ö. Erdoğan`): its capitals and small letters
# mixed, as in fields.py and recognizers._GIVEN.
_INITIAL_NAME = re.compile(r"(?<![\w.'\u2019-])(?:[A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+-)?"
                           r"[A-ZÀ-Ý\u0100-\u017f]\.[ \t]"
                           r"(?:(?:van|von|de|der|den|del|della|di|da|du|des|la|le|ter|ten|het|'t)[ \t]+)*"
                           r"([A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+(?:-[A-ZÀ-Ý\u0100-\u017f]"
                           r"[a-zß-ÿ\u0100-\u017f]+)?)(?![^\W\d_]|[ \t]?[A-ZÀ-Ý\u0100-\u017f\d&])")
# What says that an initial starts a name: before it, a role's label and its colon, a preposition, a title or a
# greeting in en/de/fr/es/it/nl (`owner: B. Walls`, `Assigned to J. Baker`, `avec M. Bouchet`, `Dr. A. Kruschwitz`).
# Not any colon, bracket or line's start: lettered options, answers and headings are written so (`Answer: C. Stone`,
# `Kategorie: B. Haftung`, `A. Einleitung`, `(B. Weekly)`).
_BEFORE_AN_INITIAL = frozenset({
    "to", "by", "from", "with", "for", "cc", "bcc", "attn", "von", "mit", "bei", "fur", "avec", "par", "pour", "chez",
    "con", "por", "para", "met", "door", "aan", "bij", "voor", "mr", "mrs", "ms", "dr", "prof", "herr", "herrn", "frau",
    "mme", "mlle", "sr", "sra", "sig", "dhr", "mevr", "dott", "ing",
    # role labels before their colon
    "owner", "assignee", "assigned", "contact", "kontakt", "ansprechpartner", "ansprechpartnerin", "interlocuteur",
    "referente", "contacto", "contatto", "contactpersoon", "reporter", "requester", "author", "autor", "auteur",
    "autore", "agent", "rep", "customer", "kunde", "client", "cliente", "klant", "signed", "approved",
    "responsable", "responsabile", "verantwortlich", "eigenaar", "verantwoordelijke", "inhaber", "inhaberin",
    "proprietaire", "propietario", "propietaria", "proprietario", "proprietaria",
    # whom a thing goes to or comes from in fr/it/nl (`Nuovo messaggio da K. Ghanem`, `Contract naar Z. van Dam`,
    # `Appel vers M. Roy`; not `a`: `Vai a B. Pagamento`), a button's verb of writing or calling (`Message Ł.
    # Lewandowski`)
    "da", "naar", "vers", "message", "call", "email", "chat", "ping", "mention",
}) | GREETINGS
# A whole line of a verb of moving through a page or a form and `to` (a link's or a button's text): what follows is a
# section, a step or an option (an English word after the letter), not a person. Not after other words (`Please go
# back to D. Baker`), and not `back`, `return`, `switch`: people are sent back to, returned to, switched to.
_GO_TO = re.compile(r"(?i)[ \t]*(?:go|jump|skip|scroll|navigate|continue|advance)[ \t]+to[ \t]*")
_ENDS_A_LINE = re.compile(r"[ \t.]*(?:\r?\n|$)")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?[ \t]*:?[ \t]*$")
# `M.` at a line's start before a verb is Monsieur (`M. Parent a appelé`), not an option's letter.
_MONSIEUR = re.compile(r"M\.[ \t]")
_VERB_AFTER = re.compile(r"[ \t]+(?:called|asked|requested|wrote|said|mentioned|reported|emailed|wants|needs|signed"
                         r"|approved|joined|replied|confirmed|complained|phoned|commented|hat|ruft|rief|bittet"
                         r"|m[öo]chte|schrieb|meldet|a|souhaite|demande|veut|llam[óo]|pidi[óo]|quiere|solicita"
                         r"|escribi[óo]|ha|vuole|chiede|richiede|belde|heeft|wil|vraagt|vroeg|says|sagt|dit|dice|zegt"
                         r"|belt|appelle|rappelle|llama|chiama|richiama)\b")
_FRENCH_VERB_AFTER = re.compile(r"[ \t]+(?:a|souhaite|demande|veut|dit|appelle|rappelle|sera|est)\b")


# A given name and the initial of a surname (`Folake N.`, `Grace R.`, and Dutch `Jesse v.` for `van`), its dot
# ending the name: no letter, digit or second initial after it.
_NAME_INITIAL = re.compile(r"(?<![\w.'\u2019-])([A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+"
                           r"(?:-[A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+)?)[ \t](?:[A-ZÀ-Ý\u0100-\u017f]|[vd])"
                           + INITIAL_ENDS_A_NAME)


def initialled_names(finder: NameFinder, text: str) -> Iterator[tuple[int, int]]:
    """initials_and_surnames and given_names_and_initials."""
    yield from initials_and_surnames(finder, text)
    yield from given_names_and_initials(finder, text)


def given_names_and_initials(finder: NameFinder, text: str) -> Iterator[tuple[int, int]]:
    """A given name and a surname's initial after a role's label, a preposition, a title or a greeting
    (_BEFORE_AN_INITIAL: `Approved by Folake N.`, `Hoi Grace R.,`, `cc: Don K.;`), when the word can be a given name
    (NameFinder.given_before_initial). names.py finds a listed given name that is no word before an initial without
    a cue (`Customer Lisa H. reports`)."""
    for m in _NAME_INITIAL.finditer(text):
        if finder.given_before_initial(m.group(1)) and _word_before_is_a_cue(text, m.start()):
            yield m.span()


def _word_before_is_a_cue(text: str, start: int) -> bool:
    before = _word_before(text, start)
    return before is not None and before in _BEFORE_AN_INITIAL


def _word_before(text: str, start: int) -> str | None:
    """The folded word before `start` on its line (a colon or a dot may follow it: `owner:`, `Dr.`), or None."""
    line = text.rfind("\n", 0, start) + 1
    before = _WORD_BEFORE.search(text, max(line, start - 30), start)
    return None if before is None else fold(before.group(1))


def initials_and_surnames(finder: NameFinder, text: str) -> Iterator[tuple[int, int]]:
    """An initial and a surname after a role's label, a preposition, a title or a greeting (_BEFORE_AN_INITIAL), or
    `M.` for Monsieur at a line's start before a French verb, when the word can be a surname
    (NameFinder.surname_after_initial); one that no list holds only before a punctuation mark, its line's end or a
    verb. Never at a line's start otherwise or as a whole value (`A. Einleitung`, `C. Stone`: an option or a
    heading; names.py takes a listed surname that is no word there), nor after a capitalised word (`Plan B.
    Danach`) or a second initial (`U. S. Steel`)."""
    for m in _INITIAL_NAME.finditer(text):
        listed = finder.surname_after_initial(m.group(1))
        if listed is None:
            continue
        if not listed and _ENDS_A_NAME.match(text, m.end()) is None and _VERB_AFTER.match(text, m.end()) is None:
            continue  # a word no list holds, followed by more words: `Größe: M. Farbe rot`
        if _initial_in_context(text, m.start(), m.end()):
            yield m.span()


def _initial_in_context(text: str, start: int, end: int) -> bool:
    line = text.rfind("\n", 0, start) + 1
    before = _word_before(text, start)
    if before is not None:
        if (_GO_TO.fullmatch(text, line, start) is not None and _ENDS_A_LINE.match(text, end) is not None
                and fold(text[start:end].split()[-1]) in gazetteer().english):
            return False  # `Go to D. Baker`, `Skip to B. Pricing` as a whole line: a section's or an option's letter
        return before in _BEFORE_AN_INITIAL  # `owner: B. Walls`, `Bonjour M. Parent`
    return (text[line:start].strip() == "" and _MONSIEUR.match(text, start) is not None
            and _FRENCH_VERB_AFTER.match(text, end) is not None)


# What follows a name: its line's end or a punctuation mark (not a colon: `Taille : M. Couleur : bleu`).
_ENDS_A_NAME = re.compile(r"[ \t]*(?:[,;.!?)]|\r?\n|$)")


# A name in lower case, as chats write it, after a preposition, a verb of talking to someone or a greeting in
# en/de/fr/es/it/nl (`talked to james miller`, `ping jan de vries`, `Termin mit anna schmidt`, `message de layla
# farouk`, `hi sibel keskin`), or after a label's colon (`Owner: amaka chukwu`): the cue says where a name may be,
# NameFinder.lower_case_pair whether the two words are one.
_LOWER_CUES = frozenset({
    "to", "with", "from", "for", "by", "ping", "cc", "ask", "tell", "call", "email", "message", "thanks", "thank", "dm",
    "asked", "told", "called", "emailed", "user", "mit", "von", "an", "bei", "für", "fur", "wie", "avec", "pour", "par",
    "chez", "à", "a", "de", "con", "para", "por", "per", "da", "di", "met", "voor", "bij", "aan", "door", "van",
}) | GREETINGS
# Every cue is a word of letters that a space must follow, so the trie (word_regex.py: 2.4x faster than the plain
# alternation, which Python's engine tries branch by branch at every word) finds the same matches.
_LOWER_CUE = re.compile(
    r"(?:(?:^|(?<=[\s(,;:]))(?i:" + one_of(_LOWER_CUES) + r")|(?<=\w):)[ \t]+"
    # the pair looked ahead at, so that the next cue is found too (`email to sharon brown`), in one pass; three
    # particles at most, so that a run of cues that are particles too (`de de de ...`) is read in linear time
    r"(?=(?P<given>[a-zß-ÿ\u0100-\u017f]{2,}(?:-[a-zß-ÿ\u0100-\u017f]{2,})?)[ \t]+"
    r"(?P<particles>(?:(?:van|von|de|der|den|del|della|di|da|du|des|la|le|ter|ten)[ \t]+){0,3})"
    r"(?P<surname>[a-zß-ÿ\u0100-\u017f]{2,}(?:-[a-zß-ÿ\u0100-\u017f]{2,})?)(?![^\W\d_]))")


# What every match of _LOWER_CUE holds: a cue's last letter (and a label's colon) and two words in lower case after
# it. One search for it costs a tenth of _LOWER_CUE's, and most texts hold none.
_THREE_WORDS = re.compile(r"[^\W\d_]:?[ \t]+[a-zß-ÿ\u0100-\u017f]{2,}[ \t]+[a-zß-ÿ\u0100-\u017f]")


def lower_case_names(finder: NameFinder, text: str) -> Iterator[tuple[int, int]]:
    """Names in lower case after a cue (_LOWER_CUE) that NameFinder.lower_case_pair reads as a name."""
    if _THREE_WORDS.search(text) is None:
        return
    for m in _LOWER_CUE.finditer(text):
        if (_FIRM_AFTER.match(text, m.end("surname")) is None  # `louis le roux s.a.`
                and finder.lower_case_pair(m.group("given"), m.group("surname"), bool(m.group("particles")),
                                           after_a_label=text[m.start()] == ":")):
            yield m.start("given"), m.end("surname")


# The names of a list in en/de/fr/es/it/nl, joined by a comma, `and` and its translations, or both (`Gemma Pozzecco e
# Guarino Padovano`, `Attendees: Friedlinde Gieß, Vinko Hövel`): two to four capitalised words, with particles,
# after or before a name found, that no capitalised word continues.
_JOIN = r"(?:[ \t]*,[ \t]*(?:(?:and|und|et|e|y|en|&)[ \t]+)?|[ \t]+(?:and|und|et|e|y|en|&|sowie)[ \t]+)"
_LISTED_NAME = (rf"(?P<name>{_NAME_WORD}(?:[ \t]+(?:(?:van|von|ter|ten|den|der|de|del|della|di|da|du|des|la|le|dos"
                rf"|das|zu)[ \t]+)*{_NAME_WORD}){{1,3}})")
_NEXT_IN_A_LIST = re.compile(rf"{_JOIN}{_LISTED_NAME}(?![^\W\d_]|[ \t]+[A-ZÀ-Ý\d])")
_BEFORE_IN_A_LIST = re.compile(rf"(?<![^\W\d_]){_LISTED_NAME}{_JOIN}$")
_JOIN_ALONE = re.compile(_JOIN)


def listed_with(finder: NameFinder, text: str, spans: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The names in a list with a name found (`spans`), before or after it and then after or before those in turn:
    words that read as a name after a cue (cued_name_words), or a listed given name that is no English word nor a
    word interfaces use before capitalised words that are no company's, place's or job's words (`Vinko Hövel`, not
    `Anna Schmidt, Head Office` or `und Deutsche Bahn`)."""
    found: set[tuple[int, int]] = set()
    known = set(spans)
    joins = {join.end() for join in (_JOIN_ALONE.match(text, end) for _, end in spans) if join is not None}
    todo = list(spans)
    while todo:
        start, end = todo.pop()
        after = _NEXT_IN_A_LIST.match(text, end)
        nearby = [] if after is None else [after.span("name")]
        line = text.rfind("\n", 0, start) + 1
        # the search for a name before the join is the costly half (a search over 120 characters): skipped after the
        # join that follows a name found, as in a long list of names found (2,000 of them in a 28 KB line)
        before = (_BEFORE_IN_A_LIST.search(text, max(line, start - 120), start)
                  if start - line > 3 and start not in joins else None)
        if before is not None:
            # the longest run of words before the join that reads as a name: `Gestern Guarino Padovano und …`
            nearby += [(word.start(), before.end("name")) for word in _WORD.finditer(text, *before.span("name"))]
        for span in nearby:
            if span in known:  # found already, and its neighbours are read from it
                break
            words = text[span[0] : span[1]].split()
            if span in found or len(words) < 2 or not words[0][0].isupper():
                continue
            if _a_sibling(finder, words):
                found.add(span)
                todo.append(span)
                break
    return found


def _a_sibling(finder: NameFinder, words: list[str]) -> bool:
    """True if words listed with a name are a name too: a listed given name that is no English word nor a word
    interfaces use, before words that are no English words unless listed surnames (`Vinko Hövel`, `Josip Warmer`;
    not `Linda Mountains`), a common given name and a common surname (`Sandy Brown`), or words that are all listed
    names and no English words (`Guarino Padovano`); none of them a company's, a place's, a job's, an interface's or
    a date's word (`Anna Schmidt und Deutsche Bahn`, `…, Leiterin Einkauf`, `…, Neu Anlegen`)."""
    names = [word for word in words if not word.islower()]
    keys = [fold(word) for word in names]
    if _not_name_words(keys) or not (_MONTHS_AND_DAYS.isdisjoint(keys) and _INTERFACE_WORDS.isdisjoint(keys)):
        return False
    lists = gazetteer()
    first = keys[0]
    if (first in lists.given or first in lists.paired) and first not in lists.english and first not in UI_WORDS:
        return all(key not in lists.english or key in lists.surnames for key in keys[1:])
    if lists.given.get(first, 0) & TOP and lists.surnames.get(keys[-1], 0) & TOP and keys[-1] not in UI_WORDS:
        return finder.listed_pair(names)  # common names that are English words: `Sandy Brown`, not `Summer Sale`
    return all(_a_listed_name(lists, key) for key in keys)


def _a_listed_name(lists: Gazetteer, key: str) -> bool:
    flags = lists.surnames.get(key, lists.given.get(key))
    return flags is not None and not flags & WORD and key not in lists.english


_MONTHS_AND_DAYS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})


def find_names(finder: NameFinder, text: str) -> list[tuple[int, int]]:
    """NameFinder.find() and the names this module's context finds: in the text read without a button's verb or its
    elided articles, in handles, after an initial, and listed with a name found; less the pairs that start with a
    greeting or an article or are interface slugs."""
    return _with_lists(finder, text, _found_names(finder, text))


def _found_names(finder: NameFinder, text: str) -> list[tuple[int, int]]:
    spans = finder.find(text)
    read = without_ui_verbs(text)
    blanked = unelided(read or text)  # `d'Anne-Marie`, `dell'Anna`: the same offsets, read without them
    cued = list(cued_names(text))
    if "." in text:
        cued += initialled_names(finder, text)
    cued += lower_case_names(finder, text)
    if read is None and blanked is None and "@" not in text and not cued:  # most texts: find()'s spans, sorted,
        return [s for s in spans if not _not_a_person(text, s)] if spans else spans  # none in another
    found = set(spans) if read is None else _both_readings(spans, finder.find(read))
    found.update(cued)
    if blanked is not None:
        found.update(finder.find(blanked))
    if "@" in text:
        found.update(handles(gazetteer(), text))
    spans = sorted(s for s in found if not _not_a_person(text, s))
    # a name found whole and a part of it (`d'Anne-Marie Lefèvre` read twice): the whole name only
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def _with_lists(finder: NameFinder, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` and the names listed with them (listed_with), when a comma or a connective may join them."""
    if not spans:
        return spans
    more = listed_with(finder, text, spans) - set(spans)
    if not more:
        return spans
    found = sorted(set(spans) | more)
    return [s for s in found if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in found)]
