"""Names of countries and large cities as en/de/fr/es/it/nl write them, folded (names.fold: lower case, no accents).

A search for `Florence Italy` or `Sophie Berlin` is a given name before a place, not a person: names.py
`given_before_unknown` reads these as place words, not as an unknown surname. Hand-written (the product does not
import Faker), and small: countries and the cities people search for trips, offices and events. And places that are
also given names or surnames (PLACES_NAMED_LIKE_PEOPLE), read by names.py and name_context.py.
"""

COUNTRIES = frozenset({
    # en
    "afghanistan", "albania", "algeria", "andorra", "angola", "argentina", "armenia", "australia", "austria",
    "azerbaijan", "bahamas", "bahrain", "bangladesh", "barbados", "belarus", "belgium", "belize", "benin", "bhutan",
    "bolivia", "bosnia", "botswana", "brazil", "bulgaria", "burundi", "cambodia", "cameroon", "canada", "chile",
    "colombia", "congo", "croatia", "cuba", "cyprus", "czechia", "denmark", "ecuador", "egypt", "england", "eritrea",
    "estonia", "ethiopia", "europe", "fiji", "finland", "gabon", "gambia", "germany", "ghana", "greece", "grenada",
    "guatemala", "guinea", "guyana", "haiti", "honduras", "hungary", "iceland", "indonesia", "iran", "iraq", "italy",
    "jamaica", "japan", "kazakhstan", "korea", "kosovo", "kuwait", "laos", "latvia", "lebanon", "liberia", "libya",
    "liechtenstein", "lithuania", "luxembourg", "madagascar", "malawi", "malaysia", "maldives", "mali", "malta",
    "mauritius", "mexico", "moldova", "monaco", "mongolia", "montenegro", "morocco", "mozambique", "myanmar", "namibia",
    "nepal", "netherlands", "nicaragua", "niger", "nigeria", "norway", "oman", "pakistan", "panama", "paraguay",
    "peru", "philippines", "poland", "portugal", "qatar", "romania", "russia", "rwanda", "scotland", "senegal",
    "serbia", "singapore", "slovakia", "slovenia", "somalia", "spain", "sudan", "suriname", "sweden", "switzerland",
    "syria", "taiwan", "tanzania", "thailand", "togo", "tunisia", "turkey", "uganda", "ukraine", "uruguay",
    "uzbekistan", "venezuela", "vietnam", "wales", "yemen", "zambia", "zimbabwe", "usa", "uk",
    # de
    "agypten", "albanien", "algerien", "argentinien", "australien", "belgien", "bolivien", "brasilien", "bulgarien",
    "danemark", "deutschland", "estland", "finnland", "frankreich", "griechenland", "grossbritannien",
    "indien", "indonesien", "irland", "island", "italien", "kanada", "kolumbien", "kroatien", "lettland", "litauen",
    "luxemburg", "marokko", "mexiko", "niederlande", "norwegen", "osterreich", "polen", "rumanien", "russland",
    "schottland", "schweden", "schweiz", "serbien", "slowakei", "slowenien", "spanien", "tschechien", "tunesien",
    "turkei", "ungarn", "zypern", "europa",
    # fr
    "allemagne", "angleterre", "autriche", "belgique", "bresil", "bulgarie", "chine", "chypre", "croatie", "ecosse",
    "egypte", "espagne", "etats", "finlande", "grece", "hongrie", "inde", "irlande", "islande", "italie",
    "japon", "lettonie", "lituanie", "maroc", "mexique", "norvege", "pays", "pologne", "roumanie", "russie",
    "slovaquie", "slovenie", "suede", "suisse", "tunisie", "turquie",
    # es
    "alemania", "belgica", "brasil", "dinamarca", "escocia", "eslovaquia", "espana", "estados", "francia",
    "grecia", "holanda", "hungria", "inglaterra", "irlanda", "italia", "marruecos", "noruega", "polonia",
    "rumania", "rusia", "suecia", "suiza", "turquia",
    # it
    "belgio", "brasile", "danimarca", "egitto", "germania", "giappone", "inghilterra",
    "norvegia", "olanda", "paesi", "portogallo", "scozia", "spagna", "svezia",
    "svizzera", "turchia", "ungheria",
    # nl
    "belgie", "brazilie", "denemarken", "duitsland", "engeland", "frankrijk", "griekenland", "hongarije", "ierland",
    "nederland", "noorwegen", "oostenrijk", "rusland", "schotland", "spanje",
    "turkije", "zweden", "zwitserland",
})

CITIES = frozenset({
    "amsterdam", "antwerp", "antwerpen", "anvers", "athens", "athen", "atene", "atlanta", "auckland", "baltimore",
    "bangkok", "barcelona", "basel", "beijing", "belgrade", "bergamo", "bilbao", "birmingham", "bologna", "bonn",
    "bordeaux", "boston", "bratislava", "bremen", "brighton", "bristol", "brugge", "bruges", "brussels", "bruxelles",
    "brussel", "bucharest", "budapest", "cairo", "calgary", "cambridge", "cardiff", "catania", "chicago",
    "cologne", "koln", "copenhagen", "kopenhagen", "cordoba", "delft", "delhi", "denver", "detroit", "dortmund",
    "dresden", "dubai", "dublin", "duisburg", "dusseldorf", "edinburgh", "eindhoven", "essen", "firenze", "frankfurt",
    "gent", "ghent", "glasgow", "granada", "graz", "groningen", "haarlem", "hannover", "helsinki", "innsbruck",
    "istanbul", "jakarta", "karlsruhe", "krakow", "leeds", "leipzig", "lille", "lima", "lisbon", "lisboa",
    "lissabon", "liverpool", "ljubljana", "madrid", "malaga", "manchester", "mannheim", "marseille", "melbourne",
    "miami", "milan", "milano", "mailand", "montpellier", "montreal", "moscow", "moskau", "mumbai", "munich",
    "munchen", "monaco", "nantes", "napoli", "naples", "neapel", "nice", "nizza", "nurnberg", "nuremberg", "oslo",
    "ottawa", "oxford", "padova", "palermo", "philadelphia", "pisa", "porto", "prague", "prag", "praha", "rennes",
    "rome", "roma", "rom", "rotterdam", "salzburg", "seattle", "sevilla", "seville", "shanghai", "singapore",
    "stockholm", "strasbourg", "stuttgart", "tokyo", "toronto", "torino", "turin", "toulouse", "tunis", "utrecht",
    "vancouver", "venice", "venezia", "venedig", "warsaw", "warschau", "wien", "zagreb", "zaragoza", "zurich",
})

# Countries, states and cities that are also given names or surnames, for `City, Country` written like `Doe, Jane`.
PLACES_NAMED_LIKE_PEOPLE = frozenset({
    "france", "jordan", "chad", "india", "kenya", "georgia", "israel", "ireland", "china", "florence", "victoria",
    "sydney", "austin", "dallas", "houston", "paris", "london", "adelaide", "charlotte", "madison", "phoenix",
    "orlando", "savannah", "chelsea", "brooklyn", "dakota", "virginia", "carolina", "indiana", "montana", "nevada",
    "alberta", "berlin", "hamburg", "vienna", "lyon", "nancy", "valencia", "sofia", "lorraine", "normandie",
    "bretagne", "alsace", "lucerne", "geneva", "genoa", "verona", "siena", "adriana", "elba",
    # the first words of places, for a surname before a given name: Puerto Rico, Costa Rica, Porto Alegre
    "puerto", "costa", "porto", "punta", "playa", "bahia", "isla", "cabo", "lago", "villa", "monte", "rio", "santo",
    "santa", "san",
})

# The street and place words of en/de/fr/es/it/nl, folded (names.fold), in one table: each word's flags say which
# of the sets below it is in, and the prefilter's street hint (STREET_HINT) is built from the same rows.
# FIRST: starts a street's or a place's name and is also a given name or no English word (`Strada Agostino`,
#   `Glorieta Vasco Jordá`, `Camino de Cornelio Arnal`, `Sainte Alexandria`): after a cue (name_context.cued_names)
#   capitalised words that start with one are an address, not a person.
# LAST: ends an English address's street or place name (`Frank Corner`, `Smith Ridge`, `Ralph Forest`): after a cue,
#   capitalised words that end with one are an address, not a person.
# PLACE: starts a place's name before a given name or surname (`Rue Victor Hugo`, `San Marco`, `Fort Myers`, `Cape
#   Coral`, `West Kimberly`, `New Judith`, `The Nancy`): names.py does not read the name after one as a person's.
# TYPE: a street type of the address patterns (recognizers._STREET_PATTERNS), found as a substring by STREET_HINT
#   (`Hauptstraße`, `Keizersgracht`); TYPE_WORD as a whole word (`way`, `row`, `rue`, `via`); TYPE_END at a word's
#   end (`Lindenweg`, `Ostring`).
FIRST, LAST, PLACE, TYPE, TYPE_WORD, TYPE_END = (1 << i for i in range(6))
STREET_TABLE = {
    "acceso": FIRST, "alameda": FIRST, "allee": FIRST | TYPE, "alley": LAST, "arcade": LAST,
    "avenida": FIRST | PLACE | TYPE, "avenue": FIRST | LAST | PLACE | TYPE, "avinguda": FIRST, "bajada": FIRST,
    "bayou": LAST, "bluff": LAST, "bluffs": LAST, "borgo": FIRST | TYPE, "boulevard": FIRST | LAST | PLACE | TYPE,
    "bridge": LAST, "burg": LAST, "burgh": LAST, "bypass": LAST, "calle": FIRST | PLACE | TYPE, "callejon": FIRST,
    "cami": FIRST, "camino": FIRST | TYPE, "canale": FIRST, "canyon": LAST, "cape": PLACE, "carrer": FIRST | TYPE,
    "carrera": FIRST, "carretera": TYPE, "causeway": LAST, "chaussee": TYPE, "chemin": FIRST | TYPE,
    "circle": LAST | TYPE, "cliff": LAST, "cliffs": LAST, "close": TYPE, "contrada": FIRST | TYPE, "corner": LAST,
    "corners": LAST, "corso": FIRST | PLACE | TYPE, "cours": TYPE, "court": TYPE, "cove": LAST, "creek": LAST,
    "crescent": LAST | TYPE, "crest": LAST, "crossing": LAST, "cuesta": FIRST, "curve": LAST, "dale": LAST,
    "damm": TYPE, "dijk": TYPE, "divide": LAST, "dreef": FIRST | TYPE, "drive": LAST | TYPE, "east": PLACE,
    "estates": LAST, "expressway": LAST, "extension": LAST, "falls": LAST, "ferry": LAST, "flats": LAST,
    "forest": LAST, "fort": FIRST | PLACE, "freeway": LAST, "gardens": LAST | TYPE, "gasse": FIRST | TYPE,
    "gateway": LAST, "glen": LAST, "glorieta": FIRST, "gracht": FIRST | TYPE, "grove": LAST | TYPE, "harbor": LAST,
    "haven": LAST, "heights": LAST, "highway": LAST | TYPE, "hollow": LAST, "impasse": FIRST | TYPE,
    "incrocio": FIRST | TYPE, "inlet": LAST, "island": LAST, "islands": LAST, "isle": LAST, "junction": LAST,
    "kade": FIRST | TYPE, "knoll": LAST, "knolls": LAST, "laan": FIRST | TYPE, "lake": FIRST | LAST | PLACE,
    "lakes": LAST, "landing": LAST, "lane": LAST | TYPE, "largo": FIRST | TYPE, "lights": LAST, "lodge": LAST,
    "loop": LAST, "lungomare": FIRST | TYPE, "manor": LAST, "meadows": LAST, "mews": TYPE, "mission": LAST,
    "motorway": LAST, "mount": FIRST | PLACE, "mountain": LAST, "new": PLACE, "north": PLACE, "orchard": LAST,
    "oval": LAST, "overpass": LAST, "parkway": LAST | TYPE, "pasaje": FIRST, "paseo": FIRST | PLACE | TYPE,
    "pass": LAST, "passage": TYPE, "passeig": FIRST, "path": LAST, "pfad": TYPE, "piazza": FIRST | PLACE | TYPE,
    "piazzale": FIRST, "piazzetta": FIRST, "pike": LAST, "pines": LAST, "placa": TYPE, "place": FIRST | PLACE | TYPE,
    "plains": LAST, "platz": FIRST | TYPE, "plaza": FIRST | LAST | PLACE | TYPE, "plein": FIRST | TYPE, "point": LAST,
    "poligono": FIRST, "port": FIRST | LAST | PLACE, "prairie": LAST, "quai": FIRST | TYPE, "rambla": FIRST,
    "ramp": LAST, "ranch": LAST, "rapids": LAST, "reggio": FIRST, "ridge": LAST, "ring": TYPE_END,
    "road": LAST | TYPE, "ronda": FIRST | TYPE, "rotonda": FIRST | TYPE, "route": FIRST | TYPE, "row": TYPE_WORD,
    "rua": FIRST, "rue": FIRST | PLACE | TYPE_WORD, "saint": FIRST | PLACE, "sainte": FIRST, "salita": FIRST,
    "san": FIRST | PLACE, "sankt": FIRST | PLACE, "santa": FIRST | PLACE, "santo": FIRST | PLACE, "sendero": FIRST,
    "shoals": LAST, "shores": LAST, "singel": TYPE, "skyway": LAST, "south": PLACE, "springs": LAST, "spur": LAST,
    "square": LAST | TYPE, "st": PLACE, "station": LAST, "steeg": FIRST | TYPE, "steig": TYPE, "straat": FIRST | TYPE,
    "strada": FIRST | TYPE, "strasse": FIRST | TYPE, "stream": LAST, "street": LAST | TYPE, "stretto": FIRST,
    "subida": FIRST, "summit": LAST, "terrace": LAST | TYPE, "the": PLACE, "throughway": LAST, "trace": LAST,
    "track": LAST, "trafficway": LAST, "trail": LAST | TYPE, "traversa": FIRST, "travesia": FIRST | TYPE,
    "tunnel": LAST, "turnpike": LAST, "ufer": TYPE, "underpass": LAST, "urbanizacion": FIRST, "valley": LAST,
    "via": FIRST | PLACE | TYPE_WORD, "viaduct": LAST, "viale": FIRST | PLACE | TYPE, "vico": FIRST,
    "vicoletto": FIRST, "vicolo": FIRST | TYPE, "view": LAST, "village": LAST, "villages": LAST, "ville": LAST,
    "vista": LAST, "walk": LAST | TYPE, "way": LAST | TYPE_WORD, "weg": FIRST | TYPE_END, "west": PLACE,
}
STREET_WORDS = frozenset(word for word, flags in STREET_TABLE.items() if flags & FIRST)
STREET_SUFFIXES = frozenset(word for word, flags in STREET_TABLE.items() if flags & LAST)
PLACE_STARTS = frozenset(word for word, flags in STREET_TABLE.items() if flags & PLACE)
# How the hint spells a TYPE word that has letters outside ASCII (the folded key has none), and the abbreviations the
# address patterns know (`Str.`, `St`, `Ave`, `Blvd`, `C/`, `Pza.`).
_SPELLED = {"strasse": "stra(?:ss|ß)e", "allee": "all[ée]e", "placa": "pla[çc]a", "travesia": "traves"}
# A post office box's words in en/de/fr/es/it/nl, before its number (recognizers' `po box` pattern; the hint too).
PO_BOXES = (r"p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|postbus|apartado\s+de\s+correos|casella\s+postale"
            r"|bo[îi]te\s+postale")
_ABBREVIATIONS = (r"str\.", r"\bst\b", r"\bave?\b", r"\brd\b", r"\bln\b", r"\bdr\b", r"\bblvd", r"\bbd\b",
                  r"\bct\b", r"\bpl\b", r"\bsq\b", "pkwy", "hwy", "avda", "c/", "pza", PO_BOXES, r"\bb\.?p\b")
# The street suffixes of USPS Publication 28 that STREET_TABLE lacks (`Stravenue`, `Brook`, `Hills`): many are
# surnames too (`Hill`, `Park`, `Brooks`, `Mills`), so they are no LAST words for names.py; the street pattern that
# reads them wants a postcode after them (recognizers' `number and postcode`).
USPS_SUFFIXES = frozenset({
    "branch", "brook", "brooks", "burgs", "camp", "center", "centers", "circles", "club", "common", "course", "courts",
    "coves", "crossroad", "dam", "drives", "estate", "extensions", "fall", "field", "fields", "flat", "ford", "fords",
    "forge", "forges", "fork", "forks", "garden", "glens", "green", "greens", "groves", "harbors", "hill", "hills",
    "junctions", "key", "keys", "land", "light", "loaf", "lock", "locks", "mall", "manors", "meadow", "mill", "mills",
    "mountains", "neck", "park", "parks", "parkways", "pine", "plain", "points", "ports", "radial", "rapid", "rest",
    "ridges", "river", "roads", "run", "shoal", "shore", "spring", "spurs", "squares", "stravenue", "streets", "union",
    "unions", "valleys", "views", "walks", "wall", "ways", "well", "wells",
})
# A comma (or a house number) and a postcode, or a state's code and a ZIP code (recognizers' `number and postcode` and
# `street number and postcode`: the street's words may be any).
_POSTCODES = (r"(?:[,\n]\s*|\d\s+)(?:\d{5}|\d{4}\s?[a-z]{2}|[a-z]{1,2}\d[a-z\d]?\s\d[a-z]{2})\s",
              r",\s*[a-z]{2}\s+\d{5}\b")
# Necessary for the street patterns (candidates' STREET gate and test): a street type or its abbreviation, in any
# case.
STREET_HINT = "(?i)" + "|".join((
    *(_SPELLED.get(word, word) for word, flags in STREET_TABLE.items() if flags & TYPE),
    *(rf"\b{word}\b" for word, flags in STREET_TABLE.items() if flags & TYPE_WORD),
    *(rf"{word}\b" for word, flags in STREET_TABLE.items() if flags & TYPE_END),
    *_ABBREVIATIONS, *_POSTCODES))
