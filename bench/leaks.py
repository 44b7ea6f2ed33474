"""What counts as a leak and what counts as kept: the matching rules of the PII corpora, in one place.

bench/pii_leaks.py scores what a vendor received with these rules, and fixtures/pii-eval/generate.py checks every
record it writes with them (each planted value is found in the raw record and in nothing else of it).

A planted value has leaked if it still appears anywhere in the output: in any string, keys included, as written or
percent-encoded once or twice (the output is searched as it is and decoded once and twice), in any letter case, or
JSON-escaped (inside a string that holds JSON). Some types have a looser rule, because part of them identifies as well:
- PERSON: also its family name (when the label names it), as a whole word, since "[PERSON] Müller" still names her;
- PHONE_NUMBER: its last 7 digits, ignoring separators between digits (an extension is not part of the number);
- CREDIT_CARD: all its digits, ignoring separators; IBAN_CODE: all its characters, ignoring spaces;
- PRIVATE_KEY (the older corpus): any body line of 32 or more characters.

A benign value is kept if it appears unchanged: a value that was a field's own value must still be some string's whole
value (so "DE" inside an IBAN does not count as the country code kept), any other must appear in the text as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

_SEPARATORS_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s().\-/+]+(?=\d)")
_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?|extension|durchwahl|poste)\s*\d+$")
_NON_DIGITS = re.compile(r"\D")


def strings(value: Any) -> Iterable[str]:
    """Every string of a JSON value, keys included; numbers as Python prints them."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(str(key) for key in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None and not isinstance(item, bool):
            yield str(item)


@dataclass(frozen=True)
class Haystack:
    """One record's output, prepared once for every label of that record."""

    exact: str  # every string as it is, one per line
    folded: str  # as it is, decoded once and decoded twice, lower-cased
    digits: str  # `folded` with separators between digits removed
    values: frozenset[str]  # every string's whole value

    @classmethod
    def of(cls, output: Any) -> Haystack:
        all_strings = list(strings(output))
        exact = "\n".join(all_strings)
        once = unquote_plus(exact)
        folded = "\n".join((exact, once, unquote_plus(once))).lower()
        return cls(exact, folded, _SEPARATORS_BETWEEN_DIGITS.sub("", folded), frozenset(all_strings))


def _forms(value: str) -> set[str]:
    return {value.lower(), json.dumps(value, ensure_ascii=False)[1:-1].lower()}


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text) is not None


def leaked(label: dict[str, Any], haystack: Haystack) -> bool:
    kind, value = label["type"], label["value"]
    if kind == "PHONE_NUMBER":
        return _NON_DIGITS.sub("", _EXTENSION.sub("", value))[-7:] in haystack.digits
    if kind == "CREDIT_CARD":
        return _NON_DIGITS.sub("", value) in haystack.digits
    if kind == "IBAN_CODE":
        return value.replace(" ", "").lower() in haystack.folded.replace(" ", "")
    if kind == "PRIVATE_KEY":
        lines = [line for line in value.splitlines() if not line.startswith("-----") and len(line) >= 32]
        return any(line.lower() in haystack.folded for line in lines)
    if any(form in haystack.folded for form in _forms(value)):
        return True
    family = label.get("family")
    return kind == "PERSON" and isinstance(family, str) and any(_word_in(f, haystack.folded) for f in _forms(family))


def kept(label: dict[str, Any], haystack: Haystack) -> bool:
    value = label["value"]
    if label.get("embedding") == "field":
        return value in haystack.values
    return any(form in haystack.exact or form in unquote_plus(haystack.exact)
               for form in (value, json.dumps(value, ensure_ascii=False)[1:-1]))
