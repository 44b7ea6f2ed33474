"""Numbers in text that their shape or the word before them says are identifiers, not phones, IPs or secrets.

Analytics text is full of numbers that only look like PII: `Invoice 100045123`, `Order #4155550123`, `Build
20240517.2`, `version 10.0.19045.3693`, `2024-03-05T14:22:11Z`. A phone number, an IP address or a long digit run
(the free-text class's `[NUMBER]`) found where

- a label for an identifier stands right before it (invoice, order, ticket, build, version, reference, SKU, ... in
  en/de/fr/es/it/nl, optionally followed by `number`, `no.`, `Nr.`, `#`, `:`), or
- it lies inside an ISO 8601 date or timestamp, or a day-month-year date, that does not follow a birth word, or
- it lies inside a dotted version of four or more parts with a single-digit part inside (`10.0.19045.3693`), or
- it is a year and a sequence number (`2024-000123`, `2021/580963`) or a date and one (`2024.06.18.1234`), or a
  sequence number padded with zeros (`00046059`, `24-00049847`), or
- it follows a version as its build (`1.2.3+20240618.1234`, `5.2.1 (4412398765)`), or is an IP-shaped version
  followed by its build (`14.9.4.199 (4412398765)`), or
- it is the next number of a list after such a label (`builds 4412398765 and 4412398766`),

is an identifier and is kept. Before an IP-shaped dotted quad only a version's or a build's label counts (`version
14.9.4.199`); an order, a request or a job is not numbered with dots (`request 81.2.69.160 blocked` is an address). A
number written as a phone (`+49 …`, `(415) …`, `0171 1234567`) that the phone detector found is not taken for an
identifier because of a label (`Questions about your order: 0171 1234567`), unless the label stands right before it
(`Invoice 0171 1234567`) or says it names a number (`Invoice No: 0171 1234567`, `Rechnungsnr. 0171 1234567`, `Facture n°
06 12 34 56 78`); `+` and `(` numbers stay phones whatever the label. An SSN or a national id that is glued into a
longer reference (`INV-2024-66145169191`, `2024-218-72-9220`) is part of it (`continues_a_reference`), whatever the
label. Findings of other types (cards by Luhn, IBANs, e-mails) are not affected.
"""

from __future__ import annotations

import re

# Findings that a label, a date or a version shape can overrule.
NUMBER_LIKE = frozenset({"PHONE_NUMBER", "IP_ADDRESS", "NUMBER"})

_LABEL_WORDS = (
    # en
    r"invoice|inv|order|ord|ticket|case|incident|issue|bug|build|version|ver|release|revision|rev|ref|reference"
    r"|sku|item|article|part|po|purchase\s+order|receipt|quote|quotation|tracking|shipment|confirmation|booking"
    r"|reservation|transaction|txn|request|job|run|batch|lot|serial|model|pr|pull\s+request|commit|v"
    # a moment counted in seconds or milliseconds (`timestamp 1718712345678`), in en/de/fr/es
    r"|timestamp|epoch|unix\s+time|zeitstempel|horodatage|marca\s+de\s+tiempo"
    # a US ZIP+4 code after its word (`zip 94107-1234`)
    r"|zip|zip\s*code|postal\s+code|postcode"
    # de (compounds: Rechnungsnummer, Bestellnr., Auftragsnummer, Artikelnummer)
    r"|rechnung\w*|bestell\w*|auftrag\w*|artikel\w*|vorgang\w*|lieferschein\w*|sendung\w*|buchung\w*|ticketnummer"
    # fr
    r"|facture|commande|r[ée]f[ée]rence|r[ée]f|billet|dossier|colis|r[ée]servation"
    # es
    r"|factura|pedido|orden|referencia|versi[óo]n|compilaci[óo]n|albar[áa]n|reserva"
    # it
    r"|fattura|ordine|riferimento|versione|biglietto|prenotazione|spedizione"
    # nl
    r"|factuur\w*|bestelling|bestelnummer|referentie|versie|zending"
)
_NUMBER_WORDS = r"number|num|no|nr|n[°º]|n|nummer|num[ée]ro|n[úu]mero|id|code"
# The labels before which a dotted quad is a version, not an address (`version 14.9.4.199`, `build 10.0.0.1`): an
# order, a ticket or a request is not numbered with dots, so `request 81.2.69.160 blocked` names an address.
_VERSION_LABEL = re.compile(r"(?i)(?:build|version|ver|release|revision|rev|v|versi[óo]n|compilaci[óo]n|versione"
                            r"|versie)s?\W*$")
_LABEL = re.compile(  # `Invoice 123`, `Bestellnr. 123`, `order #123`, `build_number=123`, `app_build: 123`, `builds 1`
    rf"(?i)(?<![A-Za-z0-9@./-])(?:{_LABEL_WORDS})s?(?:[\s_-]*(?:{_NUMBER_WORDS})\.?)?(?:\s*[:#=]\s*|\s+|[-_]?#|[-_])$"
)
# A label that says "number" (`Invoice No:`, `Rechnungsnr.`, `n°`, `#`): what follows is that number even when it is
# written as people write phones (`Invoice No: 0171 1234567`); after a bare label it may be one (`order: 0171 …`).
_NUMBERED = re.compile(rf"(?i)(?:(?<![a-z])(?:{_NUMBER_WORDS})|nr|nummer)\.?\s*[:#=]?\s*$|#\s*$")
# The next numbers of a list after a label: `invoices 4155550100 and 4155550101`, `builds 12345678, 12345679`.
_LIST_TAIL = re.compile(r"(?i)(?<![\w.])(?P<number>\d[\d .\-/]*\d)\s*"
                        r"(?:,|&|\b(?:and|or|und|oder|et|ou|y|o|e|en|of)\b)\s*$")
# A build in parentheses after an IP-shaped version: `14.9.4.199 (4412398765)`.
_BUILD_AFTER = re.compile(r"\s*\(\s*\d{4,}\s*\)")
# After a version: semantic versioning's build metadata (`1.2.3+20240618.1234`) and a build in parentheses
# (`5.2.1 (4412398765)`).
_AFTER_VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?:-[0-9A-Za-z.-]+)?(?:\+|\s*\(\s*)$")
_LABEL_REACH = 40  # characters before a number in which its label is looked for

# ISO 8601 dates and timestamps, and day.month.year / month/day/year dates with an optional time.
_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}"
    r"|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)\d{2})"
    r"(?:,?\s+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?(?!\d)"
)
# A date of birth is personal: `born 1985-03-12`, `geboren am 12.03.1985`, `DOB: 03/12/1985`.
_BIRTH = re.compile(r"(?i)(?:born|birth|dob|d\.o\.b|geboren|geburt\w*|n[ée]e?|naissance|nacid[oa]|nacimiento|nat[oa]"
                    r"|nascita|geboortedatum)\W{1,12}(?:\w+\W{1,3}){0,2}$")
# A year and a sequence number, as invoices, orders and cases are numbered (`2024-000123`, `2021/580963`): no phone
# number is written as four digits, a dash and the rest.
_YEAR_SEQUENCE = re.compile(r"(?:19|20)\d{2}[-/]\d{3,8}")
# A sequence number padded with zeros, alone or after its year (`00046059`, `24-00049847`, `2024/000918`): no phone
# number starts with three zeros (`00` is the international prefix, `0049…`), nor has a group of zeros after its first.
_PADDED_SEQUENCE = re.compile(r"(?:(?:(?:19|20)\d{2}|[12]\d)[-/]00|000)\d*")
# A date and then a sequence number: a dated build or release (`2024.06.18.1234`, `2024-06-18-0042`).
_DATED_BUILD = re.compile(r"(?<![\d.-])(?:19|20)\d{2}([.\-])(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])\1\d+(?![\d.-])")
# Four or more dotted parts: 10.0.19045.3693, 3.12.0.4471 (an IP-shaped 14.9.4.199 needs a label before it).
_VERSION = re.compile(r"(?<![\d.])\d+(?:\.\d+){3,}(?![\d.])")


def _names_it(label: str) -> bool:
    """A label right before its number (`Invoice 0171 1234567`) or one that says "number" (`Order No: 0171 …`), not a
    label with a colon (`Questions about your order: 0171 1234567`)."""
    return (":" not in label and "=" not in label) or _NUMBERED.search(label) is not None


def _labels_it(label: str, found: str, entity: str) -> bool:
    if entity == "IP_ADDRESS":
        return _VERSION_LABEL.search(label) is not None
    return entity != "PHONE_NUMBER" or not _written_as_a_phone(found) or _names_it(label)


def _label(text: str, start: int, found: str) -> re.Match[str] | None:
    """The label of the number at `start`, or of the first number of the list it ends (at most 5 back). A number
    written as a phone ends no list of ids that are not (`Bestellung 4711, 0171 1234567`: an order and a phone)."""
    for _ in range(5):
        label = _LABEL.search(text, max(0, start - _LABEL_REACH), start)
        if label is not None:
            return label
        previous = _LIST_TAIL.search(text, max(0, start - _LABEL_REACH), start)
        if previous is None or (_written_as_a_phone(found) and not _written_as_a_phone(previous.group("number"))):
            return None
        start = previous.start()
    return None


def _covered(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    for match in pattern.finditer(text, max(0, start - 32), min(len(text), end + 32)):
        if match.start() <= start and end <= match.end():
            return match
    return None


def _a_version(dotted: str) -> bool:
    """A version has a single-digit part inside it (`10.0.19045.3693`) and is not an IP address. Dotted phone numbers
    have none (`06.12.34.56.78`, `0049.30.1234.5678`, `1.415.555.0100`)."""
    parts = dotted.split(".")
    if not any(len(p) == 1 for p in parts[1:-1]):
        return False
    return len(parts) > 4 or any(int(p) > 255 or (len(p) > 1 and p.startswith("0")) for p in parts)


def _written_as_a_phone(found: str) -> bool:
    """`+49 …`, `(415) …`, `0049 30 …`, `0171 1234567`: a trunk or international prefix and separated groups, as people
    write phone numbers in Europe. Ids are written without the prefix (`2024 0815 4711`) or without separators
    (`0012345678`)."""
    return found.startswith(("+", "(")) or (found.startswith("0") and not found.isdigit())


def _glued(text: str, start: int, end: int) -> bool:
    """True if the number continues past its span (`+1 2024-000123`, `2024-000123-55`)."""
    before = text[max(0, start - 2) : start].rstrip()
    return before.endswith(("+", "(", "-")) or text[end : end + 1] in ("-", "/")


# Numbers that an identity number's shape found (`218-72-9220`, `66145169191`) and that are only part of a reference:
# glued by a dash or a slash to the letters or digits before it (`INV-2024-66145169191`, `2024-218-72-9220`) or to
# digits after it, as the digit runs are not taken in such a reference (detect.py `_digit_run`). The words of identity
# numbers before one (`SSN-536824419`, `DNI-12345678Z`) glue nothing.
GLUED_LIKE = frozenset({"US_SSN", "NATIONAL_ID"})
_GLUED_BEFORE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{1,24})[-/]$")
_GLUED_AFTER = re.compile(r"[-/]\d")
_ID_NUMBER_WORDS = frozenset({"ssn", "ss", "itin", "tin", "ein", "dni", "nie", "nif", "cif", "id", "bsn", "sofi", "nir",
                              "insee", "cf", "nino", "nin", "steuerid", "idnr", "tax", "taxid"})


def continues_a_reference(text: str, start: int, end: int) -> bool:
    """True if the number at text[start:end] is glued into a longer reference (see GLUED_LIKE)."""
    if not text[start : start + 1].isdigit():
        return False  # `RSSMRA85T10A562S`, a codice fiscale, is letters first: glued to nothing
    if _GLUED_AFTER.match(text, end):
        return True
    before = _GLUED_BEFORE.search(text, max(0, start - 26), start)
    return before is not None and before.group(1).lower() not in _ID_NUMBER_WORDS


def is_identifier(text: str, start: int, end: int, entity: str) -> bool:
    """True if the `entity` found at text[start:end] is an identifier, a date or a version (module docstring)."""
    found = text[start:end].strip()
    opening = start + (text[start] in "(+")
    if _AFTER_VERSION.search(text, max(0, opening - 40), opening):
        return True
    if found.startswith(("+", "(")):
        return False
    label = _label(text, start, found)
    if label is not None and _labels_it(label.group(), found, entity):
        return True
    if entity == "IP_ADDRESS" and _BUILD_AFTER.match(text, end):
        return True
    if ((_YEAR_SEQUENCE.fullmatch(found) or _PADDED_SEQUENCE.fullmatch(found)) and not _glued(text, start, end)) or (
            _covered(_DATED_BUILD, text, start, end)):
        return True
    date = _covered(_DATE, text, start, end)
    if date is not None:
        return _BIRTH.search(text, max(0, date.start() - 40), date.start()) is None
    version = _covered(_VERSION, text, start, end)
    return version is not None and _a_version(version.group())
