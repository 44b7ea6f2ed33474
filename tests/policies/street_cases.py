"""Generated cases for street addresses in free text, multi-line blocks, fields and URL queries, made at run time from
a seed: streets and house numbers from Faker's en/de/fr/es/it/nl locales, with the street words each language writes
(`Str.`, `Via`, `Rue`, `Calle`, `straat`, `Avenida`), c/o lines and the sentences, keys and URLs of this module's own.
Nothing here comes from an evaluation corpus. `python -m tests.policies.street_cases [SEED] [N] [--show]`.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from urllib.parse import quote_plus

from faker import Faker

from tests.policies.pii_cases import Case

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")


def _street(rnd: random.Random, faker: Faker, locale: str) -> str:
    """A street and its number as the locale writes it, sometimes abbreviated (`Goethestr. 5`, `Av. de ...`)."""
    street = str(faker.street_address()).split("\n")[0]
    if locale == "de_DE" and rnd.random() < 0.4:
        street = street.replace("straße", "str.").replace("strasse", "str.").replace("Straße", "Str.")
    if locale == "es_ES" and rnd.random() < 0.3:
        street = street.replace("Calle ", "C/ ").replace("Avenida ", "Avda. ")
    return street


_Text = Callable[[str, str, str], str]  # (street, postcode, city) -> text
TEMPLATES: list[tuple[str, str, _Text]] = [
    ("free_text", "note", lambda s, p, c: f"Please deliver to {s}, {p} {c}"),
    ("free_text", "note", lambda s, p, c: f"Customer moved to {s} last week"),
    ("free_text", "nachricht", lambda s, p, c: f"Bitte an {s} in {c} liefern"),
    ("free_text", "commentaire", lambda s, p, c: f"Livraison au {s}, {p} {c}"),
    ("free_text", "comentario", lambda s, p, c: f"Enviar a {s}, {c}"),
    ("free_text", "nota", lambda s, p, c: f"Spedire a {s} - {p} {c}"),
    ("free_text", "opmerking", lambda s, p, c: f"Bezorgen op {s} te {c}"),
    ("free_text", "note", lambda s, p, c: f"I live at {s} ({c})"),
    ("multiline", "address_block", lambda s, p, c: f"{s}\n{p} {c}"),
    ("multiline", "shipping_label", lambda s, p, c: f"c/o Hausverwaltung\n{s}\n{p} {c}"),
    ("multiline", "note", lambda s, p, c: f"New address:\n{s}\n{p} {c}\nThanks"),
    ("field", "home_address", lambda s, p, c: f"{s}, {p} {c}"),
    ("field", "anschrift", lambda s, p, c: s),
    ("field", "adresse_postale", lambda s, p, c: f"{s} {p} {c}"),
    ("field", "direccion", lambda s, p, c: s),
    ("field", "indirizzo", lambda s, p, c: s),
    ("field", "adres", lambda s, p, c: s),
    ("url_query", "$current_url", lambda s, p, c: f"https://maps.example.com/search?q={quote_plus(s + ', ' + c)}"),
    ("url_query", "$current_url", lambda s, p, c: f"https://shop.example.com/checkout?street={quote_plus(s)}&zip={p}"),
]


def cases(seed: int = 7, per_template: int = 7) -> list[Case]:
    rnd = random.Random(seed)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed * 100 + i)
    out = []
    for emb, key, make in TEMPLATES:
        for i in range(per_template):
            locale = LOCALES[i % len(LOCALES)]
            faker = fakers[locale]
            street = _street(rnd, faker, locale)
            out.append(Case("STREET_ADDRESS", emb, key, make(street, str(faker.postcode()), str(faker.city())),
                            (street, quote_plus(street))))
    return out


if __name__ == "__main__":
    from tests.policies.pii_cases import report

    report(sys.argv[1:], cases, 7, ("STREET_ADDRESS",))
