"""Selectors that name one element: how reports show an element, and how the policy file names one (per-control
thresholds in `[replay.detect]`).

Only what names an element by itself is read: a compound selector `tag#id.class[attr="value"]:pseudo(arg)`. When a
selector has ancestors (`section#billing button:nth-of-type(2)`), its last compound (the subject) is the element.
Pseudo-classes are kept as (name, argument) pairs, so `:has-text("Print report")` and `:nth-of-type(2)` can tell two
id-less controls apart; a comparison may also leave them out (labels written in another tool's dialect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(
    r"""(?P<tag>^[A-Za-z][A-Za-z0-9-]*|^\*)
      | \#(?P<id>(?:\\.|[A-Za-z0-9_-])+)
      | \.(?P<cls>(?:\\.|[A-Za-z0-9_-])+)
      | \[\s*(?P<attr>[A-Za-z_:][-A-Za-z0-9_:.]*)\s*
          (?:=\s*(?P<value>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^\]\s]+)\s*)?\]
      | :{1,2}(?P<pseudo>[A-Za-z-]+)
          (?:\(\s*(?P<arg>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^()"']*)\s*\))?
    """,
    re.VERBOSE,
)
# Outside quotes, brackets and parentheses: whitespace or > + ~ between compounds.
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")


@dataclass(frozen=True)
class Compound:
    """One compound selector: `tag#id.cls[attr="value"]:pseudo(arg)`."""

    tag: str = ""
    id: str = ""
    classes: frozenset[str] = frozenset()
    attrs: frozenset[tuple[str, str | None]] = frozenset()
    pseudos: frozenset[tuple[str, str]] = frozenset()
    contradictory: bool = False  # two ids, or two values for one attribute: no element can match it

    def within(self, other: Compound, *, pseudos: bool = True) -> bool:
        """Whether every condition of self is also stated by `other` (an [attr] without value needs the attribute;
        pseudo-classes count unless `pseudos` is false)."""
        if self.tag and self.tag != other.tag:
            return False
        if self.id and self.id != other.id:
            return False
        if not self.classes <= other.classes:
            return False
        if pseudos and not self.pseudos <= other.pseudos:
            return False
        other_names = {name for name, _ in other.attrs}
        return all(
            (name, value) in other.attrs if value is not None else name in other_names for name, value in self.attrs
        )


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _unquote(value: str) -> str:
    return _unescape(value[1:-1]) if value[:1] in "\"'" and len(value) >= 2 else value.strip()


def subject(selector: str) -> str:
    """The last compound of a selector: what follows the last combinator outside quotes, brackets and parentheses."""
    depth, quote, start = 0, "", 0
    i = 0
    while i < len(selector):
        char = selector[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0:
            combinator = _COMBINATOR.match(selector, i)
            if combinator:
                start = combinator.end()
                i = combinator.end()
                continue
        i += 1
    return selector[start:]


def parse_compound(selector: str) -> Compound | None:
    """The subject (last compound) of a CSS selector; None if it cannot be read."""
    text = subject(selector.strip())
    if not text:
        return None
    tag, id_ = "", ""
    classes: set[str] = set()
    attrs: set[tuple[str, str | None]] = set()
    pseudos: set[tuple[str, str]] = set()
    contradictory = False
    pos = 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if not match or match.end() == pos:
            return None
        if match.group("tag") and match.group("tag") != "*":
            tag = match.group("tag").lower()
        elif match.group("id"):
            contradictory |= bool(id_)
            id_ = _unescape(match.group("id"))
        elif match.group("cls"):
            classes.add(_unescape(match.group("cls")))
        elif match.group("attr"):
            value = match.group("value")
            value = _unquote(value) if value is not None else None
            name = match.group("attr").lower()
            contradictory |= any(n == name and v != value for n, v in attrs)
            attrs.add((name, value))
        elif match.group("pseudo"):
            pseudos.add((match.group("pseudo").lower(), _unquote(match.group("arg") or "")))
        pos = match.end()
    return Compound(tag, id_, frozenset(classes), frozenset(attrs), frozenset(pseudos), contradictory)
