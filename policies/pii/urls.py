"""URLs inside strings: split them into the pieces the detectors scan, and put them back together.

The detectors see each piece decoded (`?email=jane%40example.com` → `jane@example.com`), so that percent-encoding does
not hide what they look for; a piece they change is encoded again, a piece they leave keeps its original bytes. The
scheme, the port and the URL's shape are kept. User-info (`https://user:pass@host`) is replaced outright, and so are
the values of query parameters whose names are secret (`token`, `api_key`, `code`, ...); the host and port are kept
(an address there is a server's); the path, every other parameter value and the fragment are scanned like any text,
but for numeric ids in path segments (`/orders/2023042703`) and in parameters named for ids (`?order_id=2024-1234`).

Encodings nest: a `next=` or `redirect_uri=` parameter holds a whole URL, percent-encoded, whose own parameters are
encoded once more (`jane%2540example.com`). A decoded value that holds a URL, or is still percent-encoded, is taken
apart again (`Nested`), up to `MAX_NESTING` levels, and encoded back the way it came only if something in it changed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from policies.pii.fields import (
    ADDRESS,
    NAMED_ROLE,
    NUMBER_ID,
    PERSON,
    ROLE,
    field_class,
    field_words,
    names_no_person,
    names_numbered_things,
)
from policies.pii.names import PEOPLE_SEGMENTS, RECORD_NUMBER, TEAM_PAGES, NameFinder, fold
from policies.pii.places import STREET_SUFFIXES, STREET_WORDS

# A URL runs to the first space, quote or angle bracket; trailing sentence punctuation is not part of it.
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://[^\s<>\"'`{}|\\^]+")
_TRAILING = ".,;:!?)]}'\""
_OPENING = {")": "(", "]": "[", "}": "{"}
_QUERY_ONLY = re.compile(r"\?[^\s?#=&]+=[^\s]*")  # Segment's context.page.search: "?q=...&email=..."
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
# A path of its own, as SDKs send the page's (`context.page.path`, `$pathname`): `/users/jane%40example.com/edit`. Only
# with something to decode (a `%`) or a query: a plain path is scanned whole, as any text.
_RELATIVE = re.compile(r"/(?!/)[^\s<>\"'`{}|\\^]*(?:%[0-9A-Fa-f]{2}|\?[^\s?#=&]+=)[^\s<>\"'`{}|\\^]*")
MAX_NESTING = 3  # URLs inside parameters inside URLs: deeper than any redirect chain seen in practice
# A path segment of digits, dashes and underscores is a resource's id (`/orders/2023042703`, `/invoices/2024-000123`,
# `/builds/4378_3373449`), not a phone number: kept as it is. Not when it has the shape of a US phone or SSN
# (`415-555-0100`, `536-90-4418`) or a card's (12 to 19 digits, or grouped 4-4-4-4, 4-6-5), which are scanned.
_ID_SEGMENT = re.compile(r"\d+(?:[-_]\d+)*")
_PHONE_OR_SSN_SEGMENT = re.compile(r"\d{3}-\d{3}-\d{4}|\d{3}-\d{2}-\d{4}")
_CARD_GROUPS = re.compile(r"\d{4}(?:-\d{4}){2,3}(?:-\d{1,3})?|\d{4}-\d{6}-\d{4,5}")
# A dotted version or build in a parameter named for one (`?version=14.9.4.199`, `?build=20240517.1234`): kept, as
# the key rules keep it (fields.py NUMBER_ID), not truncated as an IP address.
_VERSION_VALUE = re.compile(r"v?\d+(?:\.\d+)+(?:[-+_][0-9A-Za-z.]+)?")
# A segment that names a collection of people (`team`, `avatars`, `mitarbeiter`) or a page of them (`ueber-uns`): the
# next one is scanned with it in front (`team/mark-wood`), so that the name finder knows whose page it is (names.py
# _PEOPLE_PATH, _TEAM_PAGE_PATH).
_PEOPLE_SEGMENT = re.compile(rf"(?i)(?:{PEOPLE_SEGMENTS}|{TEAM_PAGES})")


def finite_words(pattern: str) -> frozenset[str]:
    """Every string that `pattern` matches whole, in lower case, when it is written with letters, hyphens, underscores
    and spaces, `[…]` classes of these, `(?:…)` groups, `|` and `?` only (PEOPLE_SEGMENTS, TEAM_PAGES: a finite
    language); ValueError on anything else, so that a wider pattern cannot make a set that misses some of its
    matches."""
    words, end = _alternatives(pattern, 0)
    if end != len(pattern):
        raise ValueError(f"unbalanced group at {end}: {pattern!r}")
    return frozenset(word.lower() for word in words)


def _alternatives(pattern: str, i: int) -> tuple[set[str], int]:
    words, i = _sequence(pattern, i)
    while pattern[i : i + 1] == "|":
        more, i = _sequence(pattern, i + 1)
        words |= more
    return words, i


def _sequence(pattern: str, i: int) -> tuple[set[str], int]:
    words = {""}
    while i < len(pattern) and pattern[i] not in "|)":
        if pattern.startswith("(?:", i):
            atom, i = _alternatives(pattern, i + 3)
            if pattern[i : i + 1] != ")":
                raise ValueError(f"unclosed group: {pattern!r}")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i)
            atom = set(pattern[i + 1 : end])
            # a `-` only first or last (a literal, not a range); no negation, escapes or nested classes
            if end < 0 or not atom or "-" in pattern[i + 2 : end - 1] or not all(_literal(ch) for ch in atom):
                raise ValueError(f"not a class of literals at {i}: {pattern!r}")
            i = end + 1
        elif _literal(pattern[i]):
            atom = {pattern[i]}
            i += 1
        else:
            raise ValueError(f"not a literal at {i}: {pattern!r}")
        if pattern[i : i + 1] == "?":
            atom.add("")
            i += 1
        words = {word + part for word in words for part in atom}
    return words, i


def _literal(ch: str) -> bool:
    return ch.isalpha() or ch in "-_ "


# _PEOPLE_SEGMENT's matches, for a set look-up: the regex costs about 1 µs a segment (a case-insensitive alternation of
# some 150 words, tried at every path segment of every URL), the look-up 0.1.
_PEOPLE_WORDS = finite_words(f"(?:{PEOPLE_SEGMENTS}|{TEAM_PAGES})")


def people_segment(segment: str) -> bool:
    """`_PEOPLE_SEGMENT.fullmatch(segment)`. An ASCII segment matches a case-insensitive pattern of letters exactly when
    its lower case is one of the pattern's words: an ASCII letter's only other case forms (the long s, the Kelvin
    sign) are not ASCII, and no ASCII character folds to a non-ASCII letter of the pattern (`é`). Other segments ask the
    regex."""
    if segment.isascii():
        return segment.lower() in _PEOPLE_WORDS
    return _PEOPLE_SEGMENT.fullmatch(segment) is not None


# The parts are plain classes, not dataclasses: mypyc leaves a dataclass's generated `__init__` interpreted (about
# 1 µs a part, and a URL makes one for every path segment and parameter value), and compiles these.
class Leaf:
    """A piece of a string for the detectors: `text` is what they scan, `raw` what stays if they find nothing;
    `encode` re-encodes a changed `text` (None: use it as is). `an_id`: the URL says the piece is an identifier (an
    invoice's or an order's: `?invoice=…`, `/orders/…`), scanned as an identifier key's value is (no phones, IP
    addresses or national ids in it)."""

    __slots__ = ("an_id", "encode", "raw", "text")

    def __init__(self, text: str, raw: str, encode: Callable[[str], str] | None = None, an_id: bool = False) -> None:
        self.text = text
        self.raw = raw
        self.encode = encode
        self.an_id = an_id

    def __repr__(self) -> str:
        return f"Leaf(text={self.text!r}, raw={self.raw!r}, encode={self.encode!r}, an_id={self.an_id!r})"


class Replaced:
    """A piece replaced without scanning: user-info or a secret parameter's value."""

    __slots__ = ("entity", "raw", "replacement")

    def __init__(self, entity: str, replacement: str, raw: str) -> None:
        self.entity = entity
        self.replacement = replacement
        self.raw = raw

    def __repr__(self) -> str:
        return f"Replaced(entity={self.entity!r}, replacement={self.replacement!r}, raw={self.raw!r})"


class Nested:
    """A decoded value that is taken apart again: `text` (decoded) as `parts`; `raw` stays if no part changes,
    otherwise the new text is encoded back with `encode`."""

    __slots__ = ("encode", "parts", "raw", "text")

    def __init__(self, parts: list[Part], text: str, raw: str, encode: Callable[[str], str]) -> None:
        self.parts = parts
        self.text = text
        self.raw = raw
        self.encode = encode

    def __repr__(self) -> str:
        return f"Nested(parts={self.parts!r}, text={self.text!r}, raw={self.raw!r}, encode={self.encode!r})"


Part = str | Leaf | Replaced | Nested  # a str part is kept verbatim


def _unquote(text: str) -> str:
    """unquote(text), without its call for the many pieces that have nothing to decode (it returns them as they are)."""
    return unquote(text) if "%" in text else text


def _unquote_plus(text: str) -> str:
    """unquote_plus(text), likewise: a piece without a `%` or a `+` is its own decoding."""
    return unquote_plus(text) if "%" in text or "+" in text else text


def _quote_segment(text: str) -> str:
    return quote(text, safe=":@!$&'()*+,;=-._~[]")


def _quote_query(text: str) -> str:
    return quote_plus(text, safe="[]:/@!$'()*,;-._~")


def _quote_fragment(text: str) -> str:
    return quote(text, safe="/:@!$&'()*+,;=-._~[]?")


def _decoded(raw: str, text: str, encode: Callable[[str], str], is_secret: Callable[[str], bool],
             secret_label: str, depth: int) -> Part:
    """The part for `raw`, which decodes to `text`: a leaf, or, when `text` holds a URL or is still encoded, the
    parts of `text` again."""
    # Each test below needs a `%`, a `?` or a `://` in `text`: most path segments and values have none.
    if depth < MAX_NESTING and ("%" in text or "?" in text or "://" in text):
        inner: list[Part] | None = None
        if "://" in text or (text.startswith("?") and _QUERY_ONLY.match(text)) or relative_url(text):
            inner = split_text(text, is_secret, secret_label, depth + 1)
        elif _PERCENT.search(text):
            inner = [_decoded(text, _unquote_plus(text), _quote_query, is_secret, secret_label, depth + 1)]
        if inner:
            return Nested(inner, text, raw, encode)
    return Leaf(text, raw, encode)


def _params(text: str, is_secret: Callable[[str], bool], secret_label: str, depth: int) -> list[Part]:
    parts: list[Part] = []
    pairs = text.split("&")
    # A query with a person's given name (`?prenom=Joel&nom=Cooley`, `?first_name=…&name=…`) holds the surname under
    # the plain name word beside it.
    person = len(pairs) > 1 and any(_param_class(pair.partition("=")[0]) == PERSON for pair in pairs)
    for i, pair in enumerate(pairs):
        if i:
            parts.append("&")
        name, eq, value = pair.partition("=")
        if not eq:
            parts.append(_decoded(pair, _unquote_plus(pair), _quote_query, is_secret, secret_label, depth)
                         if pair else pair)
            continue
        parts.append(name + "=")
        if not value:
            continue
        decoded, plain_name = _unquote_plus(value), _unquote_plus(name)
        if is_secret(plain_name):
            parts.append(Replaced("URL_SECRET", secret_label, value))
        elif (_an_id(value) or _VERSION_VALUE.fullmatch(value)) and _id_param(plain_name):
            parts.append(value)
        elif _a_reference(decoded) and _id_param(plain_name):
            parts.append(Leaf(decoded, value, _quote_query, True))
        elif _a_person(name, decoded) or (person and _a_surname(name, decoded)) or (
                _a_searched_name(name, decoded)):
            parts.append(Replaced("PERSON", "[PERSON]", value))
        elif _a_street(name, value):
            parts.append(Replaced("LOCATION", "[LOCATION]", value))
        else:
            parts.append(_decoded(value, decoded, _quote_query, is_secret, secret_label, depth))
    return parts


@functools.lru_cache(maxsize=1024)  # parameter names repeat across URLs
def _param_class(name: str) -> str | None:
    return field_class(unquote_plus(name))


def _a_person(name: str, value: str) -> bool:
    """A parameter whose name says it holds a person's name, as the field rules read keys (`?full_name=`,
    `?kundenname=`): its value is replaced without scanning, since an unlisted name would pass the detectors. Not a
    role's (`?host=Airbnb+Plus`, `?teacher=Math+Department`): those go to the detectors."""
    return value[:1].isalpha() and _param_class(name) == PERSON and not names_no_person(value)


# Parameters that hold what someone searched for or whom (`?q=`, `?suchbegriff=`, `?zoekterm=`, `?name=`), in
# en/de/fr/es/it/nl.
_SEARCH_PARAMS = frozenset({
    "q", "query", "search", "s", "term", "keyword", "keywords", "kw", "k", "text", "who", "name", "nom", "nombre",
    "nome", "naam", "searchterm", "searchquery", "suche", "suchbegriff", "begriff", "recherche", "requete", "busqueda",
    "buscar", "texto", "cerca", "ricerca", "testo", "zoeken", "zoekterm", "zoek", "zoekopdracht",
})
_VALUE_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


@functools.cache
def _finder() -> NameFinder:
    return NameFinder()


_SEARCH, _ROLE = 1, 2


@functools.lru_cache(maxsize=1024)  # parameter names repeat across URLs
def _names_whom(name: str) -> int:
    """_ROLE for a role's parameter (`owner`, `assignee`, `filter[owner]`), _SEARCH for a search's (`q`, `zoekterm`)
    or a role's that is as often a thing (`user`, `coach`), 0 otherwise."""
    kind = _param_class(name)
    if kind == ROLE:
        return _ROLE
    return _SEARCH if kind == NAMED_ROLE or "".join(field_words(unquote_plus(name))) in _SEARCH_PARAMS else 0


def _a_searched_name(name: str, value: str) -> bool:
    """A search or a role's parameter whose whole value is a name: two to five words, capitalised (particles aside)
    or all in lower case, that the name finder reads as a person's: a search's by `NameFinder.searched_person`
    (`?q=Poncio+de+Amat`, `?zoekterm=jip+groote`, `?name=Yinthe+Huurdeman`; not `?q=Berlin+Marathon`), a role's by
    `NameFinder.named_by_role`, which also takes a listed pair of words (`?assignee=Carol+Bull`; not
    `?host=Airbnb+Plus`). Only a value of letters and spaces is read: most are not."""
    if not 4 < len(value) <= 80 or " " not in value:
        return False
    whom = _names_whom(name)
    if not whom:
        return False
    words = value.split()
    if not 2 <= len(words) <= 5 or not all(_VALUE_WORD.fullmatch(word) for word in words):
        return False
    if not (value.islower() or all(word[0].isupper() or (word.islower() and len(word) <= 3) for word in words)):
        return False
    finder = _finder()
    named = finder.named_by_role(words) if whom == _ROLE else finder.searched_person(words)
    return named and not names_no_person(value)


# Plain name words (fields.py `_NAME_WORDS`, `last`) that, beside a person's given name, hold the surname.
_SURNAME_PARAMS = frozenset({"name", "nom", "nombre", "nome", "naam", "last", "nm"})


def _a_surname(name: str, value: str) -> bool:
    return value[:1].isalpha() and "".join(field_words(unquote_plus(name))) in _SURNAME_PARAMS and not names_no_person(
        value)


def _a_street(name: str, value: str) -> bool:
    """A parameter whose name ends with an address word (`?street=`, `?adresse=`, `?shipping_address=`; not
    `?street_view=`) holding words and a house number (`Aim%C3%A9ehof+89`, which the street patterns miss: they want a
    street word they know), or a street's words without one (`rue+Pons`, `boulevard+Marc+Valentin`, `Patel+Forest`):
    replaced as the field rules replace such a key's value. One word is not a street (`?address=0x71C7…` is a
    wallet's, for the detectors)."""
    if not _street_param(name) or len(value) > 300:
        return False
    text = _unquote_plus(value)
    return _STREET_VALUE.search(text) is not None or _street_words(text)


def _street_words(text: str) -> bool:
    """Two words or more, of which the first starts a street's name (`rue`, `via`, `calle`) or the last ends one
    (`Forest`, `Lane`)."""
    words = text.split()
    return len(words) >= 2 and (fold(words[0]) in STREET_WORDS or fold(words[-1]) in STREET_SUFFIXES)


@functools.lru_cache(maxsize=1024)  # parameter names repeat across URLs
def _street_param(name: str) -> bool:
    words = field_words(unquote_plus(name))
    return bool(words) and words[-1] in _ADDRESS_LAST and _param_class(name) == ADDRESS


_ADDRESS_LAST = frozenset({"address", "addr", "adresse", "anschrift", "direccion", "domicilio", "indirizzo", "adres",
                            "street", "strasse", "rue", "calle", "straat", "line1", "line2"})
# A word of three letters or more and a house number, apart: `Aiméehof 89`, `12 Main St`.
_STREET_VALUE = re.compile(r"[^\W\d_]{3,}[ ,]+\d{1,5}[a-zA-Z]?\b|\b\d{1,5}[a-zA-Z]?[ ,]+[^\W\d_]{3,}")


def _an_id(segment: str) -> bool:
    # `\d` is a decimal digit, which `isdigit` also accepts: most segments are words, and fail here.
    if not segment[:1].isdigit() or not _ID_SEGMENT.fullmatch(segment) or _PHONE_OR_SSN_SEGMENT.fullmatch(segment):
        return False
    return not (12 <= len(segment) <= 19 and segment.isdigit()) and not _CARD_GROUPS.fullmatch(segment)


# A reference as numbering schemes write one (`2024-73324.894937`, `FT`, `INV-2024-0042`): letters and digits, and
# the separators between their groups; its number word first, if any (`Nr. 738235 25657`); a later group apart from
# the first by a space is digits.
_REFERENCE = re.compile(r"(?:(?:No|Nr|N[°º]|n[°º]|#)\.?\s?)?(?P<first>[0-9A-Za-z]+(?:[-._/][0-9A-Za-z]+)*)"
                        r"(?:\s\d+(?:[-._/]\d+)*)*")
_DIGIT = re.compile(r"\d")


def _a_reference(text: str) -> bool:
    """A reference whose first group has a digit, or a series' letters (`FT`, `FAC`); not a word
    (`/orders/17/customer`, `?ref=call+0612345678`)."""
    match = _REFERENCE.fullmatch(text)
    return match is not None and (_DIGIT.search(first := match.group("first")) is not None or first.isupper())


def _numbered_collection(segment: str) -> bool:
    """A path segment that names a collection of numbered things (`invoices`, `credit-notes`, `factures`, by the words
    of fields.py's NUMBER_ID keys; `billing`, `payments`): the references after it
    (`/invoices/FT/2024/2454.138031.9377`) are scanned as identifiers. Set look-ups only: most segments are words and
    slugs that never repeat."""
    if _COLLECTION.fullmatch(segment) is None:
        return False
    words = tuple(segment.lower().replace("_", "-").split("-"))
    return words[-1] in _NUMBERED_PAGES or names_numbered_things(words)


_COLLECTION = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+){0,2}")
# Pages of payments whose next segment is a payment's or an invoice's reference; as keys, `billing` and `payment` may
# hold an address or a card, so fields.py does not name them ids.
_NUMBERED_PAGES = frozenset({"billing", "payment", "payments", "statement", "statements", "zahlungen", "paiements",
                             "pagos", "pagamenti", "betalingen"})


@functools.lru_cache(maxsize=1024)  # parameter names repeat across URLs
def _id_param(name: str) -> bool:
    """A parameter that names an identifier: `id`, `order_id`, `build`, `invoice_number` (fields.py's NUMBER_ID)."""
    words = field_words(name)
    return bool(words) and (words[-1] in ("id", "ids") or field_class(name) == NUMBER_ID)


def split_url(url: str, is_secret: Callable[[str], bool], secret_label: str, depth: int = 0) -> list[Part]:
    scheme, sep, rest = url.partition("://")
    parts: list[Part] = [scheme + sep]
    cut = len(rest)
    for ch in "/?#":
        at = rest.find(ch)
        if 0 <= at < cut:
            cut = at
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        parts += [Replaced("URL_CREDENTIALS", "[CREDENTIALS]", userinfo), "@"]
    # The host and port are kept as they are: a host names a server, not a person, and an IP address there is the
    # server's (`http://127.0.0.1:8765/`), which truncating would break.
    parts.append(authority)
    return parts + _split_tail(tail, is_secret, secret_label, depth)


def _split_tail(tail: str, is_secret: Callable[[str], bool], secret_label: str, depth: int) -> list[Part]:
    """The path, query and fragment of a URL (`/users/jane%40example.com?tab=1#top`), as parts."""
    parts: list[Part] = []
    path, hash_, fragment = tail.partition("#")
    path, qmark, query = path.partition("?")
    previous = ""
    numbered = False  # after a collection of numbered things, until a segment that is no reference
    for i, segment in enumerate(_segments(path)):  # segment by segment: `/` may be part of an e-mail's local part
        if i:
            parts.append("/")
        if "/" in segment:
            parts.append(_two_segments(previous, segment))
            continue
        if _an_id(segment):
            parts.append(segment)
            continue  # `/users/17054/mijo-haring`: the people segment still says whose the next one is
        numbered = numbered and _a_reference(decoded := _unquote(segment))
        if numbered:
            parts.append(Leaf(decoded, segment, _quote_segment, True))
            continue
        numbered = _numbered_collection(segment)
        if segment:
            part = _decoded(segment, _unquote(segment), _quote_segment, is_secret, secret_label, depth)
            parts.append(_in_path(previous, part) if isinstance(part, Leaf) else part)
        if not (segment.lower() in _VIEWS and people_segment(previous)):
            previous = segment

    if qmark:
        parts.append("?")
        parts += _params(query, is_secret, secret_label, depth)
    if hash_:
        parts.append("#")
        if "=" in fragment:  # OAuth implicit flow: #access_token=...&state=...
            parts += _params(fragment, is_secret, secret_label, depth)
        elif fragment:
            parts.append(_decoded(fragment, _unquote(fragment), _quote_fragment, is_secret, secret_label, depth))
    return parts


# A person's name as the path's last two segments after a collection of people, surname first or not
# (`/profile/cummings/jessica`, `/people/anna/schmidt/`): two words of letters, read as one segment so that the name
# finder sees both (names.py _PEOPLE_TWO_SEGMENTS).
_NAME_WORD_SEGMENT = re.compile(r"[^\W\d_]{3,}")


def _segments(path: str) -> list[str]:
    """The path's segments, the last two as one when they read as a name's two words after a people segment."""
    segments = path.split("/")
    end = len(segments) - (segments[-1] == "")  # a slash may end the path
    if (end >= 3 and _NAME_WORD_SEGMENT.fullmatch(segments[end - 1]) and _NAME_WORD_SEGMENT.fullmatch(segments[end - 2])
            and people_segment(segments[end - 3])):
        segments[end - 2 : end] = [segments[end - 2] + "/" + segments[end - 1]]
    return segments


def _two_segments(previous: str, segments: str) -> Leaf:
    """The leaf of two segments of letters (_segments) with their collection in front; each encoded back alone."""
    prefix = previous + "/"

    def encode(new: str) -> str:
        return "/".join(_quote_segment(part) for part in new.removeprefix(prefix).split("/"))

    return Leaf(prefix + segments, segments, encode)


# A record's number and a slug after a collection of people (`/contacts/1703-anna-schmidt`): read with the
# collection in front, as a slug that starts with a letter is.
_RECORD_SLUG = re.compile(rf"{RECORD_NUMBER}[^\W\d_]")
# Segments between a collection of people and one person's: `/contacts/view/dirk-cadefau`, `/users/profile/…`.
_VIEWS = frozenset({"view", "show", "profile", "detail", "details", "edit", "u", "p", "id", "by-name", "card"})


def _in_path(previous: str, part: Leaf) -> Leaf:
    """`part` with the segment before it in front when that one names a collection of people and `part` starts with a
    letter or a record's number and a letter (`1703-anna-schmidt`), or with a slash when it starts with a capital
    (`/Evelyn-Kühnert`, `/Gail-Griffiths-300x300.jpg`: the name finder reads a capitalised slug at the start of a path
    segment only); what the detectors change in the segment is encoded back without it."""
    people = bool(previous) and people_segment(previous)
    if not (part.text[:1].isalpha() or (people and _RECORD_SLUG.match(part.text))):
        return part  # only a segment that starts like a name: `/contacts/415-555-0100` is a phone, glued to nothing
    if people:
        prefix = previous + "/"
    elif part.text[:1].isupper():
        prefix = "/"
    else:
        return part

    def encode(new: str) -> str:
        return _quote_segment(new.removeprefix(prefix))

    return Leaf(prefix + part.text, part.raw, encode)


def relative_url(text: str) -> bool:
    """A path of its own with something to decode or a query (`/users/jane%40example.com`): split like a URL's."""
    return text[:1] == "/" and ("%" in text or "?" in text) and _RELATIVE.fullmatch(text) is not None


def split_text(text: str, is_secret: Callable[[str], bool], secret_label: str, depth: int = 0) -> list[Part] | None:
    """`text` as parts around the URLs it contains, or None if it has none (the caller scans it whole)."""
    if text.startswith("?") and _QUERY_ONLY.match(text):
        return ["?", *_params(text[1:], is_secret, secret_label, depth)]
    if relative_url(text):
        return _split_tail(text, is_secret, secret_label, depth)
    if "://" not in text:
        return None
    parts: list[Part] = []
    pos = 0
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            closing = text[end - 1]
            opening = _OPENING.get(closing)
            # `(see https://x/a_(b))` ends the URL at the first `)`; `?t=[SECRET]` keeps its bracket.
            if opening and text.count(opening, start, end) >= text.count(closing, start, end):
                break
            end -= 1
        if start > pos:
            parts.append(Leaf(text[pos:start], text[pos:start]))
        parts += split_url(text[start:end], is_secret, secret_label, depth)
        pos = end
    if not parts:
        return None
    if pos < len(text):
        parts.append(Leaf(text[pos:], text[pos:]))
    return parts
