"""The Presidio recognizers the value detectors run: Presidio's own, tightened where they miss or over-match, and ours.

Presidio's own, tightened:
- E-mail: Presidio validates the domain with a module-level `tldextract.extract`, which fetches the Public Suffix List
  over the network on first use (tldextract#332). Ours validates with an extractor that has no suffix-list URLs.
- Phone: Presidio matches VALID numbers only (leniency 1), which misses many real-world and test numbers (a 555
  number is not "valid"). We match POSSIBLE numbers by default and reject what only looks like a phone: digit runs
  glued to words (`ORD-2024-000123`, UUID groups) or to other digit groups, dates, grouped amounts, dotted
  versions, `#123…` references, numbers of fewer than 7 or more than 15 digits (17 with a leading 0: `00` or a trunk
  prefix), such as 16-digit invoice numbers, and bare digit runs that are not North American numbers (timestamps,
  ids).
- Credit card: Presidio's pattern misses 18–19 digit and some Maestro numbers; ours takes 12–19 digits with an
  issuer's prefix and one of that issuer's lengths, and Luhn, so millisecond timestamps and most numeric ids (prefix
  1, 7–9, or a length no issuer uses) never qualify.
- IP address: Presidio's pattern finds `120.0.0.0` in `Chrome/120.0.0.0`; ours rejects version-shaped contexts.

Ours: JWT, bearer/basic credentials, token-shaped values after a key or token label (`api_key=…`) or before it (`… is my
API key`), AWS access key ids, vendor secret keys by their documented prefixes (Stripe, GitHub, Slack, Google, OpenAI,
SendGrid, GitLab, npm, PostHog personal, and the others listed in SecretKeyRecognizer), French NIRs by their key, PEM
private keys, URL user-info, Ethereum addresses; passwords written out in text (`password: "hunter2"`, `Passwort ist
...`, `mot de passe : ...`; with a few words between when the value is shaped like a password: `the wifi password for
guests is Gast!2024`; `pw:`/`PIN:`; `credentials: admin:...`) and street addresses (a street word and a house number, in
the order each language writes them: `12 Baker Street`, `Hauptstraße 5`, `12 rue de la Paix`, `Calle Mayor 5`, `Via Roma
12`, `Keizersgracht 123`); people named by context in each language: after a title (Mr, Frau, Mme, Sra., Sig., Dhr.),
after a greeting (Dear, Hallo, Bonjour, Hola, Ciao, Beste), on the line after a sign-off (Best regards, Mit freundlichen
Grüßen, Cordialement, Saludos, Cordiali saluti, Met vriendelijke groet), and as the display name of an e-mail address
(`Jane Doe <jane@...>`); after a role's label (`cc:`, `Kunde:`, `escalated by`, `asignado a`) when no word of the name
is an English word or a company form; and people named in full, by the name gazetteer (names.py: a given name followed
by a surname, `Jane Doe`, `anna-schmidt` in a URL).
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeGuard

import phonenumbers
import regex
import tldextract
from phonenumbers import phonenumbermatcher as _phone_matcher_module
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CryptoRecognizer,
    DeTaxIdRecognizer,
    EmailRecognizer,
    EsNieRecognizer,
    EsNifRecognizer,
    IbanRecognizer,
    IpRecognizer,
    ItFiscalCodeRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UsSsnRecognizer,
)
from presidio_analyzer.predefined_recognizers.generic import iban_recognizer as _iban_module

from policies.pii.name_context import (
    CONTACT_WORD,
    LIST_CUE,
    MEETING_CUE,
    PROFILE_FIRST,
    UI_VERB_WORDS,
    addressed_span,
    find_names,
    named_by_context,
    thanked_someone,
    unlisted_name_words,
)
from policies.pii.names import ARTICLES, NameFinder, fold
from policies.pii.passwords import PASSWORD_PATTERNS, QUOTE
from policies.pii.pattern_matches import deduplicated, pattern_matches
from policies.pii.places import LAST, PO_BOXES, STREET_TABLE, TYPE, USPS_SUFFIXES
from policies.pii.prefilter import BatchScan
from policies.pii.regex_time import presidio_run

CASE_SENSITIVE = regex.DOTALL | regex.MULTILINE
CASE_INSENSITIVE = CASE_SENSITIVE | regex.IGNORECASE


def offline_tld_extractor() -> tldextract.TLDExtract:
    """A suffix extractor that uses the snapshot shipped inside tldextract: no URL to fetch, no cache to write."""
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


@dataclass
class TextScan:
    """One text that the analyzer hands to each recognizer in turn, with what is scanned once for all of them: the
    person recognizers' gates (one hyperscan pass, asked for by the first of them that runs)."""

    text: str
    _people: int = field(default=-1, repr=False)  # the person gates' bits, once scanned

    def person_gates(self) -> int:
        if self._people < 0:
            self._people = _person_gates().open_gates([self.text])[0]
        return self._people


class DirectPatternRecognizer(PatternRecognizer):
    """A pattern recognizer of ours that the analyzer runs directly (`matches`, pattern_matches.py) on the patterns
    whose gates opened, with the text's shared scans; `analyze` is the same on all its patterns, for Presidio's
    engine (the NER path). `explain`: its results carry Presidio's explanation (the pattern's name), for a recognizer
    that reads it; the person recognizers do."""

    explain: ClassVar[bool] = False

    def matches(self, scan: TextScan, patterns: Sequence[Pattern], flags: int | None = None) -> list[RecognizerResult]:
        return pattern_matches(self, patterns, scan.text, flags, self.explain)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        return self.matches(TextScan(text), self.patterns, regex_flags)


def runs_directly(recognizer: EntityRecognizer) -> TypeGuard[PatternRecognizer]:
    """Whether `matches` gives what `recognizer.analyze` does: ours, and Presidio's pattern recognizers that keep its
    `analyze` (an override, such as IbanRecognizer's, runs as it is)."""
    return isinstance(recognizer, DirectPatternRecognizer) or (
        isinstance(recognizer, PatternRecognizer) and type(recognizer).analyze is PatternRecognizer.analyze)


def matches(recognizer: PatternRecognizer, scan: TextScan, patterns: Sequence[Pattern]) -> list[RecognizerResult]:
    """`recognizer.analyze(scan.text, …)` with `patterns` (a sublist of its own) in place of its patterns, for a
    recognizer that runs_directly()."""
    if isinstance(recognizer, DirectPatternRecognizer):
        return recognizer.matches(scan, patterns)
    return pattern_matches(recognizer, patterns, scan.text)


class OfflineEmailRecognizer(EmailRecognizer):
    def __init__(self, extractor: tldextract.TLDExtract) -> None:
        super().__init__()
        # Domains repeat far more than addresses (gmail.com, the company's own): remember the answer per domain.
        self._has_suffix = functools.lru_cache(maxsize=4096)(lambda domain: extractor(domain).fqdn != "")

    def validate_result(self, pattern_text: str) -> bool:
        return self._has_suffix(pattern_text.rpartition("@")[2].lower())


_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_GROUPED_AMOUNT = re.compile(r"\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,2})?")
_VERSION = re.compile(r"(?=(?:\d+\.)*\d\.)\d+(?:\.\d+){2,}")  # 3.5.6.1230: dotted groups, one of a single digit
_NOT_BEFORE = frozenset("#$€£¥")
# An amount grouped by spaces (`1 234 567`, French and others), told from a phone by its currency or its decimals.
_SPACED_AMOUNT = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥]|EUR|USD|GBP|CHF|CAD|AUD)[ \u00a0\u202f]?$")
_CURRENCY_AFTER = re.compile(r"[.,]\d{1,2}(?!\d)|[ \u00a0\u202f]?(?:[$€£¥]|EUR|USD|GBP|CHF|CAD|AUD|kr|zł)")
_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?|#)\s*\d+$")


def _spaced_amount(text: str, start: int, end: int) -> bool:
    """True if `text[start:end]` is an amount grouped by spaces, with a currency or decimals: `€ 1 234 567,89`."""
    return (_SPACED_AMOUNT.fullmatch(text, start, end) is not None
            and (_CURRENCY_BEFORE.search(text, max(0, start - 4), start) is not None
                 or _CURRENCY_AFTER.match(text, end) is not None))


def _glued_before(text: str, start: int) -> bool:
    """True if the match at `start` continues a word: `ORD-2024…`, `v1.2…`, `…e29b-41d4`, `Chrome/120…`."""
    if start == 0:
        return False
    before = text[start - 1]
    if before.isalnum() or before == "_" or before in _NOT_BEFORE:
        return True
    return before in "-./:" and start >= 2 and (text[start - 2].isalnum() or text[start - 2] == "_")


def _glued_after(text: str, end: int) -> bool:
    if end >= len(text):
        return False
    after = text[end]
    if after.isalnum() or after == "_":
        return True
    return after in "-./" and end + 1 < len(text) and text[end + 1].isalnum()


_GROUPS_BEFORE = re.compile(r"(?:\d+ )+$")
_GROUPS_AFTER = re.compile(r"(?: \d+)+")
_GROUPS_REACH = 40  # characters before and after a match that _part_of_long_number reads for more groups


def _main_digits(found: str) -> int:
    """The digits of a phone number, not counting its extension (`x2263`, `ext. 12`)."""
    return sum(c.isdigit() for c in _EXTENSION.split(found, 1)[0])


def _too_long(found: str, digits: int) -> bool:
    # E.164 numbers have at most 15 digits; 2 more for an international prefix (00) or a trunk zero.
    return digits > 17 or (digits > 15 and not found.lstrip("+( ").startswith("0"))


def _part_of_long_number(text: str, start: int, end: int) -> bool:
    """True if the match is some of the space-separated groups of a number longer than a phone number: the last
    groups of `4111 1111 1111 1112`. `+1 415 555 0100 +1 415 555 0100` is two numbers, each of them whole."""
    found = text[start:end]
    digits = _main_digits(found)
    if not (text[start].isdigit() or text[end - 1].isdigit()):
        return False
    if text[start].isdigit():
        before = _GROUPS_BEFORE.search(text, max(0, start - _GROUPS_REACH), start)
        if before:
            digits += sum(c.isdigit() for c in before.group())
    if text[end - 1].isdigit() and not _EXTENSION.search(found):
        after = _GROUPS_AFTER.match(text, end, end + _GROUPS_REACH)
        if after:
            digits += sum(c.isdigit() for c in after.group())
    return _too_long(found, digits)


_BARE = re.compile(r"\d+")
# A number written to call: a link (`tel:+4930…`), or glued to a phone word by its dot or colon (`tel.0612345678`,
# `Mobil:01711234567`), or by nothing when the word is long enough to say so (`phone415-555-0132`,
# `Rufnummer0171-1234567`), as people type them in short notes.
_LINK = re.compile(r"(?i)(?:tel|callto|sms|facetime|whatsapp):(?://)?\+?$"
                   r"|(?<![^\W\d_])(?:tel|t[ée]l|phone|ph|mob|mobil|mobile|cell|handy|fax|gsm|tlf|telf|telefon|telefono"
                   r"|tel[ée]fono|telefoon|mobiel|cellulare|m[óo]vil|portable)[.:]{1,2}\+?$"
                   r"|(?<![^\W\d_])(?:phone|telephone|mobile|handy|telefon|telefono|tel[ée]fono|telefoon|mobiel"
                   r"|cellulare|rufnummer|telefonnummer|handynummer|mobilnummer|phonenumber|whatsapp)[.:]{0,2}\+?$")
# Any word and a colon before an international number: `contact:+442079460958`.
_WORD_COLON = re.compile(r"(?<![^\W\d_])[^\W\d_]{2,20}:$")
_LINK_REACH = 16  # characters before a number that _LINK reads: `telefonnummer` and a `+`
# A number said to be one to call, in the same clause: `mi móvil es 612345678`, `chiamami al 3471234567`. Spanish and
# Italian numbers have no trunk 0, so their national form is a bare run that only these words tell from an id. Not a
# count (`number of page views: 1234567`), nor `text` or `sms` that no one is sent to (`Text length 98765432`).
_SAID = re.compile(r"(?i)\b(?:phone|telephone|tel|call|ring|mobile?|cell|handy|mobil|telefon\w*|rufnummer|nummer"
                   r"|number(?!\s+of\b)|num[ée]ro|n[úu]mero|m[óo]vil|celular|tel[ée]fono|portable|cellulare|telefono"
                   r"|bel|bellen|mobiel|telefoon|appelle[rz]?|appelez|ll[aá]m\w*|chiam\w*|anrufen|ruf|whatsapp"
                   r"|(?:sms|text)(?=\s+(?:me|us|him|her|them|to|at|on|an|al|au|a)\b))\b[^.!?\n\d]{0,25}$")
_SAID_REACH = 48
_NANP = re.compile(r"1?[2-9]\d{2}[2-9]\d{6}")


# phonenumbers' candidate search, read from its matcher module (PhoneNumberMatcher._find uses them; no public name):
# the same objects, so that _all_never_kept walks exactly the candidates the matcher does. Private names: a release
# without them leaves them None and every text goes to the matchers, as before this shortcut (slower, same findings).
_PHONE_CANDIDATE: re.Pattern[str] | None = getattr(_phone_matcher_module, "_PATTERN", None)
_SECOND_NUMBER_START: re.Pattern[str] | None = getattr(_phone_matcher_module, "_SECOND_NUMBER_START_PATTERN", None)
_MAX_TRIES = 65535  # PhoneNumberMatcher's default max_tries, which _Matcher keeps


class _Matcher(phonenumbers.PhoneNumberMatcher):
    """phonenumbers' matcher that does not parse a candidate none of whose matches ContextPhoneRecognizer.analyze
    would keep: one with fewer digits than a number needs, or a bare run of digits (every match in it is bare too)
    that no link precedes, that does not start with a `0` and is too short for a North American number.
    Parsing costs about 25 µs per candidate and region; ticket, build and order numbers are most candidates.
    `never` holds that test's answers by (offset, candidate), shared by the matchers of one text's regions.

    `alike` stays True while every candidate parsed was a number found whole and written with its country code
    (`+49 151 57525403`): such a candidate reads the same in every region (_international), so when all of them do, the
    other regions' matchers walk the same candidates to the same numbers, and need not run."""

    min_digits = 7
    nanp = False
    never: dict[tuple[int, str], bool]
    alike = True

    def _extract_match(self, candidate: str, offset: int) -> Any:
        never = self.never.get((offset, candidate))
        if never is None:
            never = self.never[(offset, candidate)] = _never_kept(self.text, candidate, offset, self.min_digits,
                                                                  self.nanp)
        if never:
            return None  # as a failed candidate: the search moves past it, one try fewer
        match = super()._extract_match(candidate, offset)
        if self.alike and (match is None or match.start != offset or match.raw_string != candidate
                           or not _international(candidate)):
            self.alike = False
        return match


def _international(candidate: str) -> bool:
    """Whether phonenumbers parses `candidate` with no region: then it parses it the same in every region. Without one,
    `parse` takes only a number written with a `+` and a country code it knows, found on its first reading; that
    reading never looks at the region (the region's international prefix is read only when there is no `+`, and the
    metadata it then uses is that of the number's own country), so `parse(candidate, region)` gives that number for
    any region, and the matcher's checks of it (possible, valid, grouped) read the number and the text alone."""
    try:
        phonenumbers.parse(candidate, None, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return False
    return True


def _all_never_kept(text: str, min_digits: int, nanp: bool, never: dict[tuple[int, str], bool]) -> bool:
    """Whether every candidate phonenumbers' matcher would try in `text` is one _Matcher skips. The candidates are the
    same in every region until one is parsed and matches (the matcher's own loop, PhoneNumberMatcher._find, which moves
    past a failed candidate to the same index whatever the region): when all of them are skipped, no region finds a
    number, and the matchers need not run. Fills `never` with the answers, for the matchers when they do run."""
    if _PHONE_CANDIDATE is None or _SECOND_NUMBER_START is None:
        return False
    index, tries = 0, 0
    while (match := _PHONE_CANDIDATE.search(text, index)) is not None:
        start = match.start()
        candidate = text[start : match.end()]
        second = _SECOND_NUMBER_START.search(candidate)
        if second is not None:
            candidate = candidate[: second.start()]
        tries += 1
        if not candidate or tries >= _MAX_TRIES:
            return False  # phonenumbers' own ends to its loop: let the matchers run as they do
        key = (start, candidate)
        if not never.setdefault(key, _never_kept(text, candidate, start, min_digits, nanp)):
            return False
        index = start + len(candidate)
    return True


def _never_kept(text: str, candidate: str, offset: int, min_digits: int, nanp: bool) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if digits < min_digits:
        return True
    if not candidate.isascii():
        return False
    # A candidate of digits alone has no inner match (phonenumbers splits a candidate at slashes, brackets, hyphens,
    # dots and spaces): its only match is all of it, kept only if it starts with a trunk 0 (or as below).
    if candidate.isdigit():
        return (not candidate.startswith("0") and (not nanp or len(candidate) < 10)
                and _LINK.search(text, max(0, offset - _LINK_REACH), offset) is None
                and _SAID.search(text, max(0, offset - _SAID_REACH), offset) is None)
    return _long_run_of_groups(candidate, digits)


_SPACED_GROUPS = re.compile(r"[0-9]+(?: [0-9]+)+")


def _long_run_of_groups(candidate: str, digits: int) -> bool:
    """Whether `candidate` is groups of ASCII digits split by single spaces, too many digits for a phone number
    (`4111 1111 1111 1111`), every match in it dropped by _part_of_long_number.

    Why every match: split only at spaces, its inner matches (phonenumbers' _extract_inner_match) are single groups,
    so each match the matcher makes of it, or of what is left of it after a match, is whole groups, starting and
    ending with a digit. _part_of_long_number counts the groups before and after such a match, within _GROUPS_REACH
    characters: all of the candidate's, since it is no longer than that. So it counts at least the candidate's digits,
    which _too_long finds too many: more than 17, or more than 15 where the match does not start with a 0 (no group
    does). In at most _GROUPS_REACH characters the candidate holds at most 20 digit blocks, of the 21 phonenumbers'
    candidate pattern allows, so it ends where the text stops that pattern; so does the candidate that the matcher's
    search finds after a match in it, and the search goes on from where it goes on after skipping the candidate."""
    if len(candidate) > _GROUPS_REACH or _SPACED_GROUPS.fullmatch(candidate) is None:
        return False
    return digits > 17 or (digits > 15 and not candidate.startswith("0") and " 0" not in candidate)


# Spaces phonenumbers does not take for a separator, yet typography puts between a number's groups: the thin and narrow
# no-break spaces (French `06 12 34 56 78` is set with U+202F), the other fixed-width spaces. Read as a plain space,
# one character for one, so that spans stay the text's.
_PHONE_SPACES = str.maketrans(dict.fromkeys("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
                                            "\u205f", " "))


class ContextPhoneRecognizer(PhoneRecognizer):
    def __init__(self, regions: Sequence[str], leniency: int, min_digits: int = 7) -> None:
        super().__init__(supported_regions=tuple(regions), leniency=leniency)
        self._min_digits = min_digits
        self._leniency = leniency
        self._nanp = bool({"US", "CA"} & set(regions))

    def _matches(self, text: str) -> list[RecognizerResult]:
        """PhoneRecognizer.analyze without its second parse of each match (for the region named in an explanation
        that the analyzer drops, and that raises for most national numbers): the same spans, scores and metadata."""
        results = []
        metadata = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        never: dict[tuple[int, str], bool] = {}
        if _all_never_kept(text, self._min_digits, self._nanp, never):
            return []
        for region in self.supported_regions:
            matcher = _Matcher(text, region, leniency=self._leniency)
            matcher.min_digits, matcher.nanp, matcher.never = self._min_digits, self._nanp, never
            for match in matcher:
                results.append(RecognizerResult(self.supported_entities[0], match.start, match.end, self.SCORE,
                                                recognition_metadata=dict(metadata)))
            if matcher.alike:  # every other region would find these numbers, and only these (_Matcher)
                break
        return deduplicated(results)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        text = text.translate(_PHONE_SPACES)
        for r in self._matches(text):
            found = text[r.start : r.end]
            digits = _main_digits(found)
            if digits < self._min_digits or _too_long(found, digits):
                continue
            # tel:+4930…, contact:+4930…: a number written to call
            link = _LINK.search(text, max(0, r.start - _LINK_REACH), r.start) is not None or (
                found.startswith("+") and _WORD_COLON.search(text, max(0, r.start - 24), r.start) is not None)
            if (not link and _glued_before(text, r.start)) or _glued_after(text, r.end) or \
                    _part_of_long_number(text, r.start, r.end):
                continue
            if (_DATE.fullmatch(found) or _GROUPED_AMOUNT.fullmatch(found.strip()) or _VERSION.fullmatch(found)
                    or _spaced_amount(text, r.start, r.end)):
                continue
            if _BARE.fullmatch(found) and not _bare_run_kept(text, r.start, found, link, self._nanp):
                continue
            results.append(r)
        return results


def _bare_run_kept(text: str, start: int, found: str, link: bool, nanp: bool) -> bool:
    """People write phone numbers with a +, a trunk 0 or separators; a bare run of digits without them is a number
    only in North America (area and exchange codes 2-9), or where it is written or said to be one to call. Otherwise
    it is an id or a timestamp. A run glued to a word with nothing between is the word's suffix (`mobile1234567`)."""
    said = not text[start - 1 : start].isalpha() and (
        link or _SAID.search(text, max(0, start - _SAID_REACH), start) is not None)
    return said or found.startswith("0") or (nanp and _NANP.fullmatch(found) is not None)


class StallRetriedIbanRecognizer(IbanRecognizer):
    """Presidio's IBAN recognizer, which runs its regexes itself: a run in which a search timed out is tried again
    while the tries have not used the limit in CPU time (regex_time.presidio_run), as our recognizers' searches
    are. The same name, patterns and findings."""

    def __init__(self) -> None:
        super().__init__(name="IbanRecognizer")

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        run = super().analyze
        return presidio_run(lambda: run(text, entities, nlp_artifacts, regex_flags),
                            _iban_module.REGEX_TIMEOUT_SECONDS)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Issuer prefixes and the lengths their cards have (ISO/IEC 7812 ranges the networks publish): Visa, Mastercard (51-55,
# 2221-2720), Amex, Diners, JCB, Discover, UnionPay, Maestro, Mir. A Luhn-valid number outside them is an id: one random
# number in ten passes Luhn.
_ISSUERS = re.compile(
    r"4(?:\d{12}|\d{15}|\d{18})|5[1-5]\d{14}|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}|3[47]\d{13}"
    r"|3(?:0[0-5]|[689]\d)\d{11,16}|35(?:2[89]|[3-8]\d)\d{12,15}|6(?:011|4[4-9]\d|5\d\d)\d{12,15}|62\d{14,17}"
    r"|(?:5018|5020|5038|5893|6304|6759|676[1-3])\d{8,15}|220[0-4]\d{12}"
)


def card_shaped(digits: str) -> bool:
    """An issuer's prefix with one of its lengths, and the Luhn check digit."""
    return _ISSUERS.fullmatch(digits) is not None and luhn_valid(digits)


class LuhnCardRecognizer(DirectPatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("card 12-19 digits", r"(?<!\w)(?<!\w[\-.])[2-6]\d{3}(?:[ -]?\d){8,15}(?!\w)", 0.3)
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CREDIT_CARD", patterns=self.PATTERNS, global_regex_flags=CASE_SENSITIVE,
            name="LuhnCardRecognizer",
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = "".join(c for c in pattern_text if c.isdigit())
        if pattern_text[-1] in " -" or not 12 <= len(digits) <= 19:
            return False
        # Groups must be consistent: either no separators or groups of 3-6 digits (4-4-4-4, 4-6-5, 4-4-4-4-3).
        groups = re.split(r"[ -]", pattern_text)
        if len(groups) > 1 and any(not 3 <= len(g) <= 6 for g in groups[:-1]):
            return False
        return card_shaped(digits)


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
# An IPv4 address glued to its word, as people and logs write it: `ip81.2.69.160`, `client_ip81.2.69.160`,
# `IP/81.2.69.160` (presidio's pattern wants a word boundary before it).
_IP_WORD_BEFORE = re.compile(r"(?i)(?:\b|_)ip(?:v4|s)?/$")


class ContextIpRecognizer(IpRecognizer, DirectPatternRecognizer):
    def __init__(self) -> None:
        super().__init__(patterns=[*IpRecognizer.PATTERNS, Pattern(
            "IPv4 glued to its word", rf"(?<=(?i:(?:\b|_)ip(?:v4)?))(?:{_OCTET}\.){{3}}{_OCTET}(?![\d.])", 0.6)])

    def matches(self, scan: TextScan, patterns: Sequence[Pattern], flags: int | None = None) -> list[RecognizerResult]:
        text = scan.text
        results = []
        for r in pattern_matches(self, patterns, text, flags):
            # `Chrome/120.0.0.0`, `v1.2.3.4`, `build 10.0.0.1` in a version string are not addresses.
            if (r.start >= 2 and text[r.start - 1] == "/" and text[r.start - 2].isalpha()
                    and not _IP_WORD_BEFORE.search(text, max(0, r.start - 8), r.start)):
                continue
            if r.start >= 1 and text[r.start - 1] in "vV" and (r.start == 1 or not text[r.start - 2].isalnum()):
                continue
            results.append(r)
        return results


def _pattern_recognizer(
    entity: str, name: str, patterns: Sequence[tuple[str, str]], score: float = 0.95, flags: int = CASE_SENSITIVE
) -> PatternRecognizer:
    return DirectPatternRecognizer(
        supported_entity=entity,
        name=name,
        patterns=[Pattern(pname, pattern, score) for pname, pattern in patterns],
        global_regex_flags=flags,
    )


class BasicAuthRecognizer(DirectPatternRecognizer):
    """`Basic <base64>` only when the base64 decodes to `user:password`, so that "Basic plan" stays."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="BEARER_TOKEN",
            name="BasicAuthRecognizer",
            patterns=[Pattern("basic credentials", r"(?<=\bbasic\s{1,4})[A-Za-z0-9+/]{6,}={0,2}", 0.9)],
            global_regex_flags=CASE_INSENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        try:
            decoded = base64.b64decode(pattern_text + "=" * (-len(pattern_text) % 4), validate=True)
        except (binascii.Error, ValueError):
            return False
        return b":" in decoded


# A key or token after its label: `api_key=…`, `X-Api-Key: …`, `client_secret: "…"`, `Authorization: Token …`. The
# value is token-shaped: 16 or more characters of the alphabets tokens use (base64, base64url, hex), with a letter and a
# digit, so that `token expired` or `secret: none` stay; not a UUID (`idempotency key 550e8400-…` is an id) nor a
# numbered id (`INV-2024-00012345`).
_SECRET_LABEL = (r"(?:\b|(?<=_))(?:x-)?(?:(?:api|access|license|licence|private|secret|app|client|master|signing"
                 r"|service|encryption|write|auth|account|shared[-_ ]?access)?[-_ ]?key|access[-_ ]?key"
                 r"|secret(?:[-_ ]?key)?|client[-_ ]?secret|(?:access|auth|api|refresh|session|bearer|id)?[-_ ]?token"
                 r"|authorization|shared[-_ ]?access[-_ ]?signature|sig(?==)"
                 # the same in de/fr/es/it/nl: API-Schlüssel, clé API, clave de API, chiave API, API-sleutel, jeton
                 r"|api[-_ ]?schl(?:ü|ue|u)ssel|geheimer?[-_ ]?schl(?:ü|ue|u)ssel|cl[ée]\s+(?:d['\u2019])?api"
                 r"|cl[ée]\s+secr[èe]te|clave\s+(?:de\s+(?:la\s+)?)?api|clave\s+secreta|chiave\s+(?:dell['\u2019])?api"
                 r"|chiave\s+segreta|api[-_ ]?sleutel|geheime\s+sleutel|jeton(?:\s+d['\u2019]acc[èe]s)?"
                 # a key or an auth value named by its word alone: `Schlüssel: …`, `la clé est …`, `Twilio auth …`
                 r"|schl(?:ü|ue|u)ssel|cl[ée]|clef|clave|chiave|sleutel|auth"
                 # an access key in de/fr/it/nl: `Zugangsschlüssel`, `clé d'accès`, `chiave di accesso`
                 r"|zugangsschl(?:ü|ue|u)ssel|toegangssleutel|cl[ée]\s+d['\u2019]acc[èe]s|chiave\s+di\s+accesso)")
_SECRET_IS = r"(?:is|ist|lautet|est|es|è|era|was|wordt|are|sind|sont|son|sono|zijn)"
# After the label: a separator, an arrow, a parenthesis, or a verb (`API-Schlüssel lautet …`, `the key is …`, `token ->
# …`, `the secret (…)`); or up to three words and then a separator or a verb (`API key for prod: …`).
_SECRET_SAID = (rf"(?:\s*[:=]\s*|\s*(?:-+>|\u2192)\s*|\s*\(\s*|\s+(?:{_SECRET_IS}\s+)?"
                rf"|(?:\s+[^\s:=\"]{{1,20}}){{1,3}}?(?:\s*[:=]\s*|\s*(?:-+>|\u2192)\s*|\s+{_SECRET_IS}\s+))")
# Words joined by `_`, `-` or `.`, each all letters or a short number (`checkout_button_v2`, `feature-flag-2024`): what
# programs name things, not what they generate.
_IDENTIFIER = r"[a-z]+(?:[_\-.](?:[a-z]+|[a-z]?\d{1,4}))+(?![\w\-.+/=~])"
# Its first two tests are necessary conditions, cheap, and tried first, so that the label's look-behind runs only where
# a token could start: not inside a word, and 16 of a token's characters ahead.
_LABELLED_SECRET = (r"(?<![A-Za-z0-9_\-.+/~])(?=[A-Za-z0-9_\-.+/=~]{16})"
                    rf"(?<={_SECRET_LABEL}{QUOTE}?{_SECRET_SAID}"
                    rf"(?:{QUOTE}|(?:bearer|token|basic)\s+)?)"
                    r"(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w.+/=~-]))"
                    # nor a numbered id: a short prefix, then digits (`INV-2024-00012345`)
                    r"(?![A-Za-z]{0,6}[-_/#]?\d[\d\-_/.]*(?![\w+/=~]))"
                    # nor an identifier of words with a short number (`key metric is checkout_button_v2`)
                    rf"(?!{_IDENTIFIER})"
                    r"(?=[A-Za-z0-9_\-.+/=~]*\d)(?=[A-Za-z0-9_\-.+/=~]*[A-Za-z])[A-Za-z0-9_\-.+/=~]{16,512}")

# A UUID is a key only right after a label that names a secret (`API key: 3a7c1e9b-…`, `secret = …`; Heroku's keys are
# UUIDs), never after `key` alone or with words between (`idempotency key 550e8400-…`, `API key id: …`).
_UUID_SECRET = (r"(?<=\b(?:api[-_ ]?(?:key|token)|secret(?:[-_ ]?key)?|client[-_ ]?secret|access[-_ ]?token"
                rf"|auth[-_ ]?token|licen[cs]e[-_ ]?key){QUOTE}?(?:\s*[:=]\s*|\s+(?:{_SECRET_IS}\s+)?){QUOTE}?)"
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w.+/=~-])")

# A token before its label: `Zq8vN2mK4pR7tW1x is my API key`, `use f3a9c2e8… as the token`, `… ist der
# API-Schlüssel`. Token-shaped as above, and random as tokens are: both cases of letters, or hex digits only (not
# `checkout_button_v2 is the key metric`); the label ends its clause.
_SECRET_BEFORE = (r"(?<![A-Za-z0-9_\-.+/=~])(?=[A-Za-z0-9_\-.+/=~]*\d)(?=[A-Za-z0-9_\-.+/=~]*[A-Za-z])"
                  r"(?:(?=[A-Za-z0-9_\-.+/=~]*[a-z])(?=[A-Za-z0-9_\-.+/=~]*[A-Z])|(?=[0-9a-fA-F]{16,}(?![\w\-.+/=~])))"
                  r"(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w.+/=~-]))"
                  r"(?![A-Za-z]{0,6}[-_/#]?\d[\d\-_/.]*(?![\w+/=~]))"
                  r"[A-Za-z0-9_\-.+/=~]{16,512}(?![A-Za-z0-9_\-.+/=~])"
                  r"(?=[\"'\u201c\u201d\u00bb\u2019`)]?\s+(?:is|was|as|ist|war|als|est|comme|es|como|è|come|era|zijn|wordt"
                  r"|is\s+nu)\s+(?:(?:the|my|our|your|a|new|der|die|das|mein|meine|unser|le|la|mon|notre|el|mi"
                  r"|nuestra|il|mio|nostro|de|het|mijn|onze|nieuwe|neuer|nouvelle|nueva|nuovo)\s+)*"
                  r"(?:\w+[-\s])?(?:api[-_\s]?)?(?:key|token|secret|schl(?:ü|ue)ssel|cl[ée]|clave|chiave|sleutel)"
                  r"(?:\s+api)?(?=\s*(?:[.,;:!?)]|$)|\s+(?:for|to|of|in|on|from|and|und|f[üu]r|et|pour|y|para|e|per"
                  r"|en|voor|van)\b))")

# A random token near a word about keys, in the same clause: `can you rotate Zx8Qw3… for staging`, `tokens: …, …`,
# `use Zx8Qw3… to authenticate`. Random as generated tokens are: 20 or more characters with upper- and lower-case
# letters and digits, so that ids people name (`ORD-2024-0001234`), hex digests and identifiers stay. Case-sensitive
# (the words are matched in any case).
_TOKEN_CHARS = r"[A-Za-z0-9_\-.+/=~]"
# (candidates._SECRET_LABEL holds each word's start: keep them in step.)
# `key` as an adjective (`the key metric`, `key accounts`) is not a key.
_KEY_AS_ADJECTIVE = (r"(?:metric|feature|takeaway|point|account|result|factor|figure|date|role|part|issue|question"
                     r"|insight|driver|value|stat|event|moment|step|area|user|customer|page|word|term|benefit"
                     r"|component|partner|indicator|kpi|finding|learning|player|contact|decision|goal|objective"
                     r"|aspect|element|difference|reason|concept|principle|idea|factor|skill|topic|market)s?\b")
_KEY_WORDS = (rf"(?i:keys?\b(?!\s+{_KEY_AS_ADJECTIVE})|tokens?|secrets?|credentials?|creds|auth\w*|rotate[ds]?"
              r"|rotating|revoke[ds]?|revoking"
              r"|leak(?:ed|s)?|exposed?|compromised|schl(?:ü|ue)ssel|claves?|chiavi|chiave|sleutels?|jetons?"
              r"|geheim\w*|secret[oa]s?|segret[oi]|segreta)")
_SECRET_NEAR = (rf"(?<![A-Za-z0-9_\-.+/=~])(?={_TOKEN_CHARS}{{20}})(?={_TOKEN_CHARS}*[a-z])(?={_TOKEN_CHARS}*[A-Z])"
                rf"(?={_TOKEN_CHARS}*\d)(?!(?i:{_IDENTIFIER}))(?!eyJ)"  # a JWT is JwtRecognizer's
                rf"(?:(?<=\b{_KEY_WORDS}\b[^.!?\n]{{0,60}}){_TOKEN_CHARS}{{20,512}}(?!{_TOKEN_CHARS})"
                rf"|{_TOKEN_CHARS}{{20,512}}(?!{_TOKEN_CHARS})(?=[^.!?\n]{{0,40}}\b{_KEY_WORDS}\b))")

# Runs of one kind of character: lower case, upper case, digits, anything else.
_RUNS = re.compile(r"[a-z]+|[A-Z]+|[0-9]+|[^a-zA-Z0-9]+")


class SecretNearItsWordRecognizer(DirectPatternRecognizer):
    """_SECRET_NEAR, when the token is random: not a path or a URL, and not made of words. A generated token changes
    between lower case, upper case and digits at nearly every character (`aB3dE5gH7jK9mN1pQ3sT`: 20 runs in 20; at
    least 0.4 a character in 99.5 % of random base62 tokens of 20), a name of words far less often
    (`ReactNativeBridgeModule2024`: 9 in 27, `SamsungGalaxyS24Ultra` 8 in 21)."""

    def __init__(self) -> None:
        super().__init__(supported_entity="SECRET_KEY", name="SecretNearItsWordRecognizer",
                         patterns=[Pattern("token near a key word", _SECRET_NEAR, 0.85)],
                         global_regex_flags=CASE_SENSITIVE)

    def validate_result(self, pattern_text: str) -> bool:
        if pattern_text.startswith("/") or "//" in pattern_text:
            return False
        return len(_RUNS.findall(pattern_text)) * 5 >= len(pattern_text) * 2


_NUMBER = r"\d{1,5}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:[-/]\d{1,4})?"
_NAMEWORD = r"[A-ZÀ-Ý][\w'\u2019.-]*"
_OF = (r"(?:(?:de|del|de\s+la|della|delle|dei|degli|di|da|du|des|la|le|l['\u2019]|d['\u2019]|el|los|las|san|santa"
       r"|sankt|st\.)\s*)*")
# A street's type at its name's end, capitalised, as US and British addresses write it (places.STREET_TABLE's types
# and last words, and USPS Publication 28's suffixes).
_SUFFIX = "(?:" + "|".join(sorted({w.capitalize() for w, flags in STREET_TABLE.items() if flags & (LAST | TYPE)}
                                  | {w.capitalize() for w in USPS_SUFFIXES})) + ")"
# A flat's, a suite's or a unit's number after a street (`Apt. 057`, `Suite 021`).
_UNIT = r"(?:[ \t]+(?:Apt\.?|Suite|Unit|Ste\.?|#)[ \t]*[\w-]{1,6})"
# A postcode and the town after it: five digits (de/fr/es/it/us), four digits and two capitals (nl), or a British
# postcode (`CO84 9YX`, `N6D 6XX`), each before a capitalised town.
_DUTCH_POSTCODE = r"[1-9]\d{3}\s?[A-Z]{2}"
_POSTCODE_AND_TOWN = rf"(?:\d{{5}}|{_DUTCH_POSTCODE}|[A-Z]{{1,2}}\d[A-Z\d]?\s\d[A-Z]{{2}})\s+[A-ZÀ-Ý]"
# after a word and a number, only the Dutch postcode, which no other number is written like (`Seite 2, 10115 Berlin`
# is a page)
_DUTCH_POSTCODE_AND_TOWN = rf"{_DUTCH_POSTCODE}\s+[A-ZÀ-Ý]"
_STREET_PATTERNS = [
    # 221B Baker Street, 1600 Pennsylvania Avenue NW
    ("en", rf"\b{_NUMBER},?\s+(?:{_NAMEWORD}\s+){{1,4}}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard"
           r"|Blvd|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Circle|Trail|Row|Mews"
           r"|Gardens|Grove|Walk)\b\.?"),
    # 12 rue de la Paix, 5 bis avenue Victor Hugo
    ("fr", rf"\b\d{{1,4}}(?:\s?(?:bis|ter|[a-zA-Z](?![a-zA-Z])))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|chemin|all[ée]e"
           rf"|place|impasse|quai|route|cours|passage|square)\s+{_OF}{_NAMEWORD}(?:\s+{_OF}{_NAMEWORD}){{0,3}}"),
    # Without a number, before a postcode: `avenue Laine, 52212 Bouvet`, `rue de Delattre\n50899 Bertin`.
    ("fr postcode", rf"\b(?i:rue|avenue|boulevard|chemin|all[ée]e|impasse|quai|place)\s+{_OF}{_NAMEWORD}"
                    rf"(?:\s+{_OF}{_NAMEWORD}){{0,3}}(?=,?\s+\d{{5}}\s+[A-ZÀ-Ý])"),
    # Hauptstraße 5, Berliner Straße 12a, Keizersgracht 123, Lindenlaan 4
    ("de-nl", rf"\b(?:{_NAMEWORD}\s+)?[A-ZÄÖÜ][a-zà-öø-ÿß-]*(?i:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|ring|damm"
              rf"|ufer|chaussee|steig|pfad|straat|laan|plein|gracht|kade|singel|dijk|dreef|steeg)"
              rf"\s+{_NUMBER}\b"),
    ("de-nl words", rf"\b{_NAMEWORD}\s+(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Ring|Gasse)\s+{_NUMBER}\b"),
    # Calle Mayor 5, Avenida de la Constitución, 12, Via Roma 12, Piazza San Marco 1
    # (in lower case too, as typed: `c/ Mayor 12`, `viale Monza 12`; not `corso`, `via`, `plaza`: `il corso Python 3`)
    ("es-it", rf"\b(?:calle|c/|avenida|paseo|viale|piazza|vicolo|carrer"
              rf"|Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Pza\.|Camino|Carretera|Ronda|Traves[ií]a|Carrer|Pla[çc]a"
              rf"|Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Strada|Contrada|Lungomare|Borgo|Rotonda|Incrocio"
              rf"|Stretto|Traversa|Vico|Salita|Canale)\s+{_OF}{_NAMEWORD}"
              rf"(?:\s+{_OF}{_NAMEWORD}){{0,3}},?\s*(?:n[º°.]?\s*)?\d{{1,4}}\b"),
    # A house number, the street's words and its type (USPS's suffixes too) before a postcode and its town, on its
    # line or the next: `57466 Patel Forest, 24791 Barnesberg`, `4266 Adkins Park Suite 021, Port Tony, CA 88337`,
    # `7 Young Stravenue, CO84 9YX Reidtown`; and a street's word and its number before a Dutch postcode
    # (`Juliebaan 69, 7328VN Waskemeer`). The postcode and its town say it is an address, not the words (`Windows 10
    # Pro, 2019 SP`, `Seite 2, 10115 Berlin`).
    ("number and postcode", rf"\b\d{{1,5}}[a-zA-Z]?[ \t]+(?:{_NAMEWORD}[ \t]+){{1,3}}{_SUFFIX}\b\.?{_UNIT}?"
                            rf"(?=(?:,[ \t]*|[ \t]*\r?\n[ \t]*)(?:{_POSTCODE_AND_TOWN}"
                            rf"|(?:{_NAMEWORD}[ \t]+){{0,2}}{_NAMEWORD},[ \t]*[A-Z]{{2}}[ \t]+\d{{5}}\b))"),
    ("street number and postcode", rf"\b{_NAMEWORD}\s+\d{{1,4}}[a-zA-Z]?(?=,?\s+{_DUTCH_POSTCODE_AND_TOWN})"),
    # A post office box with its number, in en/de/fr/es/it/nl: `PO Box 4821`, `Postfach 12 34`, `Postbus 1234`,
    # `Apartado de correos 45`, `Casella postale 12`, `Boîte postale 7`, where a box number ends: the text's or a
    # line's end, a comma, a full stop, or a postcode and a town (not `Postbus 12 dagen vertraagd`, nor a webmail's
    # inbox `Postfach 12 Nachrichten`: German capitalises its nouns); `BP 123` only before a postcode and a town.
    ("po box", rf"(?:\b(?i:{PO_BOXES})\s+\d{{1,6}}(?:\s\d{{2,4}})?"
               r"(?=[ \t]*(?:$|[,;\n\r)]|\.(?:\s|$))|[ \t]+\d{4,5}[ \t]+[A-ZÀ-Ý])"
               r"|\b(?:BP|B\.P\.)\s+\d{1,5}(?=,?\s+\d{5}\s+[A-ZÀ-Ý]))\b"),
]


# Latin-1 and Latin Extended-A letters (`Radúz Ďurovič`, `Vesna Topić`, `İhsanoğlu`): Extended-A mixes both cases,
# so a name may start with one of its lower-case letters; no word of running text does.
_EXTENDED_A = "\u0100-\u017f"
# A name's word ends where its word ends: `Mende Krein GmbH` holds no name `Mende Krein Gmb`.
_GIVEN = (rf"[A-ZÀ-Ý{_EXTENDED_A}][a-zß-ÿ{_EXTENDED_A}]+(?:-[A-ZÀ-Ý{_EXTENDED_A}][a-zß-ÿ{_EXTENDED_A}]+)?"
          r"(?![^\W\d_])")
_PARTICLES = r"(?:(?:van|von|zu|ter|ten|den|der|de|del|della|di|da|du|des|la|le|dos|das|y|het)[ \t]+)*"
# Not a person: the words a sign-off or greeting is often followed by instead (The Team, Ihr Support-Team, Le service).
_NOT_A_NAME = (r"(?!(?:The|Your|Our|All|Everyone|Team|Support|Customer|Ihr|Ihre|Euer|Eure|Das|Dein|Deine|Alle|Le|La|Les"
               r"|Votre|Vos|Tous|El|Los|Las|Su|Sus|Todos|Il|Lo|Gli|Tutti|Het|Uw|Jullie|Allen|Iedereen)\b)")
_FULL_NAME = rf"{_NOT_A_NAME}{_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{0,3}}"  # on one line
_TITLE = (r"(?i:mr|mrs|ms|miss|mx|dr|prof|herr|herrn|frau|hr|fr|mme|mlle|monsieur|madame|sr|sra|srta|se[ñn]or|se[ñn]ora"
          r"|sig|sig\.ra|signor|signora|dott|dott\.ssa|dhr|mevr|mw|meneer|mevrouw)")
_GREETING = (r"(?i:dear|hi|hello|hey|hallo|liebe|lieber|sehr\s+geehrte[r]?|bonjour|salut|cher|ch[èe]re|hola"
             r"|estimad[oa]|querid[oa]|ciao|gentile|car[oa]|beste|hoi|dag"
             # the time of day's greetings: `Guten Tag Bimala Dyal,`, `Buenos días …`, `Goedemiddag …`
             r"|good\s+(?:morning|afternoon|evening)|guten\s+(?:tag|morgen|abend)|bonsoir|buen[oa]s\s+(?:d[íi]as|tardes"
             r"|noches)|buongiorno|buonasera|goede(?:morgen|middag|navond))")
# A welcome that greets someone back or before a comma, in en/de/fr/es/it/nl (`Welcome back, Anna!`, `Willkommen
# zurück Jan`, `Bienvenue, Claire`): a welcome before a capital alone is as often a thing's (`Welcome Kit`, `Welcome
# Tour`, `Welkom Pakket`).
_WELCOME = (r"(?i:(?:welcome\s+back|willkommen\s+zur[üu]ck|bon\s+retour|bienvenid[oa]\s+de\s+nuevo|bentornat[oa]"
            r"|welkom\s+terug),?|(?:welcome|willkommen|bienvenue|bienvenid[oa]|benvenut[oa]|welkom),)")
_SIGN_OFF = (r"(?i:regards|best|thanks|thank\s+you|cheers|sincerely|gr[üu](?:ß|ss)e|gru(?:ß|ss)|gr[üu](?:ß|ss)en"
             r"|cordialement|bien\s+[àa]\s+vous|merci|saludos|atentamente|un\s+saludo|cordiali\s+saluti|saluti"
             r"|grazie|groet|groeten)")
# The legal forms and words for a group of companies in en/de/fr/es/it/nl, after a company named like a person.
_LEGAL_FORM = (r"(?:(?i:gmbh|mbh|ag|kg|ohg|ug|kgaa|sas|sarl|srl|spa|bv|nv|ltd|llc|llp|plc|inc|group|groep|gruppe|groupe"
               r"|grupo|gruppo|holding|sa|sl|slu)\b|(?:S|s)\.\s?[A-Za-z]\.|[BN]\.\s?V\.|e\.\s?[VKG]\.|&[ \t]*Co\b"
               r"|e[ \t]+figli|et[ \t]+Fils|Hermanos|y[ \t]+Asociados)")
_FIRM_AFTER = rf",?[ \t]+{_LEGAL_FORM}"
_THANKS = r"(?i:thanks|thank\s+you|thx|danke|merci|gracias|grazie|bedankt|dank\s+je(?:wel)?)"
_PERSON_PATTERNS = [
    ("title", rf"(?<=\b{_TITLE}\.?\s+){_FULL_NAME}"),
    # A surname with its particle after a title: `Mevrouw de Vries`, `Herrn von Weizsäcker`, `Sra. de la Fuente`.
    ("title and particle", rf"(?<=\b{_TITLE}\.?\s+)(?:van|von|zu|ter|ten|den|der|de|del|della|dello|dei|di|da|du|la|le"
                           r"|dos|das)"
                           rf"[ \t]+{_PARTICLES}{_GIVEN}"),
    ("greeting", rf"(?<=(?:^|[\s,.;!?])\b{_GREETING}\s+(?:{_TITLE}\.?\s+)?){_FULL_NAME}(?=\s*[,!:\n]|\s*$)"),
    # `Welcome back, Anna!`, `Hi, Anna`: as after thanks (name_context.thanked_someone), one word only if it is a
    # listed given name (`Welcome back, Boss`, `Hey, Google` stay)
    ("welcome", rf"(?<=(?:^|[\s,.;!?])\b(?:{_GREETING},|{_WELCOME})\s+(?:{_TITLE}\.?\s+)?){_FULL_NAME}"
                r"(?=\s*[,!:\n]|\s*$)"),
    # not a company signing (`Viele Grüße\nMende Krein GmbH`)
    ("sign-off", rf"(?<=\b{_SIGN_OFF}[,!.]?[ \t]*\r?\n[ \t]*)(?!{_FULL_NAME}{_FIRM_AFTER}){_FULL_NAME}"),
    ("display name", rf"{_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{1,3}}(?=[ \t]*<[^<>@\s]+@)"),  # Thijn van der Strigt
    # `Thanks Ramona!`, `Merci Élise,`: one word only if it is a listed given name (name_context.thanked_someone)
    ("thanks", rf"(?<=(?:^|[\s,.;!?])\b{_THANKS}[ \t,]+){_FULL_NAME}(?=[ \t]*[,!.:;)]|\s*$)"),
]


# Labels of interfaces (autocapture element text, page titles) before a person's name, in en/de/fr/es/it/nl: `Signed
# in as X`, `Message X`, `Écrire à X`, `Profil von X`, `Conversation with X`.
_SEEN_LABEL = (r"(?:(?:signed|logged)\s+in\s+as|angemeldet\s+als|eingeloggt\s+als|connect[ée]e?\s+en\s+tant\s+que"
               r"|conectad[oa]\s+como|sesi[óo]n\s+iniciada\s+como|conness[oa]\s+come|accesso\s+come"
               r"|ingelogd\s+als|aangemeld\s+als|profile\s+of|profil\s+von|profil\s+de|perfil\s+de"
               r"|profilo\s+di|profiel\s+van|ficha\s+de|fiche\s+de|dossier\s+de|scheda\s+di|conversation\s+with"
               r"|conversation\s+avec|discussion\s+avec|[ée]change\s+avec|entretien\s+avec"
               r"|gespr[äa]ch\s+mit|conversaci[óo]n\s+con|conversazione\s+con|gesprek\s+met"
               r"|chat\s+with|chatten\s+mit|chatear\s+con|chatta\s+con|chatten\s+met)")
# A person in a role, named after the role's label: `cc: Oluwaseun Adeyemi`, `escalated by Mohammed Al-Farsi`, `Kunde:
# Tanaka Hiroshi`. Two to four capitalised words that the gazetteer may not list (PersonByRoleRecognizer keeps only
# those of which no word is an English word or a company form: `by Google Analytics`, `from Acme Corp` stay).
_ROLE_LABEL = (r"(?i:(?:cc|bcc|to|from|attn|assignee|owner|customer|client|contact(?:\s+person)?|requester|reporter"
               r"|agent|employee|kunde|kundin|kontakt|ansprechpartner(?:in)?|mitarbeiter(?:in)?|empf[äa]nger|absender|client[e]?"
               r"|interlocuteur|destinataire|exp[ée]diteur|contacto|destinatario|remitente|contatto|referente"
               r"|mittente|klant|contactpersoon|medewerker|ontvanger|afzender"
               # a task's owner in de/fr/es/it/nl, as `owner:` in en
               r"|verantwortlich|inhaber(?:in)?|responsable|propri[ée]taire|propietari[oa]|responsabile"
               r"|proprietari[oa]|eigenaar|verantwoordelijke)\s*:"
               r"|(?:assigned\s+to|signed\s+by|requested\s+by|reported\s+by|escalated\s+by|approved\s+by"
               r"|reviewed\s+by|submitted\s+by|created\s+by|invited\s+by|handled\s+by|on\s+behalf\s+of|zugewiesen\s+an"
               r"|angefragt\s+von|erstellt\s+von|bearbeitet\s+von|im\s+auftrag\s+von|assign[ée]\s+[àa]|demand[ée]\s+par"
               r"|cr[ée]{2}\s+par|sign[ée]\s+par|de\s+la\s+part\s+de|asignado\s+a|solicitado\s+por|creado\s+por"
               r"|firmado\s+por|assegnato\s+a|richiesto\s+da|creato\s+da|firmato\s+da|toegewezen\s+aan"
               r"|aangevraagd\s+door|aangemaakt\s+door|ondertekend\s+door"
               # who reported a thing, and a button that assigns it, in de/fr/es/it/nl as in en
               r"|gemeldet\s+von|signal[ée]\s+par|reportado\s+por|segnalato\s+da|gemeld\s+door|zuweisen\s+an"
               r"|attribu(?:er|[ée])\s+[àa]|assigner\s+[àa]|asignar\s+a|assegna(?:re)?\s+a|toewijzen\s+aan)"
               # who is signed in, whom a button writes to, whose page or conversation a title names
               rf"|{_SEEN_LABEL})")
_ROLE_WORDS = rf"{_NOT_A_NAME}{_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{1,3}}"
# not a company named like a person (`Gespräch mit Carsten Eberth GmbH`): tried before the name, so that no shorter
# reading of it is taken instead
_ROLE_NAME = rf"(?<=\b{_ROLE_LABEL}[ \t]+)(?!{_ROLE_WORDS}{_FIRM_AFTER}){_ROLE_WORDS}"
# A person by what a note says was done with them (name_context.MEETING_CUE: `Call with`, `Termin mit`, `our driver`,
# `Kunde`, `Name:`): two to four capitalised words up to the next word that is not one, kept only when they read as a
# name by their shape (name_context.unlisted_name_words), so that no list need hold them.
_CUE_NAME = (rf"(?<=(?<![^\W\d_]){MEETING_CUE}[ \t]+)(?!{_ROLE_WORDS}{_FIRM_AFTER}){_ROLE_WORDS}"
             r"(?![ \t]*[A-ZÀ-Ý]|[\w'\u2019-])")
# A person written `Surname, Given` after a role's label or a strong cue, as directories and ticket systems sort people
# (`Assigned to King, Robert`, `Chat with Mason, Hope`, `Owner: van de Greef, Melle`): a capitalised word with its
# particles, a comma and one capitalised word that no other follows, kept when NameFinder.inverted_pair reads them as
# a surname and a given name.
_INVERTED = rf"{_NOT_A_NAME}{_PARTICLES}{_GIVEN},[ \t]+{_GIVEN}(?![ \t]*[A-ZÀ-Ý]|[\w'\u2019-])"
_ROLE_INVERTED = rf"(?<=\b{_ROLE_LABEL}[ \t]+){_INVERTED}"
_CUE_INVERTED = rf"(?<=(?<![^\W\d_]){MEETING_CUE}[ \t]+){_INVERTED}"
# The names after the first of a list of people (name_context.LIST_CUE: `Attendees: Tavrel Okumbe, Lisandre Vautrin
# und Hidde Wijnbergen`), each after a comma, a semicolon or `and` in en/de/fr/es/it/nl, read as the first is. Up to
# _LIST_LENGTH names: the look-behind reads the list back to its cue at every name, so its cost grows with the square
# of the list's length (a list of 250 names ran into the CPU limit); a meeting's list is shorter.
_LIST_LENGTH = 12
_LIST_SEPARATOR = r"(?:[ \t]*[,;&][ \t]*|[ \t]+(?:and|und|et|y|e|en)[ \t]+)"
_LIST_NAME = (rf"(?<=(?<![^\W\d_]){LIST_CUE}[ \t]+(?:{_ROLE_WORDS}{_LIST_SEPARATOR}){{1,{_LIST_LENGTH}}})"
              rf"(?!{_ROLE_WORDS}{_FIRM_AFTER}){_ROLE_WORDS}(?![ \t]*[A-ZÀ-Ý]|[\w'\u2019-])")
# Whose page a title or a tab names: `Jane Doe's profile`, `Anna Schmidt's dashboard` (or with U+2019).
_POSSESSED = ("['\u2019]" r"s[ \t]+(?i:profile|dashboard|account|page|calendar|tasks|inbox|notes|settings|workspace"
              r"|team)\b")
_POSSESSOR_NAME = rf"{_NOT_A_NAME}{_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{1,3}}(?={_POSSESSED})"
# A title or an element's text whose other part says it is someone's profile or someone in a workspace: `Daciana Dinu |
# LinkedIn`, `Olivia Manole - Mitarbeiterprofil`, `Sabatino di Morandini · Admin`.
_PROFILE_WORD = (r"(?i:linkedin|xing|\w*profil|\w*profile|\w*profiel|\w*profilo|\w*perfil|admin|owner|member|editor"
                 r"|viewer|guest|mitglied|membre|miembro|membro|lid)\b")
_PROFILE_PART = rf"[ \t]+[|\u2013\u2014\u00b7-][ \t]+{_PROFILE_WORD}"
# A contact card's or a label's lines: a role's label alone on the line before a name alone on its own (`Ansprechpartner
# \n Vesna Topić`), or a name alone on its line before a role (`Yago Ricart \n Account owner`).
_ROLE_LINE = (r"(?i:ansprechpartner(?:in)?|kontaktperson|contact(?:\s+person)?|contactpersoon|contacto|contatto"
              r"|interlocuteur|referente|persona\s+de\s+contacto|account\s+(?:owner|manager)|owner|assignee"
              r"|sales\s+rep(?:resentative)?|customer\s+success\s+manager|key\s+account\s+manager)")
_LINE_NAME = rf"{_NOT_A_NAME}{_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{1,2}}"
_ROLE_LINE_NAME = (rf"(?<=(?<![^\n])[ \t]*{_ROLE_LINE}[ \t]*:?[ \t]*\r?\n[ \t]*){_LINE_NAME}(?=[ \t]*(?:\r?\n|$))"
                   rf"|(?<![^\n]){_LINE_NAME}(?=[ \t]*\r?\n[ \t]*{_ROLE_LINE}[ \t]*(?:\r?\n|$))")
# A name before a contacts' page (`Tavrel Okumbe - Contacts - Acme CRM`) or after a profile's or contacts' word
# (`Profile – Tavrel Okumbe`, `Profil · Lisandre Vautrin | Acme`), read by shape (name_context.unlisted_name_words).
_SEPARATOR = r"[|\u2013\u2014\u00b7:-]"
_CONTACT_CARD = rf"(?<![^\n]){_LINE_NAME}(?=[ \t]+{_SEPARATOR}[ \t]+{CONTACT_WORD})"
_PROFILE_FIRST = (rf"(?<=(?<![^\n])[ \t]*{PROFILE_FIRST}[ \t]*{_SEPARATOR}[ \t]*){_LINE_NAME}"
                  rf"(?=[ \t]*(?:\r?\n|$)|[ \t]+{_SEPARATOR}[ \t])")
# The patterns whose names no list need hold, kept only when they read as a name by their shape.
_BY_SHAPE = frozenset({"cue", "cue list", "contact card", "profile first", "cue inverted"})
_CUED = frozenset({"cue", "cue list"})  # of them, the names after a strong cue
_UI_VERB = "|".join(sorted(UI_VERB_WORDS))  # `Edit Patrizio della Mattarella - Admin`: the verb is no name
_PROFILE_NAME = (rf"(?<=(?<![^\n])(?:(?:{_UI_VERB})[ \t]+)?)(?!(?:{_UI_VERB})[ \t])"
                 rf"(?:{_NOT_A_NAME}{_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{1,2}})(?={_PROFILE_PART})")


# A person by what the sentence says they do or where it puts them, in en/de/fr/es/it/nl: `Sieghard Mohaupt hat
# angerufen`, `Rückruf bei Paolo Hande`, `Meeting with Goyo Ibañez`. Two or three capitalised words, kept only when
# one of them is a listed name that is not a word and none is an English word, a company form or a place word
# (PersonInContextRecognizer): `Deutsche Bahn hat angerufen`, `with Google Analytics` stay.
_PERSON_VERB = (r"(?:called|asked|requested|wrote|said|mentioned|reported|emailed|wants|needs|signed|approved|joined"
                r"|replied|confirmed|complained|phoned|hat|ruft|rief|bittet|m[öo]chte|schrieb|meldet|a|souhaite"
                r"|demande|veut|llam[óo]|pidi[óo]|quiere|solicita|escribi[óo]|ha|vuole|chiede|richiede|belde|heeft"
                r"|wil|vraagt|vroeg"
                # says, calls (back) in en/de/fr/es/it/nl; not a copula (`Rotterdam Centraal is closed`)
                r"|says|sagt|dit|dice|zegt|belt|appelle|rappelle|llama|chiama|richiama|anrufen|zur[üu]ckrufen"
                r"|terugbellen"
                # commented, left, prefers, can('t), wishes: `Le client Lazzaro Bertoli ne peut pas`
                r"|commented|left|prefers|kann|kan|w[üu]nscht|peut|puede|riesce)")
_PERSON_PLACE = (r"(?:with|from|for|to|mit|von|bei|an|f[üu]r|avec|de|pour|chez|[àa]|con|para|por|da|per|met|van|voor"
                 r"|naar|bij|aan|by|di)")
# Verbs of saying or writing: before one, two capitalised words are a person even when the lists know neither word
# (`Mato Martić schrieb`), if they read as a name (name_context.named_by_context): no English word, no company's,
# place's or article's word. Not after prepositions: `eBooks by Rakuten Kobo`, `Richiesta di Poste Italiane`.
_SAYING = (r"(?:wrote|said|writes|says|schrieb|schreibt|sagte|sagt|a[ \t]+[ée]crit|[ée]crit|a[ \t]+dit|escribi[óo]"
           r"|escribe|dijo|ha[ \t]+scritto|scrive|ha[ \t]+detto|schreef|schrijft|zei|zegt)")
_CONTEXT_NAME = rf"{_NOT_A_NAME}(?!{_TITLE}\.?[ \t]){_GIVEN}(?:[ \t]+{_PARTICLES}{_GIVEN}){{1,2}}"
_IN_CONTEXT = [
    # first: Presidio keeps the first pattern's result of two with the same span, and these need no listed name
    ("before saying", rf"(?<![\w'\u2019-])(?<![A-ZÀ-Ý]\w*[ \t]){_CONTEXT_NAME}(?=[ \t]+{_SAYING}\b)"),
    # not after an elided article: `L'Oréal Paris a répondu`
    # after a lower-case word (`le client Lazzaro Bertoli demande`), not inside a run of capitalised words
    ("before a verb", rf"(?<![\w'\u2019-])(?<![A-ZÀ-Ý]\w*[ \t]){_CONTEXT_NAME}(?=[ \t]+{_PERSON_VERB}\b)"),
    ("after a preposition", rf"(?<=\b{_PERSON_PLACE}[ \t]+){_CONTEXT_NAME}(?!\w)"
                            rf"(?![ \t]*[A-ZÀ-Ý]|{_FIRM_AFTER})"),
]
_BY_CONTEXT = frozenset({"before saying"})


# Necessary conditions of the person patterns, without their word boundaries (so never stricter than the `regex`
# module's Unicode \b): the role's label; the title, greeting or sign-off that the context patterns look behind for
# with the capital that starts the name after it, or an e-mail in angle brackets after a name. Most texts that may hold
# a name hold none of them (the capital matters: `….fr` ends many a joined string, and `fr` is a title).
_ROLE_GATE, _CONTEXT_GATE, _IN_CONTEXT_GATE, _CUE_GATE = 1, 2, 4, 8
_CAPITAL = "[A-ZÀ-Ý]"  # _GIVEN's first letter
_PERSON_GATES = (
    (_ROLE_GATE, _ROLE_LABEL, True),
    (_ROLE_GATE, _POSSESSED, True),
    # the patterns read by shape (_BY_SHAPE): their look-behinds only where their own cue is
    (_CUE_GATE, rf"{MEETING_CUE}[ \t]+[^a-z\s]", False),
    (_CUE_GATE, rf"\s[^\w\s]\s+{CONTACT_WORD}|(?:^|[\n\x00])[ \t]*{PROFILE_FIRST}[ \t]*(?:[|·:-]|–|—)[ \t]*[^a-z\s]",
     False),
    (_ROLE_GATE, rf"\s[^\w\s]\s+{_PROFILE_WORD}", False),  # the separators' stand-ins: `-` and \x01
    (_ROLE_GATE, rf"{_ROLE_LINE}[ \t]*:?[ \t]*\r?\n|\n[ \t]*{_ROLE_LINE}", False),
    # after a title, a capital or a particle (`Mevrouw de Vries`)
    (_CONTEXT_GATE, rf"{_TITLE}\.?\s+(?:{_CAPITAL}|[a-z]{{1,5}}\s)"
                    rf"|(?:{_GREETING},?|{_WELCOME})\s+(?:{_TITLE}\.?\s+)?{_CAPITAL}"
                    rf"|{_SIGN_OFF}[,!.]?[ \t]*\r?\n[ \t]*{_CAPITAL}|[a-zß-ÿ][ \t]*<[^<>@\s]+@"
                    rf"|{_THANKS}[ \t,]+{_CAPITAL}", False),
    # before a verb: the last two names, with the particles and the hyphenated second part _CONTEXT_NAME allows
    (_IN_CONTEXT_GATE, rf"{_PERSON_PLACE}[ \t]+{_CAPITAL}"
                       rf"|{_CAPITAL}\w*[ \t]+{_PARTICLES}{_CAPITAL}\w*(?:-{_CAPITAL}\w*)?[ \t]+"
                       rf"(?:{_PERSON_VERB}|{_SAYING})",
     False),
)


@functools.cache
def _person_gates() -> BatchScan:
    return BatchScan(_PERSON_GATES)




class PersonByContextRecognizer(DirectPatternRecognizer):
    """A person named after a title, a greeting or before a sign-off, or as an e-mail's display name."""

    explain = True  # a person rule may read which pattern matched (PersonByContext: `thanks`)

    def __init__(self) -> None:
        super().__init__(supported_entity="PERSON_NAME", name="PersonByContextRecognizer",
                         patterns=[Pattern(name, pattern, 0.7) for name, pattern in _PERSON_PATTERNS],
                         global_regex_flags=CASE_SENSITIVE)

    def matches(self, scan: TextScan, patterns: Sequence[Pattern], flags: int | None = None) -> list[RecognizerResult]:
        if not scan.person_gates() & _CONTEXT_GATE:
            return []
        return self.addressed(scan.text, pattern_matches(self, patterns, scan.text, flags, self.explain))

    @staticmethod
    def addressed(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """The results that name someone (name_context): not `Ciao Ragazzi` or `Thanks Guys`."""
        found = []
        for result in results:
            thanks = (result.analysis_explanation is not None
                      and result.analysis_explanation.pattern_name in ("thanks", "welcome"))
            if thanks and not thanked_someone(text, result.start, result.end):
                continue
            if (span := addressed_span(text, result.start, result.end)) is not None:
                result.start, result.end = span
                found.append(result)
        return found


class PersonByRoleRecognizer(DirectPatternRecognizer):
    """A person named after a role's label, if no word of the name is an English word or a company form."""

    explain = True  # a person rule may read which pattern matched (PersonByContext: `thanks`)

    def __init__(self, finder: NameFinder) -> None:
        self._finder = finder
        super().__init__(supported_entity="PERSON_NAME", name="PersonByRoleRecognizer",
                         patterns=[Pattern("role", _ROLE_NAME, 0.7), Pattern("possessor", _POSSESSOR_NAME, 0.7),
                                   Pattern("profile", _PROFILE_NAME, 0.7),
                                   Pattern("role line", _ROLE_LINE_NAME, 0.7), Pattern("cue", _CUE_NAME, 0.7),
                                   Pattern("cue list", _LIST_NAME, 0.7),
                                   Pattern("role inverted", _ROLE_INVERTED, 0.7),
                                   Pattern("cue inverted", _CUE_INVERTED, 0.7),
                                   Pattern("contact card", _CONTACT_CARD, 0.7),
                                   Pattern("profile first", _PROFILE_FIRST, 0.7)],
                         global_regex_flags=CASE_SENSITIVE)

    def matches(self, scan: TextScan, patterns: Sequence[Pattern], flags: int | None = None) -> list[RecognizerResult]:
        # Most texts that may hold a name hold no role label: the gate spares them the look-behind's scan.
        gates = scan.person_gates()
        if not gates & (_ROLE_GATE | _CUE_GATE):
            return []
        if not gates & _CUE_GATE:
            patterns = [pattern for pattern in patterns if pattern.name not in _BY_SHAPE]
        elif not gates & _ROLE_GATE:
            patterns = [pattern for pattern in patterns if pattern.name in _BY_SHAPE]
        text = scan.text
        return [result for result in pattern_matches(self, patterns, text, flags, self.explain)
                if result.analysis_explanation is None or result.analysis_explanation.pattern_name not in _BY_SHAPE
                or self._read_by_shape(result.analysis_explanation.pattern_name,
                                       text[result.start : result.end].split())]

    def _read_by_shape(self, pattern: str, words: list[str]) -> bool:
        """A strong cue's name by its shape (name_context.unlisted_name_words); a title's beside a profile's or
        contacts' word only when the lists hold a given name and a surname (listed_pair): sections of a profile
        (`Profil · Zahlungsarten Verwalten`, `Perfil – Métodos Pago`) have a name's shape; a name written `Surname,
        Given` by NameFinder.inverted_pair."""
        if pattern == "cue inverted":
            return self._finder.inverted_pair(words)
        return unlisted_name_words(words) if pattern in _CUED else self._finder.listed_pair(words)

    def validate_result(self, pattern_text: str) -> bool:
        words = pattern_text.split()
        finder = self._finder
        if "," in pattern_text:  # `King, Robert`: the inverted patterns'
            return finder.inverted_pair(words)
        return finder.could_be_a_name(words) or finder.listed_pair(words) or finder.given_before_unknown(words)


class PersonInContextRecognizer(DirectPatternRecognizer):
    """Capitalised words that a verb or a preposition puts in a person's place, if the name lists know one of them."""

    explain = True  # a person rule may read which pattern matched (PersonByContext: `thanks`)

    def __init__(self, finder: NameFinder) -> None:
        self._finder = finder
        super().__init__(supported_entity="PERSON_NAME", name="PersonInContextRecognizer",
                         patterns=[Pattern(n, p, 0.7) for n, p in _IN_CONTEXT], global_regex_flags=CASE_SENSITIVE)

    def matches(self, scan: TextScan, patterns: Sequence[Pattern], flags: int | None = None) -> list[RecognizerResult]:
        if not scan.person_gates() & _IN_CONTEXT_GATE:
            return []
        return self.known(scan.text, pattern_matches(self, patterns, scan.text, flags, self.explain))

    def known(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """The results that name someone: before a verb of saying, words that read as
        a name (name_context.named_by_context); elsewhere words of which the lists know one."""
        found = []
        for result in results:
            words = text[result.start : result.end].split()
            pattern = result.analysis_explanation.pattern_name if result.analysis_explanation else None
            if pattern in _BY_CONTEXT:  # `Der Spiegel schreibt`: never an article first
                if named_by_context(words) or (self._finder.lists_a_name(words) and fold(words[0]) not in ARTICLES):
                    found.append(result)
            elif self._finder.lists_a_name(words):
                found.append(result)
        return found

    def validate_result(self, pattern_text: str) -> bool:
        return self._finder.could_be_a_name(pattern_text.split())


class GazetteerNameRecognizer(EntityRecognizer):
    """A given name followed by a surname, by the lists of names.py."""

    def __init__(self, finder: NameFinder) -> None:
        self._finder = finder
        super().__init__(supported_entities=["PERSON_NAME"], name="GazetteerNameRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [RecognizerResult("PERSON_NAME", start, end, 0.6) for start, end in find_names(self._finder, text)]


def custom_recognizers() -> list[EntityRecognizer]:
    return [
        GazetteerNameRecognizer(NameFinder()),
        PersonByRoleRecognizer(NameFinder()),
        PersonInContextRecognizer(NameFinder()),
        PersonByContextRecognizer(),
        _pattern_recognizer("PASSWORD", "PasswordInTextRecognizer", PASSWORD_PATTERNS, score=0.9,
                            flags=CASE_INSENSITIVE),
        _pattern_recognizer("SECRET_KEY", "LabelledSecretRecognizer", [("labelled secret", _LABELLED_SECRET),
                                                                        ("secret before its label", _SECRET_BEFORE),
                                                                        ("uuid after a secret's label", _UUID_SECRET)],
                            score=0.85, flags=CASE_INSENSITIVE),
        SecretNearItsWordRecognizer(),
        _pattern_recognizer("STREET_ADDRESS", "StreetAddressRecognizer", _STREET_PATTERNS, score=0.8),
        _pattern_recognizer("JWT", "JwtRecognizer", [
            ("jwt", r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
        ]),
        _pattern_recognizer("BEARER_TOKEN", "BearerTokenRecognizer", [
            ("bearer", r"(?<=\bbearer\s{1,4})[A-Za-z0-9\-._~+/]{8,}=*"),
        ], score=0.9, flags=CASE_INSENSITIVE),
        BasicAuthRecognizer(),
        _pattern_recognizer("AWS_ACCESS_KEY", "AwsAccessKeyRecognizer", [
            ("aws key id", r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z2-7]{16}\b"),
        ]),
        _pattern_recognizer("SECRET_KEY", "SecretKeyRecognizer", [
            ("stripe", r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b"),
            ("stripe webhook", r"\bwhsec_[0-9A-Za-z]{24,}\b"),
            # Publishable keys are public by design, yet name one account: nothing analytics needs.
            ("stripe publishable", r"\bpk_(?:live|test)_[0-9A-Za-z]{16,}\b"),
            ("mapbox public", r"\bpk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{10,}"),
            ("github", r"\bgh[pousr]_[A-Za-z0-9]{30,255}\b"),
            ("github fine-grained", r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
            ("gitlab", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
            ("slack", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
            ("slack webhook", r"(?<=hooks\.slack\.com/services/)T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"),
            ("google api", r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
            ("openai", r"\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}"),
            ("sendgrid", r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
            ("npm", r"\bnpm_[A-Za-z0-9]{36}\b"),
            ("posthog personal", r"\bphx_[A-Za-z0-9]{30,}\b"),
            # Formats their vendors document, each with a prefix that says what it is.
            ("hugging face", r"\bhf_[A-Za-z0-9]{34,}\b"),
            ("shopify", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
            ("digitalocean", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
            ("slack app-level", r"\bxapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,}"),
            ("pypi", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
            ("linear", r"\blin_api_[A-Za-z0-9]{40}\b"),
            ("grafana service account", r"\bglsa_[A-Za-z0-9]{32}_[a-fA-F0-9]{8}\b"),
            ("twilio api key", r"\bSK[0-9a-fA-F]{32}\b"),
            ("mailgun", r"\bkey-[0-9a-f]{32}\b"),
            ("mailchimp", r"\b[0-9a-f]{32}-us\d{1,2}\b"),
            ("square", r"\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}"),
            ("atlassian", r"\bATATT3[A-Za-z0-9_=-]{50,}"),
            ("databricks", r"\bdapi[0-9a-f]{32}\b"),
            ("postman", r"\bPMAK-[0-9a-f]{24}-[0-9a-f]{34}\b"),
            ("sentry", r"\bsntr[ys]s?_[A-Za-z0-9+/=_]{40,}"),
            ("supabase", r"\bsbp_[0-9a-f]{40}\b"),
            ("doppler", r"\bdp\.(?:st|ct|sa|scim|audit)\.[A-Za-z0-9_-]{40,}"),
            ("notion", r"\b(?:secret|ntn)_[A-Za-z0-9]{43,46}\b"),
            ("mapbox secret", r"\bsk\.eyJ[A-Za-z0-9_.-]{20,}"),
            ("telegram bot", r"\b\d{8,10}:AA[0-9A-Za-z_-]{33}\b"),
            ("airtable", r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b"),
            ("figma", r"\bfig[dou]_[A-Za-z0-9_-]{40,}"),
            ("new relic", r"\bNR(?:AK|II)-[A-Za-z0-9]{27,32}\b"),
            ("tailscale", r"\btskey-[A-Za-z0-9-]{20,}"),
            ("pulumi", r"\bpul-[a-f0-9]{40}\b"),
            ("heroku", r"\bHRKU-[A-Za-z0-9_-]{30,}"),
            ("google oauth access token", r"\bya29\.[0-9A-Za-z_-]{20,}"),
            ("google oauth client secret", r"\bGOCSPX-[0-9A-Za-z_-]{24,}"),
            ("docker", r"\bdckr_pat_[A-Za-z0-9_-]{20,}"),
            ("grafana cloud", r"\bglc_[A-Za-z0-9+/]{32,}={0,2}"),
            ("groq", r"\bgsk_[A-Za-z0-9]{40,}"),
            ("replicate", r"\br8_[A-Za-z0-9]{30,}"),
            ("slack refresh", r"\bxoxe(?:\.xox[bp])?-\d-[A-Za-z0-9-]{20,}"),
            ("age", r"\bAGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}\b"),
            ("perplexity", r"\bpplx-[A-Za-z0-9]{40,}"),
            ("planetscale", r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,}"),
            ("netlify", r"\bnfp_[A-Za-z0-9]{36,}"),
            ("firebase cloud messaging server key", r"\bAAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{20,}"),
            # More documented prefixes (as gitleaks and the vendors' docs give them).
            ("hubspot private app",
             r"\bpat-(?:na|eu)\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
            ("brevo", r"\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b"),
            ("pinecone", r"\bpcsk_[A-Za-z0-9_]{40,}"),
            ("xai", r"\bxai-[A-Za-z0-9]{40,}"),
            ("hashicorp vault", r"\bhv[sb]\.[A-Za-z0-9_-]{24,}"),
            ("terraform cloud", r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
            ("dynatrace", r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b"),
            ("sonarqube", r"\bsq[upa]_[a-f0-9]{40}\b"),
            ("circleci", r"\bCCIPAT_[A-Za-z0-9]{20,}_[a-f0-9]{40}\b"),
            ("buildkite", r"\bbkua_[a-f0-9]{40}\b"),
            ("rubygems", r"\brubygems_[a-f0-9]{48}\b"),
            ("contentful", r"\bCFPAT-[A-Za-z0-9_-]{43}\b"),
            ("bitbucket", r"\bATBB[A-Za-z0-9_=.-]{28,}"),
            ("facebook access token", r"\bEAA[A-Za-z0-9]{100,}"),
            ("azure ad client secret",
             r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])"),
            ("1password service account", r"\bops_eyJ[A-Za-z0-9+/=_-]{40,}"),
            ("fly.io", r"\bfo1_[A-Za-z0-9_-]{40,}"),
            ("render", r"\brnd_[A-Za-z0-9]{28,}"),
            ("braintree", r"\baccess_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}\b"),
            ("shippo", r"\bshippo_(?:live|test)_[a-f0-9]{40}\b"),
            ("typeform", r"\btfp_[A-Za-z0-9_.=-]{50,}"),
            ("resend", r"\bre_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}\b"),
        ]),
        _pattern_recognizer("PRIVATE_KEY", "PemPrivateKeyRecognizer", [
            ("pem", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
                    r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"),
        ], score=1.0),
        _pattern_recognizer("URL_CREDENTIALS", "UrlCredentialsRecognizer", [
            ("userinfo", r"(?<=\b[a-z][a-z0-9+.\-]{1,20}://)[^\s/?#@\[\]]+(?=@)"),
        ], flags=CASE_INSENSITIVE),
        _pattern_recognizer("CRYPTO", "EthereumAddressRecognizer", [
            ("ethereum", r"\b0x[0-9a-fA-F]{40}\b"),
        ], score=0.9),
    ]


class FrNirRecognizer(DirectPatternRecognizer):
    """The French social security number (NIR, numéro INSEE): sex, year, month, department (2A/2B for Corsica),
    commune, order number, then a key of 97 minus the first 13 digits modulo 97."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="NATIONAL_ID", name="FrNirRecognizer", global_regex_flags=CASE_SENSITIVE,
            patterns=[Pattern("nir", r"(?<![\w.-])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}"
                                     r" ?\d{2}(?![\w-])", 0.9)],
        )

    def validate_result(self, pattern_text: str) -> bool:
        text = pattern_text.replace(" ", "")
        body = text[:13].replace("2A", "19").replace("2B", "18")
        return int(text[13:]) == 97 - int(body) % 97


class NlBsnRecognizer(DirectPatternRecognizer):
    """The Dutch citizen service number (BSN, formerly sofinummer) after its label: nine digits (`1234.56.782`,
    `123 456 782`) that pass the eleven test. One random nine-digit number in eleven passes it, so the label is
    required: an order or invoice number of nine digits stays."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="NATIONAL_ID", name="NlBsnRecognizer", global_regex_flags=CASE_INSENSITIVE,
            patterns=[Pattern("bsn", r"(?<=\b(?:bsn|burgerservicenummer|sofi(?:nummer)?|persoonsnummer"
                                     r"|citizen\s+service\s+number)\W{0,12}(?:(?:is|nummer|nr\.?|number|no\.?)\W{1,3})?)"
                                     r"(?<![\w.-])(?:\d{4}\.?\d{2}\.?\d{3}|\d{3} \d{3} \d{3})(?![\w-])", 0.9)],
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = [int(c) for c in pattern_text if c.isdigit()]
        return len(digits) == 9 and (sum(d * (9 - i) for i, d in enumerate(digits[:8])) - digits[8]) % 11 == 0


# The words before a US social security number or taxpayer id: `SSN`, `SS#`, `social security (number|no.)`, `my
# social`, `ITIN`, `TIN`, `tax id (number)`, and as de/fr/es/it/nl speakers name the American number.
_SSN_CUE = (r"(?:ssn|ss\s?#|ssn\s?#|social(?:\s+security)?(?:\s+(?:number|no\.?|nr\.?|#))?|itin|tin"
            r"|tax(?:payer)?\s+id(?:entification)?(?:\s+(?:number|no\.?|#))?|sozialversicherungsnummer"
            r"|n[uú]mero\s+de\s+(?:la\s+)?seguridad\s+social|seguro\s+social|s[ée]curit[ée]\s+sociale"
            r"|numero\s+di\s+previdenza\s+sociale)")


class SsnByCueRecognizer(DirectPatternRecognizer):
    """A US social security number or ITIN after its word, with or without separators (`SSN 536824419`, `my social
    is 536 82 4419`, `ITIN: 912-70-1234`): Presidio's own finds nine plain digits only with a context score, which
    this project does not use. Not an area of 000 or 666, a group of 00 or a serial of 0000, which are never issued."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="US_SSN", name="SsnByCueRecognizer", global_regex_flags=CASE_INSENSITIVE,
            patterns=[Pattern("ssn after its word", r"(?<![\d-])(?=\d{3}[- .]?\d{2}[- .]?\d{4}(?![\d-]))"
                                                    rf"(?<=\b{_SSN_CUE}\W{{0,4}}(?:(?:is|was|ist|es|est|:)\W{{1,3}})?)"
                                                    r"\d{3}([- .]?)\d{2}\1\d{4}(?![\d-])", 0.85)],
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = "".join(c for c in pattern_text if c.isdigit())
        return digits[:3] not in ("000", "666") and digits[3:5] != "00" and digits[5:] != "0000"


# An identity document's number after its label, in en/de/fr/es/it/nl: `Ausweisnummer: T22000129`, `passport no.
# 533380006`, `carte d'identité n° 880692310285`. Letters and digits, at least one digit.
_DOCUMENT_LABEL = (r"(?:personalausweis|ausweis|reisepass|passport|passeport|pasaporte|passaporto|paspoort|id\s+card"
                   r"|identity\s+card|carte\s+(?:nationale\s+)?d['\u2019]identit[ée]|carta\s+d['\u2019]identit[àa]"
                   r"|identiteitskaart|identiteitsbewijs|documento\s+(?:nacional\s+)?de\s+identidad)")
_DOCUMENT_NUMBER = (rf"(?<=\b{_DOCUMENT_LABEL}(?:nummer|nr\.?)?\s*(?:n[°ºo.]|nr\.?|number|nummer|num[ée]ro|n[úu]mero"
                    r"|#)?\.?\s*[:#]?\s*)(?=[A-Z0-9]*\d)[A-Z0-9]{6,12}(?![\w-])")


def national_id_recognizers() -> list[EntityRecognizer]:
    """Presidio's national identity and tax numbers that carry a check digit or letter (German tax id, Spanish DNI/NIF
    and NIE, Italian codice fiscale, French NIR) or a fixed shape (UK National Insurance), reported as one entity,
    NATIONAL_ID."""
    return [*(cls(supported_entity="NATIONAL_ID", supported_language="en")
              for cls in (DeTaxIdRecognizer, EsNifRecognizer, EsNieRecognizer, ItFiscalCodeRecognizer,
                          UkNinoRecognizer)),
            FrNirRecognizer(), NlBsnRecognizer(),
            _pattern_recognizer("NATIONAL_ID", "IdDocumentRecognizer", [("document number", _DOCUMENT_NUMBER)],
                                score=0.85, flags=CASE_INSENSITIVE)]


def pattern_recognizers(
    extractor: tldextract.TLDExtract, phone_regions: Sequence[str], phone_leniency: int
) -> list[EntityRecognizer]:
    """Every pattern recognizer: one registry serves both detector classes (the class picks entities and scores)."""
    return [
        OfflineEmailRecognizer(extractor),
        ContextPhoneRecognizer(phone_regions, phone_leniency),
        LuhnCardRecognizer(),
        StallRetriedIbanRecognizer(),
        ContextIpRecognizer(),
        UsSsnRecognizer(),
        SsnByCueRecognizer(),
        *national_id_recognizers(),
        CryptoRecognizer(),
        *custom_recognizers(),
    ]


