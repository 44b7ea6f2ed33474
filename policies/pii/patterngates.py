"""One compiled pass that says which of the pattern recognizers' regexes could match in a text.

Presidio's PatternRecognizer runs each of its patterns over the whole text with the `regex` module: about 70 patterns
in all (the secret-key recognizer alone has 50), each a separate pass, most of which find nothing. Here every pattern
is compiled once, at start-up, into one hyperscan database in prefilter mode (HS_FLAG_PREFILTER: constructs hyperscan
cannot run, such as look-arounds, are replaced by looser ones, so a pattern's prefilter matches wherever the pattern
itself does, and maybe elsewhere). One scan of a text gives the patterns that could match in it; a recognizer then runs
with just those (`narrow`), its own regexes, flags, validation and scores unchanged. So a closed gate is a necessary
condition of no match, and the findings are the same.

The patterns are read from the recognizer objects, so new or changed ones flow in. A pattern hyperscan cannot compile
(an unsupported construct, or too large) has no gate: it always runs; so does one with a `{` that is not a plain
repetition (the `regex` module reads `{,3}` and fuzzy matching where hyperscan sees literals). Semantics, so that a gate
is never stricter than the `regex` module:
- Hyperscan's \\w, \\d, \\s, \\b and case folding are ASCII (its Unicode mode takes minutes to compile the street
  and e-mail patterns). So only texts of printable ASCII, tab, CR, LF, NUL and U+2029 (the last two are in detect.py's
  separator of joined strings) are gated; any other text runs every pattern. U+2029 is scanned as VT, which hyperscan
  treats as Python treats U+2029 (white space, not a word character, not a line end).
- Case: a caseless pattern that holds (or whose ranges span) a character that folds to an ASCII one only by Unicode's
  rules (long s, dotless i, dotted I, Kelvin sign) always runs.
- Python's `\\uXXXX` escapes become hyperscan's `\\x{XXXX}` (the database reads patterns as UTF-8).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable

import hyperscan
import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

_BASE_FLAGS = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_ALLOWEMPTY
_GATED_TEXT = re.compile("[\t\n\r\x00 -~\u2029]*")  # see the module's docstring
_FOLDING = "\u0130\u0131\u017f\u212a"
_RANGE = re.compile(r"(.)-(.)", re.DOTALL)
# Escapes (group 1: a code point's) and simple classes: what is left of a pattern outside its classes.
_CLASS = re.compile(r"(\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8})|\\[\x00-\x7f]|\[(?:\\.|[^\]\\])*\]", re.DOTALL)
_PLAIN_BRACES = re.compile(r"\\.|\{\d+(?:,\d*)?\}|(\{)", re.DOTALL)  # group 1: a brace that is no plain repetition
_MAX_NARROWED = 4096  # copies kept; most texts open one or two patterns of a recognizer, so few combinations recur
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.DOTALL)


def _hyperscan_syntax(pattern: str) -> str:
    def convert(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return f"\\x{{{code}}}" if code else m.group(0)

    return _ESCAPE.sub(convert, pattern)


def _decoded(pattern: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2)) else m.group(0),
                       pattern)


def _folds_to_ascii(part: str) -> bool:
    decoded = _decoded(part)
    return any(c in decoded for c in _FOLDING) or any(
        lo <= c <= hi for lo, hi in _RANGE.findall(decoded) for c in _FOLDING)


def _class_end(pattern: str, start: int) -> int:
    """The index of the `]` that closes the class opened at `start`, or -1."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1  # a `]` first in a class is a literal
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern.startswith("[:", i):
            close = pattern.find(":]", i + 2)
            i = close + 2 if close > 0 else i + 1
            continue
        if pattern[i] == "[":
            return -1  # a nested set (the `regex` module's set operations): not parsed here
        if pattern[i] == "]":
            return i
        i += 1
    return -1


def _caseless_gate(pattern: str) -> str | None:
    """The pattern with the ASCII letters that Python's caseless matching adds to each class holding (or spanning) a
    character of _FOLDING written into it (`[\\u00a1-\\uffff]` matches `s` because it holds the long s); None if such
    a character stands outside a class, or a class cannot be read."""
    out, i, last = [], 0, 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "[":
            end = _class_end(pattern, i)
            if end < 0:
                return None
            body = pattern[i + 1 : end]
            if not body.startswith("^") and _folds_to_ascii(body):
                out.append(pattern[last:end] + "sSkKiI")
                last = end
            i = end + 1
            continue
        i += 1
    out.append(pattern[last:])
    gate = "".join(out)
    return None if _folds_to_ascii(_outside_classes(gate)) else gate


def _outside_classes(pattern: str) -> str:
    """The pattern without its classes and ASCII escapes (the escapes of other code points are kept)."""
    return _CLASS.sub(lambda m: m.group(1) or "", pattern)


def _gate(pattern: str, regex_flags: int) -> str | None:
    """The pattern as hyperscan's prefilter gate, or None if it has none: see the module's docstring."""
    if any(m.group(1) for m in _PLAIN_BRACES.finditer(_outside_classes(pattern))):
        return None
    if regex_flags & regex.IGNORECASE:
        caseless = _caseless_gate(pattern)
        if caseless is None:
            return None
        pattern = caseless
    return _hyperscan_syntax(pattern)


def _flags(regex_flags: int) -> int:
    flags = _BASE_FLAGS
    if regex_flags & regex.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if regex_flags & regex.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    if regex_flags & regex.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    return flags


def _compiles(expression: bytes, flags: int) -> bool:
    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(
            expressions=[expression], ids=[0], elements=1, flags=[flags])
    except hyperscan.error:
        return False
    return True


@functools.cache
def _database(gates: tuple[tuple[str, int], ...]) -> tuple[hyperscan.Database, frozenset[int]]:
    """The database of the (pattern, flags) that hyperscan can compile, and their indices. Built once per process for
    a set of patterns (about 1.5 s)."""
    ids = [i for i, (pattern, _) in enumerate(gates) if pattern]
    try:
        return _compiled(gates, ids)
    except hyperscan.error:
        pass  # one of them cannot be compiled: find which
    return _compiled(gates, [i for i in ids if _compiles(gates[i][0].encode(), gates[i][1])])


def _compiled(gates: tuple[tuple[str, int], ...], ids: list[int]) -> tuple[hyperscan.Database, frozenset[int]]:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    if ids:
        db.compile(expressions=[gates[i][0].encode() for i in ids], ids=ids, elements=len(ids),
                   flags=[gates[i][1] for i in ids])
    return db, frozenset(ids)


class PatternGates:
    """The gates of every pattern of the given recognizers; `narrow` gives a recognizer with its open patterns only."""

    def __init__(self, recognizers: Iterable[EntityRecognizer]) -> None:
        self._patterns: list[Pattern] = []
        gates: list[tuple[str, int]] = []
        ungateable = set()
        for recognizer in recognizers:
            if not isinstance(recognizer, PatternRecognizer):
                continue
            flags = recognizer.global_regex_flags or 0
            for pattern in recognizer.patterns:
                gate = _gate(pattern.regex, flags)
                if gate is None:
                    ungateable.add(len(self._patterns))
                self._patterns.append(pattern)
                gates.append((gate or "", _flags(flags)))
        self._db, compiled = _database(tuple(gates))
        self._index = {id(p): i for i, p in enumerate(self._patterns)}
        # Patterns that always run: no gate could be compiled, or it could be stricter than the pattern.
        self._always = frozenset(range(len(self._patterns))) - compiled | frozenset(ungateable)
        self._narrowed: dict[tuple[int, frozenset[int]], PatternRecognizer] = {}
        self.gated = len(compiled - self._always)

    def open_patterns(self, text: str) -> frozenset[int] | None:
        """The indices of the patterns that could match in `text`; None if every pattern must run on it."""
        if _GATED_TEXT.fullmatch(text) is None:
            return None
        hits: set[int] = set(self._always)

        def on_match(pattern: int, _start: int, _end: int, _flags: int, _context: object) -> None:
            hits.add(pattern)

        self._db.scan(text.replace("\u2029", "\x0b").encode("ascii"), match_event_handler=on_match)
        return frozenset(hits)

    def narrow(self, recognizer: EntityRecognizer, open_patterns: frozenset[int] | None) -> EntityRecognizer | None:
        """`recognizer`, or a shallow copy of it that holds only its patterns in `open_patterns` (in their order), or
        None if none of its patterns is open: a pattern recognizer finds nothing but what its patterns match (Presidio's
        and ours; test_pii_pattern_gates.py compares every recognizer with and without its gates)."""
        if open_patterns is None or not isinstance(recognizer, PatternRecognizer):
            return recognizer
        indices = frozenset(self._index.get(id(p), -1) for p in recognizer.patterns)
        if -1 in indices:
            return recognizer  # a recognizer added since: its patterns have no gates
        mine = indices & open_patterns
        if mine == indices:
            return recognizer
        if not mine:
            return None
        key = (id(recognizer), mine)
        narrowed = self._narrowed.get(key)
        if narrowed is None:
            if len(self._narrowed) >= _MAX_NARROWED:
                self._narrowed.clear()
            # A copy, not the original with its list swapped: another thread may be running the original.
            narrowed = copy.copy(recognizer)
            narrowed.patterns = [p for p in recognizer.patterns if self._index[id(p)] in mine]
            self._narrowed[key] = narrowed
        return narrowed
