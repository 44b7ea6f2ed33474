"""People's names in text, found with a gazetteer: a given name followed by a surname, never a listed word alone.

The lists (data/given.txt, data/surnames.txt; data/README.md says where they come from and how they are rebuilt) hold
41,869 given names counted in public name datasets of many countries (13,173 of them counted seldom: Sieghard,
Sjoukje) and 171,267 US Census surnames (1990's, and those of 2010's that are no everyday word: Okonkwo, Yilmaz), each
marked when it is also a word (`w`: Rose, Mark, Price, Hall) or among the most common (`t`); 11,847 more given names
count only before a listed surname that is not a word (`Geert Wildeboer`: `geert` is a word of Debian's Dutch list);
data/english.txt holds 65,396 English words. A single
word is never
a person by itself: a name is a pair, so that "Grace" or "Park" alone stays, and a pair of English words needs both to
be among the most common names and neither to be a word interfaces use (UI_WORDS): "John Smith" is a person, "Rose
Gold", "Max Price" and "Mark Hall" are labels.

- Written as a name: a capitalised given name (or several: `Mary Ann`, `Jean-Pierre`, an initial `F.`), then particles
  (`van der`, `de la`, `di`) and a capitalised surname. A surname that is not on the list counts after a given name
  that is not an English word, if it is not an English word or a given name itself (`Anna Oosterhuis`, not `Alexa
  Skills` or `Anna Sophie`). After particles the surname only has to be shaped like one
  (`Anna van der Oosterhuis`): the particle says enough. `Surname, Given` as a whole value (`Doe, Jane`) too.
- Written surname first: `Doe, Jane` in running text when neither is a word and the surname is listed; as a whole
  value, a title's part or in quotes also with two surnames (`Diéguez Duarte, Clarisa`) or a given name that names a
  place too (`Vidal, Virginia`, not `Richmond, Virginia`); after a role's label or a strong cue (`Assigned to King,
  Robert`) also a given name no list holds after a listed surname (`Call with Jansen, Wubbo`). A listed surname
  (no word, no given name) before a listed given name (`Rossi Mario`, `DUPONT Jean`) as a whole value, a part of a
  title or with the surname in capitals, where one of the commonest surnames may be a word (`SMITH Gareth`; in
  running text `Renault Clio` is a car). `Surname, ` before given names another rule found goes with them
  (surname_before: `Higgins, [Mark Nicole]`).
- In lower case in running text (`call michael johnson`): a listed surname after a listed given name, neither an
  English word; a given name that is a word (`dirk bakker`) only before a surname that is not a given name too.
- Written as a slug or a query: `jane-doe`, `jane.doe`, `jane_doe`, `jane+doe` in lower case, or a value that is just
  `jane doe`: both words on the lists and not both English words (`/u/anna-schmidt`, `?q=maria+garcia`).
- Not a person: a pair followed by a company form or a place word (`John Lewis Partnership`, `Tom Ford Inc`, `Anna
  Street`), and a pair of two English words that interfaces use.

Words are looked up folded (lower case, accents and ß folded): `Jürgen Müller` is `jurgen muller`.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from policies.pii.places import (
    CITIES,
    COUNTRIES,
    PLACE_STARTS,
    PLACES_NAMED_LIKE_PEOPLE,
    STREET_SUFFIXES,
    STREET_WORDS,
)

WORD, TOP = 1, 2  # the flags of a listed name
_DATA = Path(__file__).resolve().parent / "data"

# English words that interfaces and catalogues use as words, and that are also among the most common given names or
# surnames: two of them together are a label ("Max Price", "Rose Gold", "Jack Black" is a person but "Grace Hall" is
# a venue), so a pair of such words is never a person by the lists alone.
UI_WORDS = frozenset({
    "amber", "angel", "crystal", "daisy", "dawn", "grace", "guy", "hazel", "holly", "hunter", "jade", "jasmine", "lily",
    "mark", "max", "ray", "robin", "rose", "ruby", "victor", "will", "may", "bill", "art", "chase", "page", "price",
    "gold", "golden", "cash", "case", "key", "house", "head", "best", "good", "sweet", "rich", "short", "long", "small",
    "little", "strong", "black", "white", "brown", "green", "gray", "park", "hall", "bell", "ball", "day", "love",
    "battle", "bond", "branch", "church", "cross", "glass", "justice", "moon", "noble", "rush", "snow", "stone", "wall",
    "west", "wood", "woods", "king", "prince", "duke", "bright", "sharp", "hill", "fields", "rivers", "meadows",
    "summers", "winters", "waters", "bush", "cherry", "cotton", "frost", "grant", "hood", "lane", "mason",
    "miles", "power", "powers", "sales", "sears", "stout", "wise", "young", "ward", "marks", "weeks", "walls", "ware",
})
# Path segments of collections of people, in en/de/fr/es/it/nl: the segment after one is someone's page, avatar or
# record (`/team/goffredo-germano`, `/avatars/jente-van-ginkel.png`). First the segments that hold individuals only
# (their two last segments may be a name: `/profile/cummings/jessica`); then collections that are as often firms or
# products (`/customers/morgan/stanley`, `/p/calvin/klein`: `p` and `u` as the short forms sites use).
_INDIVIDUALS = (
    "profiles?|people|users?|team|members?|staff|employees?|mitarbeiter(?:innen)?|personen|benutzer|[ée]quipe"
    "|personnes|utilisateurs?|membres|equipo|personas|usuarios?|miembros|persone|utenti|membri|medewerkers"
    "|gebruikers|leden|authors?|directory|speakers?|agents?")
PEOPLE_SEGMENTS = (
    _INDIVIDUALS + "|teams|person|persons|contacts?|avatars?|u|p|customers?|clients?|candidates?|kontakte?|autoren"
    "|kunden|auteurs?|autores?|contactos?|autori|contatti|squadra|klanten"
    # a profile's own prefix (`/in/anna-schmidt`) and directories of professionals
    "|in|doctors?|advisors?|consultants?|experts?|lawyers?|therapists?|coaches|coach|instructors?|tutors?"
    "|hosts?|sellers?|reps?|owners?|founders?|leadership|board|alumni|students?|teachers?|faculty|researchers?"
    # folders of people's pictures (`/profile_pics/anna-schmidt.jpg`, `/headshots/…`)
    "|profile[-_]?(?:pics?|pictures?|images?|photos?|imgs?)|headshots?")
# Pages that introduce a company's people (`/ueber-uns/anna-schmidt`, `/chi-siamo/`, `/over-ons/`, `/ansprechpartner/`)
# and profiles in de/fr/es/it/nl (`/perfil/`, `/profilo/`): their other pages are words of the site's language
# (`/over-ons/onze-missie`, `/perfil/editar-datos`), so a slug after one is a person only from a listed given name on
# (`_team_pages`).
TEAM_PAGES = (
    "profil|perfil|profilo|profiel|perfiles|profili|profielen|profils|employee|patients?|pacientes?|pazienti"
    "|about|about-us|our-team|meet-the-team|unser-team|das-team|ueber-uns|uber-uns|ansprechpartner(?:innen)?"
    "|kontaktpersonen|notre-equipe|l-equipe|qui-sommes-nous|a-propos|nuestro-equipo|quienes-somos|sobre-nosotros"
    "|chi-siamo|il-nostro-team|il-team|referenti|over-ons|ons-team|het-team|wie-zijn-wij|medewerker")
# Not `wiki`: its articles titled like people are as often brands, films and characters (`/wiki/Alfa_Romeo`,
# `/wiki/Stella_Artois`, `/wiki/Lola_Rennt`), and a wiki's people are public figures; its users' own pages have a
# prefix (`/wiki/User:…`).
# A record's number before a person's slug, as CRMs write a contact's page (`/contacts/1703-anna-schmidt`).
RECORD_NUMBER = r"\d{1,8}-"
_RECORD = rf"(?:{RECORD_NUMBER})"
# A slug of two to four words of letters after such a segment, ending the path or followed by an image's extension,
# or by a number sites add to tell people of the same name apart (`/users/anna-schmidt-4821`). A page of a company's
# people may also write the name with a space (`%20`, decoded) or a plus (`/profiel/Roger Morvan`).
_IMAGE = r"\.(?:png|jpe?g|gif|webp|svg|avif)(?=[/?#]|$)"
# What sites append to a person's slug: an image's size or density (`-128x128`, `_200`, `@2x`), or a short hash that
# tells people of the same name apart (`-3af303d9`, with a digit).
_SUFFIX = r"(?:[-_]\d{2,4}(?:x\d{2,4})?|@\dx|-(?=[a-z]*\d)[0-9a-z]{4,12})"
_PEOPLE_PATH = re.compile(rf"(?im)(?:^|/)(?:{PEOPLE_SEGMENTS})/{_RECORD}?"
                          rf"([^\W\d_]{{2,}}(?:(?!{_IMAGE})[-_. +][^\W\d_]{{2,}}){{1,3}})"
                          rf"(?:-\d{{1,8}}|{_SUFFIX})?(?:{_IMAGE})?(?=[/?#]|$)")
# A file named after a person, as the last segment of a path: two words and the extension of a photo, a document or
# a contact card.
_FILE_NAME = re.compile(r"(?i)(?<![^/\s=])([^\W\d_]{3,})[-_.]([^\W\d_]{3,})"
                        r"\.(?:png|jpe?g|gif|webp|svg|avif|heic|pdf|docx?|vcf)(?=[?#\s&]|$)")
_TEAM_PAGE_PATH = re.compile(rf"(?im)(?:^|/)(?:{TEAM_PAGES})/([^\W\d_]{{2,}}(?:[-_. +][^\W\d_]{{2,}}){{1,3}})"
                             rf"(?:{_IMAGE}|\.html?)?(?=[/?#]|$)")
# A surname and an initial, or an initial and a surname, after a people segment: `/profile/mueller_k`, `/u/j.smith`.
_INITIAL_GLUED = re.compile(rf"(?im)(?:^|/)(?:{PEOPLE_SEGMENTS})/[a-z]([a-z]{{4,20}})(?=[/?#]|$)")  # `/u/eevans`
_SURNAME_INITIAL = re.compile(rf"(?im)(?:^|/)(?:{PEOPLE_SEGMENTS})/(?:((?:[a-z]{{2,4}}[-_.])*[a-z]{{3,}})[-_.][a-z]"
                              rf"|[a-z][-_.]((?:[a-z]{{2,4}}[-_.])*[a-z]{{3,}}))(?:{_IMAGE})?(?=[/?#]|$)")
# A name as two segments after a people segment that holds individuals (_INDIVIDUALS), surname first as directories
# sort them or given name first (`/profile/cummings/jessica`, `/people/anna/schmidt`): each word a segment of its own,
# the two ending the path.
_PEOPLE_TWO_SEGMENTS = re.compile(rf"(?im)(?:^|/)(?:{_INDIVIDUALS})/([^\W\d_]{{2,}})/([^\W\d_]{{2,}})/?(?=[?#]|$)")
# The same segment glued in capitals (`/team/MagdaPeukert`): two words.
_PEOPLE_PATH_GLUED = re.compile(rf"(?m)(?:^|/)(?i:{PEOPLE_SEGMENTS})/([A-Z][^\W\d_A-Z]+)([A-Z][^\W\d_A-Z]+)"
                                rf"(?:{_IMAGE})?(?=[/?#]|$)")
# The path patterns read `^` and `$` per line: the detectors analyse a batch of strings joined by blank lines
# (detect._JOIN), and a URL's leaf that starts with its collection (`team/Mark-Wood-300x300.jpg`) is at a line's start
# there, not the text's; anchored to the text, every leaf of a batch but the first went unread.
# What every match of the patterns above and of _GLUED_HANDLE holds: a people segment after a slash or at a line's
# start. One search for it costs half of one of theirs (it is done at a position without a slash at once), and most
# texts the finder reads hold no such segment.
_PEOPLE_SEGMENT = re.compile(rf"(?i)/(?:{PEOPLE_SEGMENTS})/")
_PEOPLE_SEGMENT_FIRST = re.compile(rf"(?i)(?:{PEOPLE_SEGMENTS})/")
# A later line's start that could start a people path (a batch's later string): the segments' alternation is tried
# only where a word and a slash follow the newline, not at each of the batch's blank lines (10x cheaper).
_LINE_WITH_A_SEGMENT = re.compile(r"\n(?=[^\W\d_][\w -]{0,30}/)")
_TEAM_PAGE = re.compile(rf"(?im)(?:^|/)(?:{TEAM_PAGES})/")
_UMLAUTS = re.compile(r"(?<=[^aeiou])[aou]e")  # a slug's ü, ö, ä: `guenther`, `joerg` (not `rafael`: after a vowel)
_FILE_WORD = re.compile(r"[^\W\d_]{2,}")
# What every match of _FILE_NAME holds, found from its dot as above.
_FILE_EXTENSION = re.compile(r"(?i)\.(?:png|jpe?g|gif|webp|svg|avif|heic|pdf|docx?|vcf)(?=[?#\s&]|$)")
# Words of interfaces glued to a name in a path (`/users/evasettings`, `/team/annaprofile`): not a surname.
_INTERFACE_ENDS = ("settings", "profile", "account", "admin", "edit", "page", "posts", "blog", "team", "info",
                   "shop", "store", "login", "home", "news", "mail", "photo", "test", "demo", "help")
# What follows a surname in en/de/fr/es/it/nl: a generation or a degree (`Jr.`, `III`, `DDS`, `MBA`, `B.Eng.` whose
# first part is `B`), never a surname itself.
# A degree written with dots after a surname (`B.Sc.`, `M.A.`, `B.Eng.`, `Ph.D.`, `LL.M.`, `Dipl.-Ing.`): its first
# letter is no initial, and a surname that is a given name too before it is the surname (`Hannah Adler B.Sc.`).
_DEGREE = re.compile(r"[ \t]+(?:[BM]\.[ \t]?[A-Z][a-z]{0,4}\.|Ph\.[ \t]?D\.|LL\.[ \t]?[BM]\.|Dipl\.-[A-Z][a-z]+\.)")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "md", "dds", "dmd", "dvm", "phd", "mba", "esq", "msc",
                            "bsc", "ba", "ma", "llm", "mfa", "rn", "cpa"})
# Months that are also given names, in en/de/fr/es/it/nl: `June Rabatt` and `April Angebote` are campaigns.
_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                     "november", "december", "januar", "februar", "maerz", "juni", "juli", "oktober", "dezember",
                     "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
                     "novembre", "decembre", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                     "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "januari", "februari", "maart",
                     "augustus"})
# Titles and forms of address in en/de/fr/es/it/nl: a word before a surname that is no given name (`Herr Ober`).
_TITLES = frozenset({"herr", "herrn", "frau", "fraulein", "monsieur", "madame", "mademoiselle", "senor", "senora",
                     "senorita", "signor", "signora", "signorina", "dottore", "dottoressa", "dott", "meneer", "mevrouw",
                     "juffrouw", "doctor", "doktor", "docteur", "professor", "professeur", "profesor", "professore",
                     "mister", "miss", "sir", "lady", "lord", "dame", "don", "dona", "mme", "mlle", "dhr", "mevr",
                     "sig", "sra", "srta", "prof", "ing", "avv", "arch", "kapitan", "captain", "capitaine"})
# The most words a written name has: given names, initials, particles and surnames (Maria Anna Sophie de la Cruz
# García López has nine).
_LONGEST_NAME = 10
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "delle", "di", "da", "du", "des", "la", "le",
                        "ter", "ten", "zu", "dos", "das", "do", "y", "e", "bin", "ibn", "al", "el", "mac", "st",
                        "het"})  # `van het Hof`: the Dutch article after `van`
# Prepositions, pronouns and adverbs of de/fr/es/it/nl that the lists also hold as given names (`segun` is a Yoruba
# given name, `tegen` and `onder` Dutch words of the pairs-only tier): a sentence's first word, capitalised, is never
# a name's first word (`Según Ana Torres`, `Laut`, `Onder Jan de Vries`).
_FUNCTION_WORDS = frozenset({"segun", "tegen", "onder", "om", "dann", "dein", "deja", "eine", "einer", "kein", "nur",
                             "morgen", "gia", "jullie", "tres", "tutta", "mio"})
# Words that join two names into a firm's (`Johnson and Sons`, `Müller und Söhne`, `Dupont et Fils`, `Ortega y
# Hijos`, `Bianchi e Figli`, `Jansen en Zonen`); inside a person's name only rarely (`Ortega y Gasset`).
_CONNECTIVES = frozenset({"and", "und", "et", "y", "e", "en", "&"})
# After a name, words that make it a company, an institution or a place named after a person.
_NOT_A_PERSON_AFTER = frozenset({
    "inc", "llc", "ltd", "plc", "corp", "co", "company", "gmbh", "ag", "kg", "sa", "sas", "sarl", "bv", "nv", "spa",
    "srl", "sl", "group", "partners", "partnership", "associates", "foundation", "stiftung", "fondation", "fundacion",
    "fondazione", "stichting", "university", "universitat", "universite", "universidad", "universita", "college",
    "school", "institute", "institut", "hospital", "klinik", "clinic", "center", "centre", "library", "museum", "hall",
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "drive", "lane", "way", "square", "park",
    "bridge", "airport", "station", "strasse", "str", "straat", "laan", "weg", "platz", "award", "prize", "trophy",
    "cup", "memorial", "lecture", "fund", "trust", "brand", "brands", "collection", "stores", "store", "shop",
    # legal forms and the trade a company names itself after (Thomas Cook Airlines, Wells Fargo Bank)
    "llp", "lp", "pllc", "pc", "pty", "limited", "incorporated", "corporation", "holding", "holdings", "industries",
    "enterprises", "ventures", "capital", "investments", "securities", "financial", "bank", "bancorp", "insurance",
    "airlines", "airline", "airways", "motors", "automotive", "pharma", "pharmaceuticals", "media", "studio",
    "studios", "consulting", "solutions", "systems", "technologies", "labs", "software", "services", "hotels",
    "resorts", "foods", "logistics", "energy", "law", "legal", "agency", "gruppe", "groupe", "grupo", "gruppo",
    "groep", "cie", "fils", "hermanos", "figli", "zonen", "sons", "sohne", "soehne", "hijos", "brothers", "gebruder",
    "gebroeders", "freres", "fratelli",
    # German legal forms: Heinz Wirth GbR, Müller OHG, Schmidt UG, Merck KGaA, Weber Bau mbH
    "gbr", "ohg", "ug", "kgaa", "mbh",
    # the same in de/fr/es/it/nl (Hoffmann Logistik, Dupont Transports, Bianchi Costruzioni)
    "logistik", "bau", "technik", "werke", "verlag", "immobilien", "versicherung", "beratung", "handel", "transporte",
    "transports", "conseil", "assurances", "immobilier", "construction", "constructions", "construcciones",
    "ingenieria", "abogados", "asesores", "costruzioni", "consulenze", "immobiliare", "assicurazioni", "trasporti",
    "bouw", "techniek", "advies", "makelaars", "transport", "verzekeringen", "architecten", "architekten",
    "associes", "asociados", "associati", "notaires", "avocats", "rechtsanwalte", "advocaten",
})
# Words that begin the names of banks, utilities and carriers in de/fr/es/it/nl rather than a person's (Deutsche
# Bahn, Banco Santander, Caisse d'Épargne, Stadtwerke München).
_ORGANISATION_WORDS = frozenset({"deutsche", "deutscher", "banco", "banca", "banque", "caixa", "caisse", "credit",
                                 "credito", "cassa", "sparkasse", "volksbank", "stadtwerke", "royal", "national",
                                 "general", "united", "international", "euro", "europa", "telecom", "air", "aero",
                                 "grupo", "gruppo", "groupe", "compagnie", "compania", "societe", "societa", "hotel",
                                 "mercado", "mercato", "supermercado", "supermercato", "supermarkt",
                                 # departments and desks, which role lines and page titles name like people
                                 # (`Ansprechpartner\nVertrieb Süd`, `Contacto\nAtención Cliente`, `Workspace Berlin`)
                                 "vertrieb", "zentrale", "einkauf", "buchhaltung", "kundenservice", "kundendienst",
                                 "personalabteilung", "abteilung", "filiale", "redaktion", "geschaftsstelle",
                                 "atencion", "cliente", "clientes", "servicio", "soporte", "ventas", "departamento",
                                 "sucursal", "assistenza", "vendite", "ufficio", "reparto", "klantenservice", "verkoop",
                                 "afdeling", "vestiging", "service", "support", "helpdesk", "workspace", "department",
                                 "headquarters", "office",
                                 # the post and nations' adjectives that name firms (`Poste Italiane`, `Correos
                                 # Express`, `La Poste`, `Nederlandse Spoorwegen`, `Schweizerische Post`)
                                 "poste", "correos", "italiane", "italiana", "italiano", "espanola", "espanol",
                                 "francaise", "francais", "nederlandse", "schweizerische", "osterreichische",
                                 "koninklijke", "koninklijk"})
# How the names of public bodies, banks and firms end in de/fr/es/it/nl, after `van de`, `von der`, `de la` that read
# "of the" there (`Jan Smit van de Gemeente`, `Anna Weber von der Stadtverwaltung`, `Luis Gil de la Consejería`).
_BODIES = ("gemeente", "bank", "kasse", "verwaltung", "amt", "dienst", "ministerie", "ministerium", "provincie",
           "mairie", "prefecture", "ayuntamiento", "consejeria", "comune", "regione", "provincia", "universiteit",
           "hogeschool", "politie", "polizei")
ARTICLES = frozenset({"le", "la", "les", "el", "il", "lo", "het", "der", "die", "das", "the"})
_BEFORE_PLACE = PLACE_STARTS  # `Rue Victor Hugo`, `San Marco`, `Fort Myers`, `West Kimberly` (places.py)
# Place words that are also a preposition of English, Dutch, German and Spanish in lower case: `intro via Martin
# Williams` names a person, `Via Giuseppe Verdi` a street.
_ALSO_A_PREPOSITION = frozenset({"via"})

# Surnames that, after a given name, make a place or a product of it: Virginia Beach, Tesla Model S, Jordan Brand.
_NOT_SURNAMES = frozenset({"beach", "city", "island", "valley", "springs", "falls", "heights", "county", "model",
                           "brand", "edition", "series",
                           # legal forms: `Holt PLC`, `Lawrence LLC`, `Reid Ltd` are companies named after someone
                           "inc", "llc", "ltd", "plc", "corp", "gmbh", "mbh", "ohg", "kgaa", "sarl", "srl", "llp",
                           "pllc", "pty"})

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
# Between the words of a written name: spaces, the dot of an initial, or a query's `+` (`Sanne+de+Vries` is what is
# left of a search for Sanne de Vries encoded twice, once decoded).
_GAP = re.compile(r"[ \t]+|\+|\.[ \t]*")
_LOWER = re.compile(r"(?<![^\W\d_])[^\W\d_A-Z]{2,}(?![^\W\d_])")  # a lower-case word
_SLUG_SEPARATORS = ("-", ".", "_", "+")
# Where a slug ends: the text's or its line's end, a path's, query's or fragment's mark, a space, a file's extension or
# a number sites add (`-2024`, `-4821`).
_SLUG_HEAD = re.compile(r"[^\W_]+(?:[-_.+][^\W_]+)*[-_.+]$")  # a slug's words before a pair in it
_SLUG_END = re.compile(r"$|[/?#&\s]|\.[a-z]{2,4}\b|[-_]\d+(?![^\W\d_])", re.MULTILINE)
_CAPITALISED_SLUG = re.compile(r"(?<![^\W_])([A-Z][^\W\d_A-Z]+)[-_+]([A-Z][^\W\d_A-Z]+)(?![^\W_]|-[A-Z])")
# A people path's segment in lower case, a given name and a surname glued (`/u/pierredurand`). Not a handle: `@renault`.
_GLUED_HANDLE = re.compile(rf"(?m)(?i:(?:^|/)(?:{PEOPLE_SEGMENTS})/)([a-z]{{6,24}})(?=[/?#&\s,;:)]|$)")  # urls: `u/…`
_GLUED_SLUG = re.compile(r"(?<=[/@])([A-Z][^\W\d_A-Z]+)([A-Z][^\W\d_A-Z]+)(?=[/.?#&]|$)", re.MULTILINE)
# An initial and a surname: `J. Smith`, `A. Müller`, `M. Dupont` (not after another initial: `U.S. Bank`).
# With a hyphenated given name's first part before it (`Hans-H. Henschel`, `Klaus-D. Metz`): the name whole.
_INITIAL = re.compile(r"(?<![\w.])(?:[A-Z][^\W\d_A-Z]+-)?[A-Z]\.[ \t]?([A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)?)")
# What every match of _INITIAL, _CAPITALISED_SLUG and _GLUED_SLUG holds, without the look-behinds that make the regex
# engine try them at every position: the initial's dot and capital, a separator and a capital, a slash or an at sign
# and a capitalised word glued to a capital.
_INITIAL_DOT = re.compile(r"\.[ \t]?[A-Z]")
# A capitalised word, a space and a capital's dot (`Lisa H.`): the necessary condition of _given_and_initial, searched
# once a text; then what may follow the dot: no letter, digit or second initial (`U. S.`, `H.J.`), a sentence's
# full stop or end.
_GIVEN_INITIAL = re.compile(r"[^\W\d_] [A-ZÀ-Ý\u0100-\u017f]\.(?!\w|\.\w)")
INITIAL_ENDS_A_NAME = r"\.(?!\w|\.\w|[ \t]?[A-ZÀ-Ý\u0100-\u017f]\.)"  # name_context's given name and initial too
_AN_INITIAL_ENDS = re.compile(INITIAL_ENDS_A_NAME)
_SLUG_CAPITAL = re.compile(r"[-_+][A-Z]")
_GLUED_CAPITALS = re.compile(r"[/@][A-Z][^\W\d_A-Z]+[A-Z]")


@dataclass(frozen=True)
class Gazetteer:
    given: dict[str, int]
    surnames: dict[str, int]
    english: frozenset[str]  # English words, for telling an unlisted surname from a word
    # Given names too rare or too like a word of some language to count alone (data/given.txt's `p` tier): a given
    # name only before a listed surname that is not a word (`Geert Wildeboer`, `Goyo Cifuentes`).
    paired: frozenset[str] = frozenset()
    # Everyday words of English, German, French, Spanish, Italian and Dutch, folded (`kommt`, `grazie`, `nueva`): an
    # unlisted word in lower case after a given name is a surname only if it is none of these (common_words).
    everyday: frozenset[str] = frozenset()
    function_words: frozenset[str] = frozenset()  # the most common words of those languages (`ho`, `per`, `les`)


def _read(name: str) -> tuple[dict[str, int], frozenset[str]]:
    found: dict[str, int] = {}
    paired: list[str] = []
    for line in (_DATA / name).read_text(encoding="ascii").splitlines():
        word, _, flags = line.partition("\t")
        if "p" in flags:
            paired.append(word)
        else:
            found[word] = (WORD if "w" in flags else 0) | (TOP if "t" in flags else 0)
    return found, frozenset(paired)


@functools.cache
def gazetteer() -> Gazetteer:
    english = frozenset((_DATA / "english.txt").read_text(encoding="ascii").split())
    given, paired = _read("given.txt")
    return Gazetteer(given, _read("surnames.txt")[0], english, paired=paired, everyday=common_words(EVERYDAY_ZIPF),
                     function_words=common_words(FUNCTION_WORD_ZIPF))


# The languages of the corpus the scrubber is written for, and how common a word must be to count as an everyday one:
# a Zipf frequency of 3.3 is about twice in a million words. Surnames no list holds are rarer than that in these
# languages' text (`diesbergen` 0, `granatelli` 1.2, `steenbeek` 2.4, `oosterhuis` 3.2), words that follow a name in
# a chat are not (`kommt` 5.9, `grazie` 5.7, `arriva` 4.6, `nueva` 5.1).
EVERYDAY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
EVERYDAY_ZIPF = 3.3
# A language's function words are far more common than any given name (Zipf 6 is once in a thousand words: `ho`
# 6.5, `per` 7.2, `les` 7.3, `den` 7.0; `john` 5.4, `jean` 5.5, `maria` 5.1): in lower case such a word starts no name
# (`ho parlato con…` is Italian, not Ho Parlato).
FUNCTION_WORD_ZIPF = 6.0


def common_words(zipf: float) -> frozenset[str]:
    """The words of wordfreq's `small` lists (wordfreq 3.1.1 on PyPI: word frequencies from Wikipedia, subtitles,
    news, books and the web; code Apache-2.0, data CC BY-SA 4.0, read from the installed package and never copied
    here) that are at least `zipf` common in one of EVERYDAY_LANGUAGES, folded. About 0.4 s, once a process."""
    import wordfreq  # here, not at the top: only the gazetteer needs it, and it loads its lists on first use

    least = 10 ** (zipf - 9)
    words: set[str] = set()
    for language in EVERYDAY_LANGUAGES:
        words.update(fold(word) for word, frequency in wordfreq.get_frequency_dict(language, wordlist="small").items()
                     if frequency >= least and word.isalpha())
    return frozenset(words)


# Letters that NFKD does not take apart, as the lists write them (Søren is soren, Przemysław przemyslaw); keys.py
# folds keys with it too (`hasło` is `haslo`).
UNSPLIT_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                                 "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
                                 "\u0131": "i", "\u2019": "'"})


@functools.lru_cache(maxsize=1 << 16)  # per token of every text the name finder reads: words repeat across strings
def fold(word: str) -> str:
    if not word.isascii():
        word = unicodedata.normalize("NFKD", word.translate(UNSPLIT_LETTERS)).encode("ascii", "ignore").decode("ascii")
    return word.lower().replace("'", "")


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 4x, and a text has a token per word
class _Token:
    start: int
    end: int
    text: str
    key: str  # folded

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper() and (len(self.text) == 1 or not self.text.isupper() or len(self.text) > 2)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        word, end = m.group(), m.end()
        if word.endswith(("'s", "\u2019s")):  # Jane Doe's profile: the name ends before the possessive
            word, end = word[:-2], end - 2
        tokens.append(_Token(m.start(), end, word, fold(word)))
    return tokens


class NameFinder:
    """The spans of people's names in a text (start, end), by the rules in this module's docstring."""

    def __init__(self, lists: Gazetteer | None = None) -> None:
        lists = lists or gazetteer()
        self._given, self._surnames, self._english = lists.given, lists.surnames, lists.english
        self._paired, self._everyday, self._function_words = lists.paired, lists.everyday, lists.function_words

    def could_hold(self, text: str) -> bool:
        """A cheap necessary condition for find(): some word is a listed given name."""
        given, paired = self._given, self._paired
        return any((key := fold(m.group()).split("-")[0]) in given or key in paired for m in _TOKEN.finditer(text))

    def could_hold_words(self, words: list[str]) -> bool:
        """could_hold() given the folded words of a text."""
        return not (self._given.keys().isdisjoint(words) and self._paired.isdisjoint(words))

    def could_be_a_name(self, words: list[str]) -> bool:
        """True if capitalised words that context says name someone can be a name: none is an English word (unless
        it is a listed given name or surname that is not also a word), a company form or a place word."""
        for word in words:
            key = fold(word)
            if word.islower() and key in _PARTICLES:
                continue  # `Jaylinn van der Werd`: `van` is an English word, but not here
            if any(key in words_ for words_ in (_NOT_A_PERSON_AFTER, _BEFORE_PLACE, UI_WORDS, _ORGANISATION_WORDS)):
                return False
            listed = self._given.get(key, self._surnames.get(key))
            if key in self._english and (listed is None or listed & WORD):
                return False
        return True

    def listed_pair(self, words: list[str]) -> bool:
        """True if words that context says name someone are a listed given name and a listed surname, words or not
        (`Signed in as Carol Bell`, `Scheda cliente: Dawn Butler`), and none is a company form, a place word or a
        connective (`Johnson and Sons`, `Smith & Wesson`: a firm of two names)."""
        keys = [fold(word) for word in words]
        if len(keys) < 2 or keys[0] not in self._given or keys[-1] not in self._surnames:
            return False
        return not any(key in _NOT_A_PERSON_AFTER or key in _BEFORE_PLACE or key in _ORGANISATION_WORDS
                       or key in _NOT_SURNAMES or key in _CONNECTIVES for key in keys)

    def given_before_unknown(self, words: list[str]) -> bool:
        """True if words that a role's label says name someone are a listed given name, an English word or not (`Eve`,
        `Fem`), and words that are neither English words nor listed as such, nor a company's or a place's
        (`assigned to Eve Pukk`, not `assigned to Will Bakery` or `to Grace Hall`)."""
        keys = [fold(word) for word in words if not (word.islower() and fold(word) in _PARTICLES)]
        if len(keys) < 2 or keys[0] not in self._given or keys[0] in UI_WORDS:
            return False
        return not any(key in self._english or key in _NOT_A_PERSON_AFTER or key in _BEFORE_PLACE
                       or key in _ORGANISATION_WORDS or key in UI_WORDS or key in PLACES_NAMED_LIKE_PEOPLE
                       or key in COUNTRIES or key in CITIES or key in _CONNECTIVES
                       or self._surnames.get(key, 0) & WORD for key in keys[1:])

    def inverted_pair(self, words: list[str]) -> bool:
        """True if words that a role's label or a strong cue says name someone, written `Surname, Given` (`Assigned
        to King, Robert`, `Chat with Mason, Hope`, `Owner: van de Greef, Melle`), are a surname, with its particles,
        and a given name (_given_after_a_comma): the surname listed, or no English word; neither a place's, a
        company's, a month's or a connective's word (but one of the commonest surnames: `Hall, Sandra`, `Park,
        Jisoo`), no city's or country's name before the comma (`Paris, France`), and not two words that interfaces
        use (`Wood, Art`). A given name that also names a place (`Fox, Nancy`, `Nicoletti, Carolina`) after a listed
        surname that names none; never a country's (`Amman, Jordan`)."""
        if len(words) < 2 or not words[-2].endswith(","):
            return False
        surname, given = fold(words[-2][:-1]), fold(words[-1])
        flags = self._surnames.get(surname)
        particles = len(words) > 2 and words[-3].islower() and fold(words[-3]) in _PARTICLES  # `van de Greef, Melle`
        if (flags is None and surname in self._english) or \
                not self._given_after_a_comma(given, flags is not None or particles):
            return False
        if (surname in UI_WORDS and given in UI_WORDS) or surname in CITIES or surname in COUNTRIES \
                or surname in _REGIONS:
            return False  # `Wood, Art`, `Paris, France`, `Austin, Texas`; not `Jordan, Michael`
        if a_place(given) and not self._a_person_named_like_a_place(given, surname):
            return False  # `Washington, Georgia`, `Amman, Jordan`, `Savannah, Georgia`
        return not self._a_firm_or_month_word(surname, given, flags)

    @staticmethod
    def _a_firm_or_month_word(surname: str, given: str, flags: int | None) -> bool:
        """True if the folded surname or given name of `Surname, Given` is a company's, a place's, a month's or a
        connective's word; a venue's or a street's word only when it is no surname of the commonest (`Station, Anna`;
        not `Hall, Sandra`, `Park, Jisoo`)."""
        if surname in _NOT_A_PERSON_AFTER and not (flags or 0) & TOP:
            return True
        return given in _NOT_A_PERSON_AFTER or any(
            key in _BEFORE_PLACE or key in _ORGANISATION_WORDS or key in _NOT_SURNAMES or key in _CONNECTIVES
            or key in _MONTHS for key in (surname, given))

    def _given_after_a_comma(self, given: str, surname_known: bool) -> bool:
        """Whether the folded word after `Surname,` that a cue says names someone is its given name: listed, each part
        of it when hyphenated (`Hans-Albert`); after a listed surname (or one after particles in lower case) also a
        word of three letters or more that no list holds and that is no English or everyday word (`Sanders, Wessel`,
        `van de Greef, Melle`)."""
        parts = given.split("-")
        if all(part in self._given for part in parts):
            return True
        return surname_known and all(len(part) >= 3 and part.isalpha() and part not in self._english
                                      and part not in self._everyday and part not in self._given for part in parts)

    def given_before_initial(self, word: str) -> bool:
        """Whether `word`, before a surname's initial that context says ends a name (name_context.initialled_names:
        `Approved by Folake N.`, `Hoi Grace R.,`), can be its given name: a listed given name, a word or not, or a
        word of three letters or more that no list holds and that is no English or everyday word; never a company's,
        a place's, a month's or a title's word, a greeting or an article."""
        key = fold(word)
        if key in _NO_NAME_BESIDE_AN_INITIAL or key in _REGIONS:
            return False
        parts = key.split("-")
        return all(part in self._given or (len(part) >= 3 and part.isalpha() and part not in self._english
                                           and part not in self._everyday) for part in parts)

    def surname_after_initial(self, word: str) -> bool | None:
        """Whether `word`, after an initial that context says starts a name (name_context.initialled_names), can be
        its surname: True for a listed surname, a word or not (`B. Walls`), False for a word of three letters or more
        that no list holds and that is no English word (`A. Kruschwitz`: the caller asks more of it), None for any
        other word and for a company's, a place's or a month's word (`A. Introduction`, `N. Dakota`, `J. Crew
        Group`)."""
        key = fold(word)
        if key in _NO_NAME_BESIDE_AN_INITIAL or key in _NOT_SURNAMES:
            return None
        parts = key.split("-")
        if all(part in self._surnames for part in parts):
            return True
        if all(len(part) >= 3 and part.isalpha() and part not in self._english for part in parts):
            return False
        return None

    def lower_case_pair(self, given: str, surname: str, particles: bool, after_a_label: bool = False) -> bool:
        """True if two words in lower case after a cue (name_context.lower_case_names: `talked to james miller`,
        `ping jan de vries`) are a name: a listed given name that is no English word, a word interfaces use, a
        month, a particle, a greeting or a street's word, and after it particles and a word that is no English word
        nor a given name, or a listed surname that is no word or a common one (`miller`) and no word that ends a
        street's, a place's or a company's name (`evans lane`), or a word of four letters or more that no list
        holds and that is no everyday word of the six languages (`ping wessel diesbergen`; not `felipe nueva`, `luis
        asap`, `anna kommt`). After a label's colon, a given name that is an everyday word too and none of the
        commonest names only before a listed surname (`Owner: marie dubois`; not `Theme: aurora borealis`)."""
        given, surname = fold(given), fold(surname)
        if not self._starts_a_lower_case_name(given) or surname in _NOT_BEFORE_SURNAME_KEYS:
            return False
        if after_a_label and given in self._everyday and not self._given[given.split("-")[0]] & TOP \
                and surname not in self._surnames:
            return False
        if particles:
            return (len(surname) >= 3 and surname.isalpha() and surname not in self._english
                    and surname not in self._given)
        if any(part in words for words in (_NOT_SURNAMES, CITIES, COUNTRIES, PLACES_NAMED_LIKE_PEOPLE,
                                            STREET_SUFFIXES, _NOT_A_PERSON_AFTER) for part in surname.split("-")):
            return False  # `evans lane`, `groth-ring`
        flags = next((self._surnames[part] for part in surname.split("-") if part in self._surnames), None)
        if flags is None:
            return all(self._unlisted_in_lower_case(part) for part in surname.split("-"))
        return not flags & WORD or bool(flags & TOP)

    def _starts_a_lower_case_name(self, given: str) -> bool:
        """A listed given name that is no English word, no word interfaces use, no greeting's, street's or place's
        word."""
        first = given.split("-")[0]
        return not (first not in self._given or given in self._english or first in self._english
                    or given in UI_WORDS or given in _NOT_BEFORE_SURNAME_KEYS or given in STREET_WORDS
                    or given in _BEFORE_PLACE)

    def _unlisted_in_lower_case(self, part: str) -> bool:
        """A word no list holds as a surname that may be one in a chat's lower case: four letters or more, no English
        word, no everyday word of the six languages, no common given name (`granatelli`; not `nueva`, `kommt`)."""
        return (len(part) >= 4 and part.isalpha() and part not in self._english and part not in self._everyday
                and not self._given.get(part, 0) & (WORD | TOP))

    def is_a_given_name(self, key: str) -> bool:
        """True if the folded word is a listed given name."""
        return key in self._given

    def is_an_english_word(self, key: str) -> bool:
        """True if the folded word is an English word (of data/english.txt), listed as a name or not."""
        return key in self._english

    def lists_a_name(self, words: list[str]) -> bool:
        """True if some word is a listed given name or surname that is not also an English word."""
        for word in words:
            key = fold(word)
            flags = self._given.get(key, self._surnames.get(key))
            if flags is not None and not flags & WORD and key not in _PARTICLES:
                return True
        return False

    def find(self, text: str) -> list[tuple[int, int]]:
        found = set(self._written(text)) | set(self._slugs(text)) | set(self._file_names(text))
        if "/" in text and (_PEOPLE_SEGMENT.search(text) or _PEOPLE_SEGMENT_FIRST.match(text)
                           or _a_line_starts_a_people_path(text)):
            found |= set(self._people_paths(text)) | set(self._glued_handles(text)) | set(self._initialled(text))
            found |= set(self._people_segments(text))
        if "/" in text and _TEAM_PAGE.search(text):
            found |= set(self._team_pages(text))
        return _outermost(found)

    # -- a name as people write it ---------------------------------------------------------------------------------

    def _is_given(self, token: _Token) -> bool:
        # the look-up first: most words are no given name, and `capitalised` costs a call
        key, given = token.key, self._given
        if key in given:
            return token.capitalised
        return "-" in key and all(part in given for part in key.split("-")) and token.capitalised

    def _written(self, text: str) -> Iterator[tuple[int, int]]:
        tokens = _tokens(text)
        given, paired = self._given, self._paired
        after = 0  # the token after the last name found: no name starts inside another
        for i, token in enumerate(tokens):
            key = token.key
            # a name starts at a listed given name (or a hyphenated one): most words are none, and are not tried
            if i < after or not (key in given or key in paired or "-" in key):
                continue
            found = self._name_at(text, tokens, i)
            if found is not None:
                end_index, start, end = found
                yield start, end
                after = end_index + 1
        yield from self._surname_first(text, tokens)
        yield from self._given_names_alone(text, tokens)
        yield from self._surname_before_given(text, tokens)
        yield from self._initial_and_surname(text)
        if _GIVEN_INITIAL.search(text) is not None:
            yield from self._given_and_initial(text, tokens)

    def _given_names_alone(self, text: str, tokens: list[_Token]) -> Iterator[tuple[int, int]]:
        """A given name and a surname that is a rarer given name as well (`Laura Sauli`, `Franck Morvan`, `Anouk
        Hervé`), as a whole value or a whole part of a page's title (`Franck Morvan | Acme`, `Profile – Marie Blin`):
        in running text two given names are as often one person's first names, but a title or a button names a
        person by the full name. Neither word a word of some language, a place's or a company's; the second no
        common given name (`Maria Luisa`, `Jean Pierre`, `Marie Claire` stay)."""
        given = self._given
        for first, second in itertools.pairwise(tokens):
            first_flags, flags = given.get(first.key, WORD), given.get(second.key, WORD)
            if first_flags & WORD or flags & (WORD | TOP) or text[first.end : second.start] != " ":
                continue
            if not (first.capitalised and second.capitalised and len(second.key) >= 3 and second.key.isalpha()):
                continue
            if (first.key in self._english or second.key in self._english or second.key in _NOT_SURNAMES
                    or first.key in _NOT_BEFORE_SURNAME_KEYS or a_firm_word(second.key)
                    or a_place(first.key) or a_place(second.key)):
                continue
            if _alone_or_noted(text, first.start, second.end) or _a_title_part(text, first.start, second.end):
                yield first.start, second.end

    def _initial_and_surname(self, text: str) -> Iterator[tuple[int, int]]:
        """An initial and a listed surname that is not a word (`J. Smith` is not, `A. Müller`, `M. Dupont` are)."""
        if _INITIAL_DOT.search(text) is None:
            return
        for m in _INITIAL.finditer(text):
            key = fold(m.group(1))
            flags = next((self._surnames[p] for p in key.split("-") if p in self._surnames), None)
            if flags is not None and not flags & WORD and key not in _NOT_A_PERSON_AFTER and key not in _NOT_SURNAMES:
                yield m.start(), m.end()

    def _given_and_initial(self, text: str, tokens: list[_Token]) -> Iterator[tuple[int, int]]:
        """A given name and the initial of a surname, as support tools, reviews and chats shorten a person (`Lisa H.
        reports`, `Overleg met Khaled A.`, `signalé par Hugues G.`), with the initial's dot: a listed given name that
        is no word of any list, no interface word, month, greeting or place's, firm's or title's word, and not after
        a place's first word (`San Marco B.`). `Plan B.`, `Version A.`, `Vitamin D.` name no one. A second initial
        after it (`Anna B. C.`) is left to the other rules."""
        for i in range(1, len(tokens)):
            given, initial = tokens[i - 1], tokens[i]
            if len(initial.text) != 1 or not initial.text.isupper() or text[given.end : initial.start] != " ":
                continue
            if _AN_INITIAL_ENDS.match(text, initial.end) is None:
                continue
            if not self._a_given_name_alone(given):
                continue
            before = tokens[i - 2] if i >= 2 else None
            if (before is not None and before.key in _BEFORE_PLACE and _joined(text, tokens, i - 2)
                    and (before.capitalised or before.key not in _ALSO_A_PREPOSITION)):
                continue  # `San Marco B.`, not `via Ishaan K.`
            yield given.start, initial.end + 1

    def _a_given_name_alone(self, given: _Token) -> bool:
        """A capitalised listed given name that is no word of any list, no interface word, no month's, greeting's,
        place's, firm's or title's word: a person's though no surname follows it."""
        key = given.key
        flags = self._given.get(key)
        return not (flags is None or flags & WORD or not given.capitalised or given.text.isupper()
                    or key in self._english or key in _NOT_BEFORE_SURNAME_KEYS or key in UI_WORDS
                    or a_place(key) or a_firm_word(key))

    def _name_at(self, text: str, tokens: list[_Token], i: int) -> tuple[int, int, int] | None:
        """(index of the last token, start, end) of a name starting at token i, or None."""
        first = tokens[i]
        if not self._starts_a_name(text, tokens, i):
            return None
        # A name is a few words: each start reads at most _LONGEST_NAME tokens, so that a run of words that could
        # each start a name (`Anna De De De …`, 700 of them) is read in linear time, not once from each of its words.
        stop = min(len(tokens), i + _LONGEST_NAME)
        j = self._after_given_names(text, tokens, i + 1, stop)
        particles = []
        while j < stop and _joined(text, tokens, j - 1) and tokens[j].key in _PARTICLES:
            particles.append(tokens[j].key)
            j += 1
        if j >= stop or not _joined(text, tokens, j - 1) or not tokens[j].capitalised:
            return None
        if not self._pair(first.key.split("-")[0], tokens[j].key, particles):
            return None
        if not self._is_given(first) and not particles and not self._after_paired(first.key, tokens[j].key):
            return None  # a given name of the pairs-only tier: before a surname that is no word only
        while j + 1 < stop and _joined(text, tokens, j) and self._second_surname(tokens[j + 1]):
            j += 1  # María García López
        j = self._particled_surname_after(text, tokens, j, stop)  # Yasmin Gepa van Bourgondië
        if _a_firm_or_place(text, tokens, j):
            return None
        if _AND.match(text, tokens[j].end) and not self._name_follows(text, tokens, j):
            return None
        return j, first.start, tokens[j].end

    def _particled_surname_after(self, text: str, tokens: list[_Token], j: int, stop: int) -> int:
        """The index of a second surname with its particles after the surname at token j (`Jort Pieters van der Maes`,
        `Yasmin Gepa van Bourgondië`, `José Ortega y Gasset` is not: `y` joins), or j: particles in lower case, joined,
        then a capitalised word that no capitalised word follows and that is no English word (unless a listed surname
        that is no word), no company's, place's or month's word (`Anna Schmidt van Philips Benelux`, `Jan Smit van de
        Gemeente`, `Marco Rossi di Milano` stay as they were)."""
        k = j + 1
        while k < stop and _joined(text, tokens, k - 1) and tokens[k].key in _PARTICLES and tokens[k].text.islower() \
                and tokens[k].key not in _CONNECTIVES:
            k += 1
        if k == j + 1 or k >= stop or not _joined(text, tokens, k - 1) or not tokens[k].capitalised:
            return j
        if _capitalised_after(text, tokens, k):
            return j  # more capitalised words: a firm's or a place's name (`van de Rabobank Utrecht`)
        return k if self._a_second_surname(tokens[k].key) else j

    def _a_second_surname(self, key: str) -> bool:
        """A word after a surname and particles that is a second surname: no English word unless a listed surname
        that is no word, no company's, place's, month's or public body's word (`van Philips`, `di Milano`, `van de
        Gemeente`)."""
        flags = self._surnames.get(key)
        return not (len(key) < 3 or (key in self._english and (flags is None or flags & WORD)) or a_firm_word(key)
                    or a_place(key) or key in _MONTHS or key in _NOT_SURNAMES or key in UI_WORDS
                    or key.endswith(_BODIES))

    def _after_paired(self, given: str, surname: str) -> bool:
        """True if `surname` may follow `given`, a given name of the pairs-only tier: a listed surname that is no
        word, or an unlisted one of four letters or more (`Giacinto Parri`, `Joep Heijmen`; _pair has checked that it
        is no English word and no given name) that is not one of that tier either, after a given name that is no
        article, title or word of a place's or a company's name (`La Poste`, `Don Camillo`)."""
        flags = self._surnames.get(surname)
        if flags is None:
            return (len(surname) >= 4 and surname not in self._paired and len(given) >= 3
                    and given not in self._english and not any(given in words for words in _NOT_BEFORE_SURNAME))
        return not flags & WORD

    def _name_follows(self, text: str, tokens: list[_Token], j: int) -> bool:
        """True if a person's name follows `and`/`&` after token j: Femke Smit and Bram de Jong, not Marks and
        Spencer."""
        k = j + 2 if j + 1 < len(tokens) and tokens[j + 1].key == "and" else j + 1
        return k < len(tokens) and self._name_at(text, tokens, k) is not None

    def _starts_a_name(self, text: str, tokens: list[_Token], i: int) -> bool:
        """A given name, not a place word (San, Santa) and not after one (Rue Victor Hugo)."""
        first = tokens[i]
        given = self._is_given(first) or (first.key in self._paired and first.capitalised)
        if first.key in _GREETING_OR_THANKS and i + 1 < len(tokens) and _joined(text, tokens, i) \
                and self._is_given(tokens[i + 1]):
            return False  # `Merci Olivier van den Gorp`, `Hallo Jan Smit`: a greeting or thanks, then the name
        return given and first.key not in _BEFORE_PLACE and first.key not in _FUNCTION_WORDS and not (
            i > 0 and tokens[i - 1].key in _BEFORE_PLACE and _joined(text, tokens, i - 1)
            and (tokens[i - 1].capitalised or tokens[i - 1].key not in _ALSO_A_PREPOSITION))

    def _after_given_names(self, text: str, tokens: list[_Token], j: int, stop: int) -> int:
        """The index after middle names and initials (Mary Ann Smith, John F. Kennedy), from token j, before `stop`;
        not past a surname that is a given name as well before a generation or a degree (`Brian Chavez DDS`, `Jordan
        Lee Jr.`, `Hannah Adler B.Sc.`)."""
        first = j
        while j < stop and _joined(text, tokens, j - 1) and (
                (len(tokens[j].text) == 1 and tokens[j].text.isupper()) or
                (self._is_given(tokens[j]) and j + 1 < stop and _joined(text, tokens, j)
                 and tokens[j + 1].capitalised and _DEGREE.match(text, tokens[j].end) is None)):
            j += 1
        return j - 1 if first < j < stop and tokens[j].key in _NAME_SUFFIXES else j

    def _second_surname(self, token: _Token) -> bool:
        flags = self._surnames.get(token.key)
        return (token.capitalised and flags is not None and not flags & WORD and token.key not in _NOT_SURNAMES
                and token.key not in _NOT_A_PERSON_AFTER)  # Evrard Odore SAS: a company form, not a second surname

    def _pair(self, given: str, surname: str, particles: list[str]) -> bool:
        if surname in _NOT_SURNAMES:
            return False
        if particles:
            return len(surname) >= 2  # Anna van der Berg: the particle says it is a family name
        flags = next((self._surnames[part] for part in surname.split("-") if part in self._surnames), None)
        given_flags = self._given.get(given, 0)
        if flags is None:  # García-López counts by either part
            return self._unlisted_surname(given, given_flags, surname)
        if not (given_flags & WORD and flags & WORD):
            return True
        return bool(given_flags & flags & TOP) and not (given in UI_WORDS and surname in UI_WORDS)

    def _unlisted_surname(self, given: str, given_flags: int, surname: str) -> bool:
        """A surname not on the list counts all the same if no part of it is a word or a given name that is common or
        an everyday word (Anna Sophie, Maria Luisa are two given names, Florence Italy a place; the lists count many
        surnames as seldom given names too: Fatima Bouzid, Deniz Özkan): Anna Oosterhuis, Imke Meijer-Huijben, not
        Alexa Skills. After a given name that is also a
        word (Dirk, Mats, Flora), only a longer one, and not after a word that interfaces use: Dirk Tielemans, Flora
        Babbo, not
        Max Einstellungen. Never after a month (June Rabatt, April Angebote are campaigns)."""
        parts = surname.split("-")
        given_names, everyday = self._given, self._everyday
        if not all(len(p) >= 3 and p.isalpha() and p not in self._english
                   and (p not in given_names or not (given_names[p] & (WORD | TOP) or p in everyday)) for p in parts):
            return False
        if given in _MONTHS or given in ARTICLES:
            return False  # `Le Monde a écrit`: `Le` is also a listed given name
        return not given_flags & WORD or (len(surname) >= 5 and not any(given in w for w in _NOT_BEFORE_SURNAME))

    def _surname_first(self, text: str, tokens: list[_Token]) -> Iterator[tuple[int, int]]:
        """`Doe, Jane` alone on its line (a whole value, or before a note in brackets: `Doe, Jane (Sales)`) or as a
        part of a page title (`Doe, Jane – Contact | CRM`), with the surname's particles (`van Loon, Alex`) and a
        second given name (`Pacheco, María Ángeles`); in running text only when neither is a word and the surname is
        listed (`Schmidt, Anna hat angerufen`). As a whole value, also a given name that names a place too, after a
        listed surname (`Vidal, Virginia`)."""
        paired = self._paired
        for i, (surname, given) in enumerate(itertools.pairwise(tokens)):
            # the look-up first: most words are no given name, and the slice and its strip cost more
            if not (self._is_given(given) or (given.key in paired and given.capitalised)):
                continue
            k = _before_a_generation(text, tokens, i, given)  # `Smith Jr., John`: the surname before `Jr.`
            if k == i and text[surname.end : given.start].strip() != ",":
                continue
            surname = tokens[k]
            if self._a_place_or_a_greeting_first(surname, given):
                continue
            place = given.key in PLACES_NAMED_LIKE_PEOPLE
            first, start, particles, end = self._surname_first_span(text, tokens, k, i)
            if _alone_or_noted(text, start, end) or _a_title_part(text, start, end):
                if self._inverted_pair(given, surname, particles, text[start].isupper()):
                    yield start, end
                    continue
                if _a_place_pair(given, surname):
                    continue  # a whole value is read no less than running text (`Eren, Murat`), a place's aside
            if place:
                continue  # in running text, `Lynchburg, Virginia` is a place
            lower_particles = particles and text[start].islower()
            if self._in_running_text(surname, given, lower_particles) and \
                    not self._in_a_list_of_names(text, tokens, first, i + 1 if end == given.end else i + 2):
                yield start, end

    def _a_place_or_a_greeting_first(self, surname: _Token, given: _Token) -> bool:
        """True if `Word, Given` is no person's name however it stands: a word in lower case, a place's name or a
        greeting first (`Paris, France`, `Danke, Anna`), or a place's after a place (`Amman, Jordan`, `Tbilisi,
        Georgia`)."""
        if not surname.capitalised or surname.key in PLACES_NAMED_LIKE_PEOPLE or surname.key in _BEFORE_A_COMMA:
            return True
        return given.key in PLACES_NAMED_LIKE_PEOPLE and not self._a_person_named_like_a_place(given.key, surname.key)

    def _a_person_named_like_a_place(self, given: str, key: str) -> bool:
        """True if `Surname, Given` whose given name names a region or a city too names a person: after a listed
        surname that names no place, no company and is no common given name (`Vidal, Virginia`, `Ellis, Victoria`;
        not `Richmond, Virginia`, `North Sarah, Georgia`), and never before a country's name (`Amman, Jordan`): the
        folded given name and surname."""
        return (given not in _COUNTRIES_NAMED_LIKE_PEOPLE and given not in COUNTRIES and key in self._surnames
                and not a_place(key) and key not in _CITIES_IN_REGIONS_NAMED_LIKE_PEOPLE and not a_firm_word(key)
                and not self._given.get(key, 0) & TOP)

    def _surname_first_span(self, text: str, tokens: list[_Token], k: int, i: int) -> tuple[int, int, bool, int]:
        """The first token, the start, whether it has particles, and the end of `Surname, Given` whose surname is
        token k and whose given name is token i + 1: with the surname's particles or a first surname (`Diéguez
        Duarte, Clarisa`), a second given name and a middle initial (`Smith, John A.`)."""
        first, start, particles = self._surname_start(text, tokens, k)
        end = self._given_names_end(text, tokens, i + 1)
        if (initial := _A_MIDDLE_INITIAL.match(text, end)) is not None:
            end = initial.end()
        if first == k and not particles and self._a_double_surname(text, tokens, k, end):
            first, start = k - 1, tokens[k - 1].start
        return first, start, particles, end

    def _in_running_text(self, surname: _Token, given: _Token, lower_particles: bool) -> bool:
        """`Surname, Given` in running text (_surname_first), the surname after particles in lower case or not."""
        if lower_particles and self._after_particles(surname, given):
            return True
        return self._is_given(given) and (self._plain_pair(given.key, surname.key)
                                          or self._unlisted_before_given(surname, given)
                                          or self._word_surname_before_given(surname, given))

    def _after_particles(self, surname: _Token, given: _Token) -> bool:
        """`call van Loon, Lize`, `ask de Kok, Jasmijn`: in running text, after particles in lower case, a surname that
        is listed or that is no English or everyday word (`von Zuhause`, `de Ventas` are words after a preposition),
        no word interfaces use, no company's or place's word, before a capitalised given name that is no word."""
        key = surname.key
        if not (key in self._surnames or (key not in self._english and key not in self._everyday)):
            return False
        return (given.capitalised and not self._given.get(given.key, 0) & WORD and key not in UI_WORDS
                and key not in _NOT_SURNAMES and key not in _BEFORE_PLACE and not a_firm_word(key)
                and not _a_place_pair(given, surname))

    @staticmethod
    def _particles_before(text: str, tokens: list[_Token], i: int) -> tuple[int, bool]:
        """The start of a surname at token i with the particles before it (`van de Elzas`, `De Oliveira`), and
        whether it has any: lower-case ones, or capitalised at the start of its line."""
        j = i
        while j > 0 and tokens[j - 1].key in _PARTICLES and _joined(text, tokens, j - 1) and (
                tokens[j - 1].text.islower()
                or text[text.rfind("\n", 0, tokens[j - 1].start) + 1 : tokens[j - 1].start].strip() == ""):
            j -= 1
        return tokens[j].start, j < i

    def _given_names_end(self, text: str, tokens: list[_Token], i: int) -> int:
        """The end of the given name at token i, or of the second given name after it (`María Ángeles`)."""
        if i + 1 < len(tokens) and _joined(text, tokens, i) and self._is_given(tokens[i + 1]):
            return tokens[i + 1].end
        return tokens[i].end

    def _inverted_pair(self, given: _Token, surname: _Token, particles: bool, capitalised: bool) -> bool:
        """`Surname, Given` as a whole value: a pair as written the other way round (_pair), or any surname after
        particles in lower case (`van Loon, Alex`) and a listed one after capitalised particles (`De Almeida, Rui`;
        not `Van Nuys, California`), never before a region's, a city's or a country's name, or before a given name
        of the pairs-only tier a listed surname that is no word nor a given name (`Benthin, Hildegart`; not `Clair,
        Bleu`)."""
        if not given.capitalised or (_a_place_pair(given, surname)
                                     and not self._a_person_named_like_a_place(given.key, surname.key)):
            return False  # `Del Mar, California`, `La Fenice, Venezia`
        if particles:
            # after a capitalised particle at the line's start, a listed surname only: `Van Nuys, California`
            listed = surname.key in self._surnames or not capitalised
            return (listed and len(surname.key) >= 2 and surname.key not in _NOT_SURNAMES
                    and surname.key not in _BEFORE_PLACE)
        if given.key in self._paired and given.key not in self._given:  # a listed surname only: not `Poudre, Bleu`
            flags = self._surnames.get(surname.key)
            return (flags is not None and not flags & WORD and surname.key not in self._given
                    and self._pair(given.key, surname.key, []))
        return self._pair(given.key.split("-")[0], surname.key, [])

    def _word_surname_before_given(self, surname: _Token, given: _Token) -> bool:
        """`Hill, Anna` in running text: a listed surname that is an English word, before a listed given name that is
        not, or that is one of the commonest after one of the commonest surnames (`Smith, John`), when the surname is
        not a word that starts an answer or a clause (`Yes, Anna`, `Well, Maria`). A word that interfaces use only as
        one of the commonest surnames that is no common given name (`White, Jessica`, `Young, Daniel`; not `Max,
        Anna`, `Mark, Julia`: a list of given names)."""
        flags, given_flags = self._surnames.get(surname.key), self._given.get(given.key)
        if flags is None or given_flags is None:
            return False
        if given_flags & WORD and not (given_flags & flags & TOP and given.key not in UI_WORDS):
            return False
        if surname.key in UI_WORDS and not (flags & TOP and not self._given.get(surname.key, 0) & TOP):
            return False
        return (len(surname.key) >= 3 and surname.key not in _CLAUSE_WORDS and surname.key not in _MONTHS
                and surname.key not in _NOT_A_PERSON_AFTER and surname.key not in _BEFORE_PLACE)

    def _unlisted_before_given(self, surname: _Token, given: _Token) -> bool:
        """`Kallweit, Ortwin` in running text: a capitalised word of four letters or more that is no listed surname
        nor common given name (`Bouzid, Fatima`), no English word and no word that ends a greeting, a thanks or a
        date with a comma (`Danke, Anna`, `Montag, Anna`), before a listed given name that is not a word; hyphenated
        too, of parts of two letters or more that are no English word (`El-Amrani, Samir`; not `Check-In, Anna`).
        (Everyday words of the other languages are not left out: many surnames are one, `Canali`, `Blanes`.)"""
        key = surname.key
        parts = key.split("-")
        return (len(key) >= 4 and all(len(p) >= 2 and p.isalpha() and p not in self._english for p in parts)
                and key not in self._surnames
                and not self._given.get(key, 0) & (WORD | TOP)
                and key not in self._english and key not in _MONTHS
                and key not in PLACES_NAMED_LIKE_PEOPLE and key not in _NOT_A_PERSON_AFTER
                and key not in _ORGANISATION_WORDS and not self._given.get(given.key, WORD) & WORD)

    def _surname_before_given(self, text: str, tokens: list[_Token]) -> Iterator[tuple[int, int]]:
        """A surname and then a given name, as registers and forms write them (`Rossi Mario`, `DUPONT Jean`,
        `Schmidt Anna`): a listed surname that is neither a word nor a given name, then a listed given name that is
        not a word, and no other capitalised word joined to either (`Anna Schmidt Maria`: the end of one name); the
        surname in capitals, or the pair a whole value or a part of a title."""
        surnames, given_names = self._surnames, self._given
        keys = [token.key for token in tokens]
        # the look-ups first, in one pass: most pairs of words are no surname and given name, and cost no more
        for i in [i for i in range(len(keys) - 1) if keys[i] in surnames and keys[i + 1] in given_names]:
            surname, given = tokens[i], tokens[i + 1]
            flags, given_flags = surnames[surname.key], given_names[given.key]
            if ((flags | given_flags) & WORD or surname.key in given_names
                    or surname.key in self._english or given.key in self._english
                    or surname.key in PLACES_NAMED_LIKE_PEOPLE or surname.key in _NOT_A_PERSON_AFTER):
                continue
            if not (surname.capitalised and given.capitalised and _joined(text, tokens, i)):
                continue
            if not (surname.text.isupper() or _alone(text, surname.start, given.end)
                    or _a_title_part(text, surname.start, given.end)):
                continue  # in running text, `Renault Clio` and `Opel Astra` are cars
            if not self._in_a_list(text, tokens, i) and not _a_firm_or_place(text, tokens, i + 1):
                yield surname.start, given.end
        yield from self._capitals_before_given(text, tokens)

    def _capitals_before_given(self, text: str, tokens: list[_Token]) -> Iterator[tuple[int, int]]:
        """A surname in capitals that no list need hold before a listed given name, as registers, badges and French
        and Italian forms write them (`GENEART Esmée`, `LEONCAVALLO Filippo`, `Lunch ÇETIN Gökhan`): a word in capitals
        of five letters or more (an acronym is shorter: `CRM Anna`) that is no English word, no everyday word of the
        six languages (a label: `HINWEIS Anna`, `ATTENZIONE Marco`), no given name and no company's, place's or
        month's word, then a capitalised given name that is no word, and no capitalised word
        after it but a second given name (`CASALS María Belén`)."""
        given_names, surnames = self._given, self._surnames
        for i in range(len(tokens) - 1):
            surname, given = tokens[i], tokens[i + 1]
            if not (surname.text.isupper() and given.key in given_names
                    and len(surname.key) >= (3 if surname.key in surnames else 5)):
                continue
            if (given_names[given.key] & WORD or given.key in self._english or given.text.isupper()
                    or not given.capitalised or not self._a_surname_in_capitals(surname.key)
                    or not _joined(text, tokens, i)):
                continue
            end = self._given_names_end(text, tokens, i + 1)
            j = i + 2 if end == given.end else i + 3
            if _capitalised_after(text, tokens, j - 1):
                continue  # `SIEMENS Anna Tower`: more capitalised words, a name of something
            yield surname.start, end

    def _a_surname_in_capitals(self, key: str) -> bool:
        """A word written in capitals that may be a surname no list holds: no English or everyday word (a label:
        `HINWEIS`), no given name, no company's, place's or month's word; a listed surname that is no common given
        name counts if it is one of the commonest or no word (`SMITH Gareth`, `OSBORNE Amelia`, `HUET Céline`)."""
        if (key in self._paired or not key.replace("-", "").isalpha() or a_firm_word(key) or a_place(key)
                or key in _MONTHS or key in _NOT_SURNAMES or key in UI_WORDS):
            return False
        flags = self._surnames.get(key)
        if flags is not None and not self._given.get(key, 0) & TOP:
            return bool(flags & TOP) or not (flags & WORD or key in self._english or key in self._everyday)
        return not (key in self._english or key in self._everyday or key in self._given)

    def _in_a_list(self, text: str, tokens: list[_Token], i: int) -> bool:
        """True if tokens i and i + 1 (`Mulder, Femke`) are the end of one name and the start of the next in a list of
        names (`Ruud Mulder, Femke Smit`): a capitalised word joined before the surname or after the given name."""
        return _capitalised_before(text, tokens, i) or _capitalised_after(text, tokens, i + 1)

    def _surname_start(self, text: str, tokens: list[_Token], i: int) -> tuple[int, int, bool]:
        """The first token and the start of the surname at token i, with its particles (`van Loon`) or a first surname
        (`García López`), and whether it has particles."""
        start, particles = self._particles_before(text, tokens, i)
        if not particles and self._a_first_surname(text, tokens, i):
            return i - 1, tokens[i - 1].start, False
        return i, start, particles

    def _a_first_surname(self, text: str, tokens: list[_Token], i: int) -> bool:
        """True if the word before the surname at token i is a first surname (`García López, María José`): one of the
        commonest surnames, no word, no article or particle (`Le Monde, Marie`: `Le` is a common surname too) and no
        common given name."""
        if i == 0 or not tokens[i - 1].capitalised or not _joined(text, tokens, i - 1):
            return False
        key = tokens[i - 1].key
        if key in ARTICLES or key in _PARTICLES:
            return False
        flags = self._surnames.get(key, WORD)
        return bool(flags & TOP) and not flags & WORD and not self._given.get(key, 0) & (WORD | TOP)

    def _a_double_surname(self, text: str, tokens: list[_Token], i: int, end: int) -> bool:
        """True if the word before the surname at token i is a first surname of `Surname Surname, Given` that is a
        whole value or a title's part up to `end` (`Diéguez Duarte, Clarisa`, `Keudel Löchel, Liselotte`): a
        capitalised word joined to it that is a listed surname but no word, or a word of four letters or more that no
        list holds and that is no English word; no everyday word of the six languages (`Kunde Schmidt, Anna`), no
        common given name, article or particle, nor a company's, a place's, a month's or an interface's word."""
        if i == 0 or not tokens[i - 1].capitalised or not _joined(text, tokens, i - 1):
            return False
        before = tokens[i - 1]
        if not (_alone_or_noted(text, before.start, end) or _a_title_part(text, before.start, end)):
            return False
        key = before.key
        flags = self._surnames.get(key)
        if flags is None:
            if not all(len(part) >= 4 and part.isalpha() and part not in self._english for part in key.split("-")):
                return False
        elif flags & WORD or key in self._english:
            return False
        return not (self._given.get(key, 0) & (WORD | TOP) or key in self._everyday or key in ARTICLES
                    or key in _PARTICLES or key in _NO_NAME_BESIDE_AN_INITIAL or key in UI_WORDS or a_place(key)
                    or a_firm_word(key))

    def _in_a_list_of_names(self, text: str, tokens: list[_Token], i: int, last: int) -> bool:
        """_in_a_list for `Surname, Given` in running text (the surname at token i, the given names end at token
        `last`: `Schmidt, Anna Maria`), where a capitalised word before the surname that is a word and no given name
        (a button's verb, a calendar entry's meal, a German noun: `Bel Malinowski, Michał`, `Comida Öztürk, Emre`,
        `Rückruf Kallweit, Ortwin`) starts no list (`Ruud Mulder, Femke`): a word of the six languages, and no word
        of a company's or place's name (`Deutsche Bank, Anna` is a branch's)."""
        if _capitalised_after(text, tokens, last):
            return True
        if not _capitalised_before(text, tokens, i):
            return False
        return not self._a_word_before_a_name(tokens[i - 1].key) or a_firm_word(tokens[i].key) or a_place(tokens[i].key)

    def _a_word_before_a_name(self, key: str) -> bool:
        """True if the folded word is an English or everyday word that the given-name lists hold, if at all, as a word
        too (surnames may be words: many everyday words of one language are a surname somewhere, `Bel`, `Kosten`),
        and no article or particle: those start the name of a newspaper, a hotel, a theatre (`Le Monde, Marie`,
        `Die Zeit, Anna`, `La Fenice, Venezia`) or a surname."""
        if not (key in self._english or key in self._everyday) or a_firm_word(key) or a_place(key):
            return False
        if key in ARTICLES or key in _PARTICLES:
            return False
        return self._given.get(key, WORD) & WORD != 0

    # -- a name as URLs and search boxes write it --------------------------------------------------------------------

    def _people_paths(self, text: str) -> Iterator[tuple[int, int]]:
        """A slug after a collection of people (`/team/goffredo-germano`, `/avatars/mark-wood.png`): a person, listed
        or not, unless it reads as an interface's words (`/team/new-members`, `/customers/bill-payment`): no word of a
        company's name, and no English word but listed names after a listed given name."""
        if "/" not in text:
            return
        found = [(m.span(1), re.split(r"[-_. +]", m.group(1))) for m in _PEOPLE_PATH.finditer(text)]
        found += [((m.start(1), m.end(2)), [m.group(1), m.group(2)]) for m in _PEOPLE_PATH_GLUED.finditer(text)]
        for span, parts in found:
            words = [w for w in (fold(w) for w in parts) if w not in _PARTICLES]
            if not words or any(w in _ORGANISATION_WORDS or w in _NOT_A_PERSON_AFTER for w in words):
                continue
            first = words[0] in self._given
            named = all(w not in self._english or (first and self._a_name_word(w))
                        for w in (words[1:] if first else words))
            if named or (len(words) == 2 and self._two_word_slug(words[0], words[1])):
                yield span

    def _people_segments(self, text: str) -> Iterator[tuple[int, int]]:
        """A name as two segments that end a path after a people segment (`/profile/cummings/jessica`,
        `/people/anna/schmidt`): a listed pair either way round (`_listed_pair_of_segments`), so that a collection's
        own pages (`/users/admin/settings`, `/team/sales/members`, `/contacts/import/csv`) stay."""
        for m in _PEOPLE_TWO_SEGMENTS.finditer(text):
            first, second = fold(m.group(1)), fold(m.group(2))
            if first == second or any(len(w) < 3 or w in _PARTICLES or w in _ORGANISATION_WORDS
                                      or w in _NOT_A_PERSON_AFTER or a_place(w) for w in (first, second)):
                continue  # `/users/en/anna`, `/team/berlin/anna`, `/users/paris/france`: a language's or a place's page
            if self._listed_pair_of_segments(first, second) or self._listed_pair_of_segments(second, first):
                yield m.start(1), m.end(2)

    def _listed_pair_of_segments(self, given: str, surname: str) -> bool:
        """Two path segments are a name only when both are listed: a given name that is no word and a surname that
        is no word, or both among the commonest (`_common_pair`); a word no list holds is as often a page's or a
        colour's in some language (`/team/violeta/sonrojado`, `/team/samen/laken`)."""
        given_flags, flags = self._given.get(given), self._surnames.get(surname)
        if given_flags is None or flags is None or given in _MONTHS:
            return False
        if not (given_flags | flags) & WORD and given not in self._english and surname not in self._english:
            return True
        return self._common_pair(given, surname)

    def _two_word_slug(self, first: str, second: str) -> bool:
        """A people segment's slug of two words that are English words (_people_paths): `/directory/hunt-julia`, a
        directory sorted by surname; `/mitarbeiter/james-walker`, a common name whose words are both English words;
        `/people/Ronald-Fisher`, read as `/people/ronald-fisher` is (_slugs)."""
        return (self._surname_then_given(first, second) or self._common_pair(first, second)
                or (first in self._given and self._slug_pair(first, second)))

    def _common_pair(self, given: str, surname: str) -> bool:
        """A given name and a surname both among the most common, after a collection of people, whose words are English
        words too (`/mitarbeiter/james-walker`, `/staff/david-baker`): neither a word interfaces use (`/team/max-price`,
        `/users/will-power`) nor a month, and the surname no given name as well (`frank-walker` stays)."""
        given_flags, flags = self._given.get(given, 0), self._surnames.get(surname, 0)
        return (bool(given_flags & TOP and flags & TOP) and given not in UI_WORDS and surname not in UI_WORDS
                and given not in _MONTHS and surname not in self._given)

    def _surname_then_given(self, surname: str, given: str) -> bool:
        """A surname and after it a listed given name that is no word: a listed surname that is no English word
        (`hunt-julia` is not one: `new-york`, `sales-julia` would be), one no list holds that is no word, given name or
        place (`dumas-margot`), or a common surname that is a word before a common given name (`walls-michael`)."""
        given_flags = self._given.get(given)
        if given_flags is None or given_flags & WORD or given in _MONTHS or surname in _PARTICLES:
            return False
        flags = self._surnames.get(surname)
        if flags is None:  # `/people/dumas-margot`: a surname no list holds, no word nor given name nor place
            return (len(surname) >= 4 and surname.isalpha() and surname not in self._english
                    and surname not in self._given and surname not in CITIES and surname not in COUNTRIES)
        if flags & WORD:  # `/staff/walls-michael`: a common surname that is a word, before a common given name
            return bool(flags & TOP and given_flags & TOP) and surname not in _BEFORE_A_COMMA
        return surname not in self._english

    def searched_name(self, words: list[str]) -> bool:
        """True if the words of a whole search (urls.py: `?q=Patrizia+Brunello`) are a name: a listed given name that
        is no word, particles, and a last word listed as a surname that is no word, or after particles any word but an
        English one; none a company's, a place's or an interface's word (`could_be_a_name`)."""
        keys = [fold(word) for word in words]
        given, surname = keys[0], keys[-1]
        if not all(key in _PARTICLES for key in keys[1:-1]) and len(keys) > 2:
            return False
        if self._given.get(given, WORD) & WORD or surname in _NOT_SURNAMES or surname in PLACES_NAMED_LIKE_PEOPLE:
            return False
        flags = self._surnames.get(surname)
        if flags is None:  # unlisted: only after particles (`Poncio de Amat`); `Vienna Austria` is a place
            if len(keys) < 3 or surname in self._english or len(surname) < 3 or surname in _PARTICLES:
                return False
        elif flags & WORD:
            return False
        return self.could_be_a_name(words)

    def searched_person(self, words: list[str]) -> bool:
        """True if the words of a whole search are a name by `searched_name`, or a listed given name that is no
        particle or article before words that are neither English words nor a company's or a place's
        (`given_before_unknown`: `?q=Yinthe+Huurdeman`, `?search=Margaud+Michel`; not `?q=El+Salvador`)."""
        if self.searched_name(words):
            return True
        first = fold(words[0])
        return (first not in _PARTICLES and first not in ARTICLES and self.given_before_unknown(words)
                and self.could_be_a_name(words))

    def named_by_role(self, words: list[str]) -> bool:
        """True if the words of a whole value that a role names (urls.py: `?assignee=Dex+Janssen`) are a person's:
        as a search's (`searched_person`), or a listed given name and a listed surname, words or not (`listed_pair`:
        `?owner=Carol+Bull`)."""
        if self.searched_person(words):
            return True
        # a given name that is an English word and no common given name is as often a surname or a thing's word
        # (`?assignee=Rogers+Ramp`): a listed pair only after a given name that is no word or a common one
        given_flags = self._given.get(fold(words[0]), 0)
        return (not given_flags & WORD or bool(given_flags & TOP)) and self.listed_pair(words)

    def _team_pages(self, text: str) -> Iterator[tuple[int, int]]:
        """A slug after a page of a company's people that starts with a listed given name and reads as a person's
        (as after a people segment): `/chi-siamo/liberto-solimena`, not `/ueber-uns/unsere-geschichte`."""
        for m in _TEAM_PAGE_PATH.finditer(text):
            words = [w for w in (fold(w) for w in re.split(r"[-_. +]", m.group(1))) if w not in _PARTICLES]
            # `ue`, `oe` and `ae` are how slugs write ü, ö and ä (`guenther-jacob`, `joerg-mueller`)
            first = words[0]
            if len(words) < 2 or not any(w in self._given or w in self._paired for w in (first, _UMLAUTS.sub(
                    lambda u: u.group()[0], first))):
                continue
            if any(w in _ORGANISATION_WORDS or w in _NOT_A_PERSON_AFTER for w in words):
                continue
            # a place (`/wiki/Santa_Clara`, `/wiki/San_Marino`, `/a-propos/paris-france`)
            if first in _BEFORE_PLACE or not (PLACES_NAMED_LIKE_PEOPLE.isdisjoint(words) and CITIES.isdisjoint(words)
                                              and COUNTRIES.isdisjoint(words)):
                continue
            if all(w not in self._english or self._a_name_word(w) for w in words[1:]):
                yield m.span(1)

    def _initialled(self, text: str) -> Iterator[tuple[int, int]]:
        """A listed surname that is no English word and an initial, after a people segment (`/profile/mueller_k`,
        `/u/j.dupont`, `/team/van_der_horst_s`, glued: `/u/lstephens`): the span of both."""
        for m in _SURNAME_INITIAL.finditer(text):
            group = 1 if m.group(1) else 2
            words = [fold(w) for w in re.split(r"[-_.]", m.group(group))]
            surname = words[-1]
            flags = self._surnames.get(surname)
            if (flags is None or flags & WORD or surname in self._english
                    or not all(w in _PARTICLES for w in words[:-1])):
                continue
            yield (m.start(1), m.end(1) + 2) if group == 1 else (m.start(2) - 2, m.end(2))
        for m in _INITIAL_GLUED.finditer(text):
            # `/u/lstephens`; not `/u/admin`, `/team/alpha`, `/members/bjones` where `bjones` is itself listed
            surname, whole = m.group(1).lower(), text[m.start(1) - 1 : m.end(1)].lower()
            flags = self._surnames.get(surname)
            if (flags is not None and not flags & WORD and surname not in self._english
                    and whole not in self._english and whole not in self._given and whole not in self._surnames):
                yield m.start(1) - 1, m.end(1)

    def _glued_handles(self, text: str) -> Iterator[tuple[int, int]]:
        """`/u/pierredurand` after a people segment: a listed given name and a listed surname glued in lower case that
        make a pair as written names do (not both words unless both common names), the whole no given name or English
        word (`/u/alexander`, `/team/marketing`)."""
        if "/" not in text:
            return
        for m in _GLUED_HANDLE.finditer(text):
            word = m.group(1)
            if word in self._given or word in self._english:
                continue
            for i in range(3, len(word) - 2):
                given, surname = word[:i], word[i:]
                given_flags, flags = self._given.get(given), self._surnames.get(surname)
                if (given_flags is not None and flags is not None and given not in _PARTICLES
                        and ((not (surname in self._given and (given_flags | flags) & WORD)
                              and self._pair(given, surname, []))
                             or self._common_glued(given, surname))):
                    yield m.span(1)
                    break
            else:
                if self._glued_to_unlisted(word):
                    yield m.span(1)

    def _common_glued(self, given: str, surname: str) -> bool:
        """`/people/tylersmith`, `/authors/patrickmartin`: a common given name that is no word glued to a common
        surname, not a word interfaces use (`/users/markpage`)."""
        given_flags, flags = self._given.get(given, WORD), self._surnames.get(surname, 0)
        return (not given_flags & WORD and bool(given_flags & TOP and flags & TOP) and surname not in UI_WORDS
                and given not in _MONTHS)

    def _glued_to_unlisted(self, word: str) -> bool:
        """`/author/juliustotwiller`: a listed given name of four letters or more that is no word, glued to a surname
        no list holds, of four letters or more and no English word, given name or surname (`/u/annamaria`,
        `/team/markdown`, `/users/evasettings` stay), the whole no surname or place (`/u/danielsen`)."""
        if word in self._surnames or word in CITIES or word in PLACES_NAMED_LIKE_PEOPLE:
            return False
        for i in range(len(word) - 4, 3, -1):  # the longest given name first: `madeleine|guibert`, not `made|…`
            given, surname = word[:i], word[i:]
            given_flags = self._given.get(given)
            if given_flags is None or given_flags & WORD or given in UI_WORDS or given in _MONTHS:
                continue
            return not (surname in self._english or surname in self._given or surname in self._surnames
                        or surname in _ORGANISATION_WORDS or surname in UI_WORDS
                        or any(surname.startswith(w) or surname.endswith(w) for w in _INTERFACE_ENDS)
                        or self._listed_words(surname) or self._listed_words(surname.removeprefix("s")))
        return False

    def _listed_words(self, glued: str) -> bool:
        """`glued` is English words run together, after a surname or not (`kitchen`, `skincare`, `smithinstitute`):
        what follows a given name in a shop's or a brand's handle (`/authors/emmaskitchen`, `/u/victoriassecret`; the
        caller takes the possessive `s` off). Words of four letters or more, so that a surname no list holds seldom
        splits so (`bellucci`, `vanderleek` do not)."""
        starts = {0} | {stop for stop in range(4, len(glued)) if glued[:stop] in self._surnames}
        worded: set[int] = set()  # where a split that ends with an English word may end
        for stop in range(4, len(glued) + 1):
            if any(glued[start:stop] in self._english for start in starts | worded if stop - start >= 4):
                worded.add(stop)
        return len(glued) in worded

    def _file_names(self, text: str) -> Iterator[tuple[int, int]]:
        """A photo, a CV or a contact card named after someone (`anna_schmidt.jpg`, `Anna-Schmidt.pdf`): a listed
        given name and a listed surname, words or not but not two words interfaces use (`josh_brown.png`; not
        `ferrari_testarossa.jpg`), or two words that are a name as a slug's are (`_slug_pair`), in capitals too
        (`Luzie_Gröttner.jpg` as `luzie_grottner.jpg` is)."""
        if _FILE_EXTENSION.search(text) is None:
            return
        for m in _FILE_NAME.finditer(text):
            given, surname = fold(m.group(1)), fold(m.group(2))
            if given in _PARTICLES or surname in _PARTICLES or surname in _NOT_SURNAMES:
                continue
            if ((given in self._given and surname in self._surnames and not (given in UI_WORDS and surname in UI_WORDS))
                    or (self._slug_pair(given, surname) and not a_place(given) and not a_place(surname))):
                yield m.start(), m.end(2)
        yield from self._named_files(text)

    def _named_files(self, text: str) -> Iterator[tuple[int, int]]:
        """A name among other words of a file's name (`Lebenslauf_Dina_Golino.pdf`, `cv-anna-schmidt-2024.pdf`,
        `Anna_Schmidt_headshot.jpg`): two adjacent words that are a listed given name and a surname as a slug's are
        (`_slug_pair`), not both words of some language."""
        for ext in _FILE_EXTENSION.finditer(text):
            start = max(text.rfind(c, 0, ext.start()) for c in "/ =\t\n") + 1
            words = list(_FILE_WORD.finditer(text, start, ext.start()))
            if len(words) < 3 or len(words) > 8:
                continue  # two words alone are _FILE_NAME's
            yield from self._named_file_with_particles(text, words)
            for first, second in itertools.pairwise(words):
                if text[first.end() : second.start()] not in ("-", "_", "."):
                    continue
                given, surname = fold(first.group()), fold(second.group())
                # a given name of the tier for pairs (`Goyo_Cazorla_CV.pdf`) before a listed surname that is no word
                given_flags = self._given.get(given, 0 if given in self._paired else None)
                flags = self._surnames.get(surname)
                if (given_flags is not None and surname not in _NOT_SURNAMES
                        and not (given_flags & WORD and (flags is None or flags & WORD))
                        and self._slug_pair(given, surname)):
                    yield first.start(), second.end()

    def _named_file_with_particles(self, text: str, words: list[re.Match[str]]) -> Iterator[tuple[int, int]]:
        """`Emanuel_von_Hamann.pdf`, `cv-anna-van-der-berg.pdf`: a listed given name that is no word, particles and a
        word of three letters or more that is no given name (the particle says it is a family name)."""
        for i, word in enumerate(words[:-2]):
            given = fold(word.group())
            if self._given.get(given, WORD) & WORD or given in self._english or given in _PARTICLES:
                continue  # `summer_de_luxe.jpg`, `Isla_de_Margarita.jpg`
            j = i + 1
            while j < len(words) and fold(words[j].group()) in _PARTICLES and text[words[j - 1].end() : words[
                    j].start()] in ("-", "_", "."):
                j += 1
            if (i + 1 < j < len(words) and text[words[j - 1].end() : words[j].start()] in ("-", "_", ".")
                    and len(words[j].group()) >= 3 and fold(words[j].group()) not in self._given):
                yield word.start(), words[j].end()  # not a place named after a saint: `Isla_de_Margarita.jpg`

    def _a_name_word(self, word: str) -> bool:
        """A listed surname or given name that is no English word, or one of the names interfaces use as words."""
        flags = self._surnames.get(word, self._given.get(word))
        return word in UI_WORDS or (flags is not None and not flags & WORD)

    def _slugs(self, text: str) -> Iterator[tuple[int, int]]:
        words = list(_LOWER.finditer(text))
        for i, (first, second) in enumerate(itertools.pairwise(words)):
            given = fold(first.group())
            if given not in self._given and given not in self._paired:
                continue  # each way below needs a listed given name first, and most words are none
            sep, surname = text[first.end() : second.start()], fold(second.group())
            if sep in _SLUG_SEPARATORS or (sep == " " and _alone(text, first.start(), second.end())):
                if self._slug_pair(given, surname) and (sep == " " or self._slug_place(text, words, i, given, surname)):
                    yield first.start(), self._after_second_given(text, words, i + 1, sep)
                elif surname in _PARTICLES and given in self._given and given not in _PARTICLES:
                    yield from self._slug_with_particles(text, words, i)
            elif sep == " " and self._plain_pair(given, surname):
                yield first.start(), second.end()  # `escalate to thijs bakker asap`
        yield from self._capitalised_slugs(text)

    def _slug_place(self, text: str, words: list[re.Match[str]], i: int, given: str, surname: str) -> bool:
        """Where in its slug a pair of `_slug_pair` (words[i], words[i + 1]) may be a name: at its start as before
        (`/u/anna-oosterhuis`); after other words only with a given name that is no month and a surname that is no
        English word (`/help/docs-for-june-box`, `/blog/recipe-for-victoria-grey` stay): anywhere when the surname is
        listed (`/news/acme-welcomes-anna-schmidt-as-cto`), one no list holds only at the slug's end after English
        words (`/docs/shared-with-theo-hornich`, `/reports/q3-veerle-bezemer`): inside a slug of another language a
        word no English list holds is as often a word of that language (`/blog/gracias-socialista-senora-asimismo`,
        `/blog/alto-puntos-fernando-ambos`)."""
        start = words[i].start()
        if start < 2 or text[start - 1] not in _SLUG_SEPARATORS or not text[start - 2].isalnum():
            return True  # the slug's first word
        flags = self._surnames.get(surname)
        if given in _MONTHS or surname in self._english or (flags is not None and flags & WORD):
            return False
        if flags is not None:
            return True
        if _SLUG_END.match(text, words[i + 1].end()) is None:
            return False
        head = _SLUG_HEAD.search(text, max(0, start - 100), start)  # the slug's earlier words: English or numbered
        return head is not None and all(any(c.isdigit() for c in w) or fold(w) in self._english
                                        for w in re.split(r"[-_.+]", head.group()) if w)

    def _after_second_given(self, text: str, words: list[re.Match[str]], j: int, sep: str) -> int:
        """The end of a slug's name whose second word `words[j]` is a given name too (`christa-maria-bolnbach`): the
        end of the word after it when that one, joined the same way, is no English word and no given name."""
        end = words[j].end()
        if sep not in _SLUG_SEPARATORS or fold(words[j].group()) not in self._given or j + 1 >= len(words):
            return end
        nxt = words[j + 1]
        key = fold(nxt.group())
        if (text[end : nxt.start()] == sep and len(key) >= 3 and key not in self._english and key not in self._given
                and key not in _PARTICLES):
            return nxt.end()
        return end

    @staticmethod
    def _slug_with_particles(text: str, words: list[re.Match[str]], i: int) -> Iterator[tuple[int, int]]:
        """`anna-van-der-berg`, `maria-de-la-cruz`: a given name, particles, and a word after them (the particle
        says it is a family name, as for a written name)."""
        j = i + 1
        while j < len(words) and fold(words[j].group()) in _PARTICLES:
            if text[words[j - 1].end() : words[j].start()] not in _SLUG_SEPARATORS:
                return
            j += 1
        if j < len(words) and text[words[j - 1].end() : words[j].start()] in _SLUG_SEPARATORS:
            yield words[i].start(), words[j].end()

    def _plain_pair(self, given: str, surname: str) -> bool:
        """Lower-case words in running text are too often just words: a pair counts only when the surname is listed
        and neither is an English word or a particle (`ingrid bergstrom`, `michael johnson`; not `grace period` or
        `de la`), the given name no function word of the six languages (not `ho parlato`); a given name that is
        also a word only before a surname that is not a given name as well, and not a word interfaces use or a month
        (`dirk jansen`, not `max bakker` or `june garcia`)."""
        flags = self._surnames.get(surname, WORD)
        given_flags = self._given.get(given)
        if (given_flags is None or flags & WORD or surname in self._english or given in _PARTICLES
                or surname in _PARTICLES or given in self._function_words):
            return False
        if given_flags & WORD or given in self._english:
            return surname not in self._given and given not in UI_WORDS and given not in _MONTHS
        return given not in _MONTHS

    def _capitalised_slugs(self, text: str) -> Iterator[tuple[int, int]]:
        """`/Stefan-Weber`, `Jane_Doe` in a path or a handle: a given name and a listed surname joined by `_` or `+`,
        or by `-` at the start of a path segment, or glued as a whole segment or handle (`/u/AnnaSchmidt`,
        `@JanDeVries` is not: three words), that are not two given names joined (`Jean-Pierre`, `Anna_Lena`)."""
        found: list[re.Match[str]] = []
        if _SLUG_CAPITAL.search(text):
            found = list(_CAPITALISED_SLUG.finditer(text))
        if _GLUED_CAPITALS.search(text):
            found += _GLUED_SLUG.finditer(text)
        for m in found:
            if text[m.end(1)] == "-" and text[m.start() - 1 : m.start()] != "/":
                continue  # hyphenated, only as a path segment: Mercedes-Benz and Harley-Davidson are brands
            given, surname = fold(m.group(1)), fold(m.group(2))
            flags = self._surnames.get(surname)
            # two given names are hyphenated (`Anna-Lena`), not glued: `SandraOwens` is a person though `Owens` is
            # also a given name
            glued = m.end(1) == m.start(2)
            # a whole path segment (`/Sharon-Perez`, `/Emma-Watson-300x300.jpg`) may end with a surname that is also a
            # given name, if it is no word
            segment = (text[m.start() - 1 : m.start()] == "/" and flags is not None and not flags & WORD
                       and given not in _BEFORE_PLACE)  # `/Saint-Etienne` is a city
            if (given in self._given and flags is not None and (glued or segment or surname not in self._given)
                    and given not in _PARTICLES and self._slug_pair(given, surname)):
                yield m.start(), m.end()

    def _slug_pair(self, given: str, surname: str) -> bool:
        given_flags = self._given.get(given)
        flags = self._surnames.get(surname)
        if given in self._paired and flags is not None:  # `geert-wildeboer`: as for a written name
            return not flags & WORD
        if given_flags is None or given in _PARTICLES or surname in _PARTICLES:
            return False  # `fecha_de_pago`, `nome_del_piano`: a particle is no given name
        if flags is None:  # as for a written name: an unlisted surname after a given name that is not a word
            return (not given_flags & WORD and len(surname) >= 3 and surname.isalpha()
                    and surname not in self._english and surname not in self._given)
        return not flags & given_flags & WORD


def a_firm_word(key: str) -> bool:
    """True if the folded word starts or ends a company's or an institution's name (`Royal`, `Groep`, `GmbH`)."""
    return key in _ORGANISATION_WORDS or key in _NOT_A_PERSON_AFTER


def a_place(word: str) -> bool:
    """True if the folded word names a city, a country or a region, or starts a place's or a street's name (`san`,
    `sainte`, `strada`, `chemin`)."""
    return (word in CITIES or word in COUNTRIES or word in PLACES_NAMED_LIKE_PEOPLE or word in _REGIONS
            or word in _BEFORE_PLACE or word in STREET_WORDS or word in ("sainte", "sant"))


def _a_firm_or_place(text: str, tokens: list[_Token], j: int) -> bool:
    """True if the name ending at token j is part of a company's, an institution's or a place's name."""
    return (j + 1 < len(tokens) and tokens[j + 1].key in _NOT_A_PERSON_AFTER and _joined(text, tokens, j)) or \
        _DOTTED_FORM.match(text, tokens[j].end) is not None


# `and` or `&` and a capitalised word after a name: Johnson & Johnson, Marks and Spencer (unless a person's name
# follows). Not a lower-case word or `I`: `call Anna Schmidt and confirm`, `Anna Schmidt and I`, `Anna Schmidt & team`.
_AND = re.compile(r" (?:&|and)[ \t]+(?!I\b)[A-Z\u00c0-\u00dd]")
# A legal form written with dots after a name: Moreau Dupont S.A.R.L., Rossi Bianchi s.r.l., Jansen B.V.
_DOTTED_FORM = re.compile(r"(?i),?\s+(?:s\.\s?a\.(?:\s?r\.\s?l\.|s\.)?|s\.\s?l\.|s\.\s?r\.\s?l\.|s\.\s?p\.\s?a\."
                          r"|s\.\s?n\.\s?c\.|b\.\s?v\.|n\.\s?v\.|v\.\s?o\.\s?f\.|e\.\s?v\.|e\.\s?k\.|s\.\s?c\.)")


# Greetings and salutations in en/de/fr/es/it/nl, some of them also listed as given names or surnames (`Hallo Berlin`
# is no Mr Berlin, `Cher` a singer, `Dag` a Swedish given name): never the first word of a name.
GREETINGS = frozenset({
    "hallo", "hello", "hi", "hey", "dear", "liebe", "lieber", "servus", "moin", "gruezi", "guten", "bonjour",
    "bonsoir", "salut", "cher", "chere", "coucou", "hola", "querido", "querida", "estimado", "estimada", "buenos",
    "buenas", "ciao", "salve", "gentile", "cara", "caro", "buongiorno", "buonasera", "hoi", "dag", "beste",
    "goedemorgen", "goedemiddag", "goedenavond", "willkommen", "bienvenue", "bienvenido", "bienvenida", "benvenuto",
    "benvenuta", "welkom", "welcome",
})
# Words that a comma and a given name follow in de/fr/es/it/nl when the word is no surname: greetings, thanks,
# answers and days (`Danke, Anna`, `Bonjour, Claire`, `Montag, Jan`).
_BEFORE_A_COMMA = GREETINGS | frozenset({
    "danke", "vielen", "bitte", "tschuss", "morgen", "abend", "merci", "gracias", "saludos", "grazie", "bedankt",
    "groeten", "dankjewel", "dankuwel", "okay", "nein", "oui", "nee", "sorry", "entschuldigung", "pardon", "perdon",
    "scusa", "prego", "adieu", "adios",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado",
    "domingo", "lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica", "maandag", "dinsdag",
    "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "heute", "gestern", "aujourd", "hier", "demain", "hoy",
    "ayer", "manana", "oggi", "ieri", "domani", "vandaag", "gisteren",
})
# Greetings and thanks (not days: `Domingo Rey` is a name): before a given name, never a name's first word.
_GREETING_OR_THANKS = GREETINGS | frozenset({"danke", "merci", "gracias", "grazie", "bedankt", "dankjewel", "dankuwel",
                                             "thanks", "cheers"})
# English words that start an answer or a clause before a comma and a name (`Yes, Anna`, `Well, Maria`, `Sure,
# Pierre`), some of them also surnames.
_CLAUSE_WORDS = frozenset({
    "yes", "yeah", "yep", "nope", "well", "sure", "thanks", "thank", "hello", "hey", "okay", "sorry", "please",
    "great", "cool", "nice", "good", "right", "fine", "also", "and", "but", "then", "now", "today", "again", "dear",
    "welcome", "congrats", "congratulations", "cheers", "regards", "best", "morning", "evening", "night", "wait",
    "look", "listen", "note", "update", "done", "true", "indeed", "agreed", "absolutely", "perfect", "awesome",
    "alright", "anyway", "however", "meanwhile", "first", "second", "finally", "next", "later", "soon", "tomorrow",
    "yesterday", "here", "there", "noted", "understood", "correct", "exactly", "oops", "ugh", "wow", "bye", "goodbye",
})
# Words that are no given name before a surname: articles and particles, months, greetings and clause words, titles,
# and the words of companies' and places' names.
_NOT_BEFORE_SURNAME = (_PARTICLES, _MONTHS, _BEFORE_A_COMMA, _CLAUSE_WORDS, _ORGANISATION_WORDS, _NOT_A_PERSON_AFTER,
                       _BEFORE_PLACE, PLACES_NAMED_LIKE_PEOPLE, UI_WORDS, _TITLES)
# Countries whose names are given names too: never a given name after a comma (`Amman, Jordan`, `Beijing, China`).
_COUNTRIES_NAMED_LIKE_PEOPLE = frozenset({"china", "france", "india", "ireland", "israel", "jordan", "kenya"})
# The larger cities of the regions named like people, many named like people themselves: before such a region's name
# after a comma they are the city (`Richmond, Virginia`, `Columbus, Georgia`, `Ballarat, Victoria`).
_CITIES_IN_REGIONS_NAMED_LIKE_PEOPLE = frozenset({
    "richmond", "arlington", "alexandria", "norfolk", "chesapeake", "hampton", "roanoke", "lynchburg", "fairfax",
    "charlottesville", "leesburg", "newport", "atlanta", "augusta", "columbus", "macon", "athens", "albany", "marietta",
    "roswell", "valdosta", "raleigh", "durham", "greensboro", "columbia", "charleston", "greenville", "wilmington",
    "melbourne", "geelong", "ballarat", "bendigo", "indianapolis", "bloomington", "lafayette", "evansville",
    "billings", "missoula", "bozeman", "helena", "reno", "henderson", "fargo", "bismarck", "calgary", "edmonton",
    "metz"})
# Regions named like people, in the given name's place after a comma (`Del Mar, California`, `La Fenice, Venezia`).
_REGIONS = frozenset({"california", "virginia", "georgia", "carolina", "florida", "dakota", "nevada", "montana",
                      "indiana", "louisiana", "arizona", "alabama", "maryland", "tennessee", "kentucky", "texas",
                      "oregon", "washington", "victoria", "venezia", "toscana", "lombardia", "andalucia", "catalunya",
                      "bretagne", "provence", "normandie", "bayern", "sardegna", "sicilia", "valencia", "galicia"})
_NOT_BEFORE_SURNAME_KEYS = frozenset().union(*_NOT_BEFORE_SURNAME) - UI_WORDS  # words, not people's, in lower case
_TITLE_SEPARATOR = re.compile(r"\s[|\u2013\u2014\u00b7:-]\s|\s*$", re.MULTILINE)
_TITLE_SEPARATORS = "|\u2013\u2014\u00b7-"  # before a title's part, after a space


def _a_title_part(text: str, start: int, end: int) -> bool:
    """True if text[start:end] is one part of a title: between the line's ends or separators (` | `, ` – `, ` · `).
    Read from the span outwards, not from the line's start: a line of thousands of names is asked this once per
    name, and reading it whole each time was quadratic."""
    i = start
    while i > 0 and text[i - 1] != "\n" and text[i - 1].isspace():
        i -= 1  # back over the spaces before the span, not past the line's start
    before = text[i - 1] if i else "\n"
    opens = before in "\n:" or (before in _TITLE_SEPARATORS and i >= 2 and text[i - 2] != "\n"
                                and text[i - 2].isspace())
    return opens and _TITLE_SEPARATOR.match(text, end) is not None


def _alone(text: str, start: int, end: int) -> bool:
    """True if text[start:end] is all of its line but for spaces and a final full stop: a value of its own (the
    detectors analyse strings joined by blank lines). Read from the span outwards, as _a_title_part is."""
    i = start
    while i > 0 and text[i - 1] not in "\n\u2029" and text[i - 1].isspace():
        i -= 1
    if i > 0 and text[i - 1] not in "\n\u2029":
        return False
    j, length = end, len(text)
    while j < length and text[j] in " \t.;":
        j += 1
    return j == length or text[j] in "\n\u2029"


# A note in brackets after a whole value (`Doe, Jane (Sales)`): the value is still alone on its line.
_NOTE = re.compile(r"[ \t]*\([^()\n]{1,40}\)")


# `, Given` after a name found in running text: the given name of `Surname, Given` whose surname another rule found
# alone (`Call with De Oliveira, Pierre`: the cue's name is `De Oliveira`), or the next person of a list; a person
# either way. Not before another capitalised word (`Ruud Mulder, Femke Smit`: the next name, found on its own).
_GIVEN_AFTER_A_NAME = re.compile(r",[ \t]?([A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+(?:-[A-ZÀ-Ý\u0100-\u017f]"
                                 r"[a-zß-ÿ\u0100-\u017f]+)?)(?![\w'\u2019-]|[ \t]+[A-ZÀ-Ý\u0100-\u017f])")


def given_name_after(text: str, end: int) -> int:
    """The end of a listed given name that is no word, no month and no place's name after a comma at `end` (where a
    name found in `text` ends), or `end` when there is none."""
    m = _GIVEN_AFTER_A_NAME.match(text, end)
    if m is None:
        return end
    key = fold(m.group(1))
    lists = gazetteer()
    flags = lists.given.get(key.split("-")[0])
    if flags is None or flags & WORD or key in lists.english or key in _MONTHS or key in UI_WORDS or a_place(key):
        return end
    return m.end()


# `Surname, ` before given names found in running text (`Higgins, [Mark Nicole]`, `Scheibe, [Irmengard Solveig]`):
# the rule that found the given names read no surname after them; the word before the comma is theirs.
_SURNAME_BEFORE_A_NAME = re.compile(r"(?<![\w'\u2019-])([A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+"
                                    r"(?:-[A-ZÀ-Ý\u0100-\u017f][a-zß-ÿ\u0100-\u017f]+)?),[ \t]$")


def surname_before(text: str, start: int, end: int) -> int:
    """The start of `Surname, ` before a name of one to three words found in `text` at start..end (`Higgins, Mark
    Nicole`, `Scheibe, Irmengard Solveig`), or `start` when there is none: a capitalised word that is a listed
    surname but no word, or a word of four letters or more that no list holds and that is no English or everyday
    word; never a common given name (`Thomas, Anna Maria` may list three people), nor a company's, a place's, a
    month's, a greeting's or a clause's word (`Thanks, Anna Maria`, `Berlin, Anna`, `Montag, Anna Lena`)."""
    if not 1 <= text.count(" ", start, end) + 1 <= 3:
        return start
    m = _SURNAME_BEFORE_A_NAME.search(text, max(0, start - 64), start)
    if m is None:
        return start
    lists = gazetteer()
    key = fold(m.group(1))
    flags = lists.surnames.get(key)
    if flags is None:
        parts = key.split("-")
        if not all(len(part) >= 4 and part not in lists.english and part not in lists.everyday for part in parts):
            return start
    elif flags & WORD or key in lists.english:
        return start
    if (lists.given.get(key, 0) & (WORD | TOP) or key in _NO_NAME_BESIDE_AN_INITIAL or key in UI_WORDS
            or a_place(key) or a_firm_word(key)):
        return start
    return m.start()


# Words that are no given name before a surname's initial nor a surname after an initial (given_before_initial,
# surname_after_initial): companies', places', months' and titles' words, greetings, clause words and articles.
_NO_NAME_BESIDE_AN_INITIAL = frozenset().union(_NOT_A_PERSON_AFTER, _ORGANISATION_WORDS, _MONTHS, _BEFORE_PLACE,
                                               PLACES_NAMED_LIKE_PEOPLE, _BEFORE_A_COMMA, _CLAUSE_WORDS, _TITLES,
                                               ARTICLES, CITIES, COUNTRIES)
# A generation after a surname (`Smith Jr., John`, `Ford III, Henry`), and the gap from it to the given name.
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})
_AFTER_A_GENERATION = re.compile(r"\.?[ \t]*,[ \t]*")
# A middle initial after `Surname, Given` (`Smith, John A.`).
_A_MIDDLE_INITIAL = re.compile(r"[ \t][A-ZÀ-Ý\u0100-\u017f]\.(?![^\W\d_])")


def _before_a_generation(text: str, tokens: list[_Token], i: int, given: _Token) -> int:
    """The index of the surname before a generation at token i and the comma before `given` (`Smith Jr., John`), or
    i when token i is none."""
    if (tokens[i].key in _GENERATIONS and i > 0 and _joined(text, tokens, i - 1)
            and _AFTER_A_GENERATION.fullmatch(text, tokens[i].end, given.start) is not None):
        return i - 1
    return i


def _a_place_pair(given: _Token, surname: _Token) -> bool:
    """`Del Mar, California`, `Florence, Italy`, `La Fenice, Venezia`: a city, a country, or a region after the
    comma."""
    return (surname.key in CITIES or surname.key in COUNTRIES or given.key in _REGIONS or given.key in CITIES
            or given.key in COUNTRIES)


def _alone_or_noted(text: str, start: int, end: int) -> bool:
    """_alone, or alone but for a note in brackets after it, or alone in quotes (`Kontakt „Kosten, Thijn“ angelegt`:
    a value an audit line or a message quotes)."""
    before, after = start - 1, end
    if text[before : start] == " " and text[after : after + 1] == " ":  # `« Jiang, Min »`, as French spaces them
        before, after = before - 1, after + 1
    if before >= 0 and after < len(text) and _QUOTES.get(text[before], "") == text[after]:
        return True
    note = _NOTE.match(text, end)
    return _alone(text, start, end if note is None else note.end())


# The quotes a quoted value opens and closes with, as English, German, French, Italian, Spanish and Dutch write them.
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb", "\u2018": "\u2019",
           "\u201a": "\u2018", "\u00bb": "\u00ab"}


def _a_line_starts_a_people_path(text: str) -> bool:
    """True if a line after the first starts with a people segment (`team/anna-schmidt`, a URL's leaf in a batch)."""
    return any(_PEOPLE_SEGMENT_FIRST.match(text, m.end()) for m in _LINE_WITH_A_SEGMENT.finditer(text))


def _outermost(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans inside no other, in order. An initial inside a name found whole (`John F. Kennedy` holds
    `F. Kennedy`): the whole name only. One pass, by start and then longest first: a span is inside another if one
    that starts no later ends no earlier (a text of thousands of names is not compared pair by pair)."""
    kept: list[tuple[int, int]] = []
    reach = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if end > reach:
            kept.append((start, end))
            reach = end
    return kept


def _joined(text: str, tokens: list[_Token], i: int) -> bool:
    """True if tokens i and i + 1 are words of one written name: only spaces (or an initial's dot) between them."""
    return _GAP.fullmatch(text, tokens[i].end, tokens[i + 1].start) is not None


def _capitalised_before(text: str, tokens: list[_Token], i: int) -> bool:
    """True if a capitalised word is joined before token i (_joined)."""
    return i > 0 and _joined(text, tokens, i - 1) and tokens[i - 1].capitalised


def _capitalised_after(text: str, tokens: list[_Token], i: int) -> bool:
    """True if a capitalised word is joined after token i (_joined)."""
    return i + 1 < len(tokens) and _joined(text, tokens, i) and tokens[i + 1].capitalised
