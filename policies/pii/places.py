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

# Words that start a street's or a place's name in en/de/fr/es/it/nl and are also given names or no English word
# (`Strada Agostino`, `Glorieta Vasco Jordá`, `Camino de Cornelio Arnal`, `Sainte Alexandria`): after a cue
# (name_context.cued_names) capitalised words that start with one are an address, not a person.
STREET_WORDS = frozenset({
    "strada", "via", "viale", "vicolo", "largo", "corso", "piazza", "piazzale", "contrada", "borgo", "calle",
    "glorieta", "camino", "alameda", "ronda", "pasaje", "paseo", "plaza", "avenida", "carrera", "travesia", "callejon",
    "rambla", "carrer", "cami", "passeig", "avinguda", "rua", "cuesta", "urbanizacion", "poligono", "rue", "chemin",
    "allee", "impasse", "quai", "route", "place", "boulevard", "avenue", "sainte", "saint", "sankt", "san", "santa",
    "santo", "strasse", "gasse", "weg", "platz", "straat", "laan", "plein", "kade", "gracht", "dreef", "steeg",
    "stretto", "canale", "vico", "traversa", "rotonda", "salita", "lungomare", "piazzetta", "vicoletto", "lake",
    "mount", "port", "fort", "reggio", "acceso", "bajada", "subida", "sendero", "incrocio",
})
# The last words of street and place names that English addresses use (`Frank Corner`, `Smith Ridge`, `Ralph
# Forest`): after a cue, capitalised words that end with one are an address, not a person.
STREET_SUFFIXES = frozenset({
    "corner", "corners", "ridge", "lake", "lakes", "heights", "crossing", "landing", "trafficway", "lights", "forest",
    "estates", "gardens", "meadows", "parkway", "pike", "plaza", "point", "ranch", "shoals", "shores", "springs",
    "square", "station", "summit", "terrace", "trail", "valley", "view", "villages", "ville", "vista", "junction",
    "knoll", "knolls", "loop", "manor", "mountain", "orchard", "oval", "pass", "path", "pines", "plains", "prairie",
    "rapids", "skyway", "spur", "stream", "street", "bridge", "bypass", "canyon", "causeway", "circle", "cliff",
    "cliffs", "cove", "creek", "crescent", "crest", "curve", "dale", "divide", "drive", "expressway", "extension",
    "falls", "ferry", "flats", "freeway", "gateway", "glen", "grove", "harbor", "haven", "highway", "hollow", "inlet",
    "lane", "lodge", "motorway", "overpass", "ramp", "road", "throughway", "trace", "track", "tunnel", "turnpike",
    "underpass", "viaduct", "village", "walk", "way", "avenue", "boulevard", "alley", "arcade", "bayou", "bluff",
    "bluffs", "burgh", "burg", "port", "isle", "island", "islands", "mission",
})
