"""One compiled pass that says which of the pattern recognizers' regexes could match in a text.

Presidio's PatternRecognizer runs each of its patterns over the whole text with the `regex` module: about 100 patterns
in all (the secret-key recognizer alone has 50), each a separate pass, most of which find nothing. Here each
recognizer's patterns are compiled once, at start-up, into a hyperscan database in prefilter mode (HS_FLAG_PREFILTER:
constructs hyperscan cannot run, such as look-arounds, are replaced by looser ones). One scan of the text, when the
recognizer is to run, says which of its patterns could match; it then runs with just those (`narrow`), its own regexes,
flags, validation and scores unchanged, or not at all. So a closed gate is a necessary condition of no match, and the
findings are the same. One database per recognizer, not one for all: that took three times as long to compile.

The patterns are read from the recognizer objects, so new or changed ones flow in; a recognizer whose patterns changed
after start-up runs them all. A pattern hyperscan cannot compile has no gate: it always runs; so does one with a `{`
that is not a plain repetition (the `regex` module reads `{,3}` and fuzzy matching where hyperscan sees literals).
Hyperscan's \\w, \\d, \\s, \\b and case folding are ASCII here (its Unicode mode takes minutes to compile the
street and e-mail patterns), Python's are Unicode, so each gate is the pattern loosened (`_loosened`) until it matches
wherever Python's reading of the original does, on any text:
- \\w, \\d, \\s and every positive class also take every code point outside ASCII; word boundaries are dropped; a
  negated class of \\W, \\D or \\S, a POSIX class or a property becomes any one character.
- Case: a caseless letter outside ASCII becomes any code point outside ASCII; a caseless class that holds (or spans) a
  letter that folds to an ASCII one only by Unicode's rules (long s, dotless i, dotted I, Kelvin sign) takes the ASCII
  letters as well; a text that holds one of those four letters is not gated at all (`scannable`).
- Python's `\\uXXXX` escapes become hyperscan's `\\x{XXXX}` (the database reads patterns and text as UTF-8).
"""

from __future__ import annotations

import copy
import functools
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import hyperscan
import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

from policies.pii import hyperscan_cache

# One report per pattern and scan is all a gate needs: every further match would be a Python callback.
_BASE_FLAGS = (hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_ALLOWEMPTY
               | hyperscan.HS_FLAG_SINGLEMATCH)
_FOLDING = "\u0130\u0131\u017f\u212a"
_RANGE = re.compile(r"(.)-(.)", re.DOTALL)
# Escapes (group 1: a code point's or a property's, kept) and simple classes: what is left outside a pattern's classes.
_CLASS = re.compile(r"(\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\[pPNx]\{[^}]*\})|\\[\x00-\x7f]|\[(?:\\.|[^\]\\])*\]",
                    re.DOTALL)
# Group 1: a brace that is no plain repetition (nor the brace of a property, a name or a code point).
_PLAIN_BRACES = re.compile(r"\\[pPNx]\{[^}]*\}|\\.|\{\d+(?:,\d*)?\}|(\{)", re.DOTALL)
_MAX_NARROWED = 4096  # answers kept; most texts open one or two patterns of a recognizer, so few combinations recur
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


_OTHER = r"\x{80}-\x{10FFFF}"  # every code point outside ASCII, in hyperscan's UTF-8 syntax
_ANY = r"\x00-\x{10FFFF}"
_INLINE_CASELESS = re.compile(r"\(\?[a-zA-Z]*i")


def _escape_at(pattern: str, i: int) -> tuple[str, int]:
    """The escape at `i` as (the character it stands for, or "" if it is no code point's escape; its end)."""
    m = _ESCAPE.match(pattern, i)
    assert m is not None
    code = m.group(1) or m.group(2)
    return (chr(int(code, 16)) if code else ""), m.end()


def _loose_class(body: str, caseless: bool) -> str:
    """A class's body as hyperscan reads it, never stricter than Python's reading of the original on any text."""
    if "[:" in body or re.search(r"\\[pPN]", body) or (body.startswith("^") and re.search(r"\\[WDS]", body)):
        # Hyperscan's \w, \d, \s are within Python's, so a negated class of them and of literals only matches more;
        # a negated \W, \D, \S would match less. Such a class, and one with a property or a name: any one character.
        return _ANY
    if body.startswith("^"):
        return _hyperscan_syntax(body)
    # Any other code point: Python's Unicode \w, \d, \s, letters of other cases, ranges read with case folding. And
    # if the class holds (or spans) a letter that folds to an ASCII one, that ASCII letter.
    folds = "sSkKiI" if caseless and _folds_to_ascii(body) else ""
    if body.startswith("]"):
        body = "\\" + body  # a literal `]` first in the class is first no more
    return _OTHER + folds + _hyperscan_syntax(body)


def _loosened(pattern: str, caseless: bool) -> str | None:
    """`pattern` as a hyperscan gate that matches wherever Python's `regex` module matches the original, on any text
    without a _FOLDING character: \\w, \\d and \\s widened to every code point outside ASCII (and Python's
    other white space), word boundaries dropped, classes widened, caseless letters outside ASCII made any such code
    point. None if it cannot be read so (a nested set, a property, a caseless letter that folds to an ASCII one)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "[":
            end = _class_end(pattern, i)
            if end < 0:
                return None
            out.append(f"[{_loose_class(pattern[i + 1 : end], caseless)}]")
            i = end + 1
            continue
        if c == "\\":
            letter = pattern[i + 1 : i + 2]
            if letter in ("w", "d"):
                out.append(f"[\\{letter}{_OTHER}]")
            elif letter == "s":
                out.append(f"[\\s\\x1c-\\x1f{_OTHER}]")
            elif letter in ("N", "X"):
                return None
            elif letter in ("p", "P") and pattern.startswith("{", i + 2):
                out.append(f"[{_ANY}]")  # a property: any one character
                i = pattern.index("}", i) + 1
                continue
            if letter in ("w", "d", "s", "b", "B"):  # \b, \B: dropped, which only matches more
                i += 2
                continue
            c, end = _escape_at(pattern, i)
            if not c:
                out.append(pattern[i:end])
                i = end
                continue
            i = end
        else:
            i += 1
        if c.isascii():
            out.append(c)
        elif caseless and c in _FOLDING:
            return None
        else:
            out.append(f"[{_OTHER}]" if caseless else f"\\x{{{ord(c):x}}}")
    return "".join(out)


def _outside_classes(pattern: str) -> str:
    """The pattern without its classes and ASCII escapes (the escapes of other code points are kept)."""
    return _CLASS.sub(lambda m: m.group(1) or "", pattern)


def _outer_group_ends(pattern: str) -> dict[int, int]:
    """Where each group of `pattern` opens -> where it closes; {} if the pattern cannot be read so."""
    ends: dict[int, int] = {}
    opened: list[int] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            if i < 0:
                return {}
        elif c == "(":
            opened.append(i)
        elif c == ")":
            if not opened:
                return {}
            ends[opened.pop()] = i
        i += 1
    return {} if opened else ends


_LOOKAROUNDS = ("(?<=", "(?<!", "(?=", "(?!")
_QUANTIFIERS = ("?", "*", "+", "{")


def _edge_lookarounds_consumed(pattern: str) -> str:
    """`(?<=X)Y(?=Z)` as `(?:X)Y(?:Z)`. Hyperscan's prefilter mode drops look-arounds, so the gate of a pattern that
    starts with a look-behind would open on Y alone (any capitalised word after a title's look-behind). Wherever
    `(?<=X)Y(?=Z)` matches from p to q, X matches some text that ends at p and Z some text that starts at q, so
    `(?:X)Y(?:Z)` matches in the same text: still a necessary condition (the look-ahead only when there is no such
    look-behind, see below). Other look-arounds before the look-behind
    (`(?<!\\w)(?=\\S{16})(?<=key: )…`) test the same position p: they are dropped, which only matches more. Only at the
    very start and end: a look-around elsewhere may look into the parts beside it."""
    ends = _outer_group_ends(pattern)
    if pattern.startswith("(?:") and 0 in ends and pattern[ends[0] + 1 : ends[0] + 2] not in _QUANTIFIERS:
        branches = _branches(pattern, 3, ends[0], ends)
        if any(pattern.startswith("(?<=", start) for start, _ in branches):
            # `(?:(?<=A)X|(?<=B)Y)Z` as `(?:(?:A)X|(?:B)Y)Z`: where it matches, one branch matched, after its
            # look-behind's text, as above. Not a repeated group: there a look-behind may read the previous round.
            return "(?:" + "|".join(_behind_consumed(pattern, start, end, ends) for start, end in branches) + ")" \
                + pattern[ends[0] + 1 :]
    behind, i = "", 0
    while pattern.startswith(_LOOKAROUNDS, i) and i in ends:
        if not behind and pattern.startswith("(?<=", i):
            behind = pattern[i + 4 : ends[i]]
        i = ends[i] + 1
    if behind:
        # Not the look-ahead at the end as well: with both, hyperscan takes seconds to compile some gates (the password
        # patterns: 10 s), and either alone shuts the gates that opened on any word.
        return "(?:" + behind + ")" + pattern[i:]
    last = next((start for start, end in ends.items() if end == len(pattern) - 1), -1)
    if last >= 0 and pattern.startswith("(?=", last):
        pattern = pattern[:last] + "(?:" + pattern[last + 3 :]
    return pattern


def _branches(pattern: str, start: int, end: int, ends: dict[int, int]) -> list[tuple[int, int]]:
    """The (start, end) of each alternative of `pattern[start:end]`, split at the `|` outside its groups and classes."""
    branches: list[tuple[int, int]] = []
    first, i = start, start
    while i < end:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
        elif c == "(":
            i = ends[i]
        elif c == "|":
            branches.append((first, i))
            first = i + 1
        i += 1
    branches.append((first, end))
    return branches


def _behind_consumed(pattern: str, start: int, end: int, ends: dict[int, int]) -> str:
    """The branch `pattern[start:end]` with the look-behind it starts with (if it does) made a group."""
    if pattern.startswith("(?<=", start) and start in ends:
        return "(?:" + pattern[start + 4 : ends[start]] + ")" + pattern[ends[start] + 1 : end]
    return pattern[start:end]


def _gate(pattern: str, regex_flags: int) -> str | None:
    """The pattern as hyperscan's prefilter gate, or None if it has none: see the module's docstring."""
    if any(m.group(1) for m in _PLAIN_BRACES.finditer(_outside_classes(pattern))):
        return None
    caseless = bool(regex_flags & regex.IGNORECASE) or _INLINE_CASELESS.search(pattern) is not None
    return _loosened(_edge_lookarounds_consumed(pattern), caseless)


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
def _database(gates: tuple[tuple[str, int], ...],
              directory: Path | None) -> tuple[hyperscan.Database | None, frozenset[int]]:
    """The database of the (pattern, flags) that hyperscan can compile, and their indices: loaded from `directory` if
    it was kept there (hyperscan_cache), else compiled (1-4 s for all of recognizers.py's) and kept; once a
    process."""
    ids = [i for i, (pattern, _) in enumerate(gates) if pattern]
    if not ids:
        return None, frozenset()
    try:
        return _compiled(gates, ids, directory)
    except hyperscan.error:
        pass  # one of them cannot be compiled: find which
    return _compiled(gates, [i for i in ids if _compiles(gates[i][0].encode(), gates[i][1])], directory)


def _compiled(gates: tuple[tuple[str, int], ...], ids: list[int],
              directory: Path | None) -> tuple[hyperscan.Database | None, frozenset[int]]:
    if not ids:
        return None, frozenset()
    spec = hyperscan_cache.Spec(tuple(gates[i][0].encode() for i in ids), tuple(ids), tuple(gates[i][1] for i in ids))
    return hyperscan_cache.database(directory, spec), frozenset(ids)


@dataclass(frozen=True)
class _Gates:
    patterns: tuple[Pattern, ...]  # the recognizer's patterns when the gates were built, by identity
    db: hyperscan.Database
    always: frozenset[int]  # indices of the patterns that have no gate: they always run
    opened: dict[frozenset[int], tuple[Pattern, ...]]  # open_patterns' answers by the indices that opened


def scannable(text: str) -> bytes | None:
    """`text` as hyperscan scans it, or None if it is not gated (see the module's docstring)."""
    if text.isascii():
        return text.encode("ascii")
    if any(c in text for c in _FOLDING):
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None  # a lone surrogate: not UTF-8, which hyperscan needs


class PatternGates:
    """The gates of every pattern of the given recognizers, one database per recognizer (scanned only when the
    recognizer is to run; one database for all took three times as long to compile); `narrow` gives a recognizer with
    its open patterns only."""

    def __init__(self, recognizers: Iterable[EntityRecognizer], cache: Path | None = None) -> None:
        """`cache`: the directory where compiled databases are kept between processes (hyperscan_cache.cache_dir);
        None: none."""
        self._gates: dict[int, _Gates] = {}
        self.gated = 0
        for recognizer in recognizers:
            if not isinstance(recognizer, PatternRecognizer) or not recognizer.patterns:
                continue
            flags = recognizer.global_regex_flags or 0
            gates = tuple((_gate(p.regex, flags) or "", _flags(flags)) for p in recognizer.patterns)
            db, compiled = _database(gates, cache)
            if db is None:
                continue
            self._gates[id(recognizer)] = _Gates(tuple(recognizer.patterns), db,
                                                 frozenset(range(len(gates))) - compiled, {})
            self.gated += len(compiled)
        self._narrowed: dict[tuple[int, tuple[int, ...]], PatternRecognizer] = {}

    def open_patterns(self, recognizer: PatternRecognizer, data: bytes | None) -> Sequence[Pattern]:
        """The patterns of `recognizer` whose gates open in `data` (scannable()'s form of the text), in their order: all
        of them (its own list) when none is gated, the text is not scannable or its patterns changed since start-up;
        an empty sequence when none opens. A pattern recognizer finds nothing but what its patterns match (Presidio's
        and ours; test_pii_pattern_gates.py compares every recognizer with and without its gates)."""
        gates = self._gates.get(id(recognizer))
        if data is None or gates is None:
            return recognizer.patterns
        # By identity, each pair in C (a generator here cost as much as the Python around the scan).
        if len(gates.patterns) != len(recognizer.patterns) or not all(
                map(operator.is_, gates.patterns, recognizer.patterns)):
            return recognizer.patterns  # its patterns changed since: they have no gates
        hits: set[int] = set(gates.always)

        def on_match(pattern: int, _start: int, _end: int, _flags: int, _context: object) -> None:
            hits.add(pattern)

        gates.db.scan(data, match_event_handler=on_match)
        if len(hits) == len(gates.patterns):
            return recognizer.patterns
        if not hits:
            return ()
        key = frozenset(hits)
        opened = gates.opened.get(key)
        if opened is None:
            if len(gates.opened) >= _MAX_NARROWED:
                gates.opened.clear()
            opened = gates.opened[key] = tuple(p for i, p in enumerate(gates.patterns) if i in hits)
        return opened

    def narrow(self, recognizer: EntityRecognizer, data: bytes | None) -> EntityRecognizer | None:
        """`recognizer`, or a shallow copy of it that holds only its open_patterns() in `data`, or None if none is
        open. For a recognizer whose own `analyze` must run (the analyzer runs the others on open_patterns())."""
        if not isinstance(recognizer, PatternRecognizer):
            return recognizer
        opened = self.open_patterns(recognizer, data)
        if opened is recognizer.patterns:
            return recognizer
        if not opened:
            return None
        key = (id(recognizer), tuple(id(p) for p in opened))
        narrowed = self._narrowed.get(key)
        if narrowed is None:
            if len(self._narrowed) >= _MAX_NARROWED:
                self._narrowed.clear()
            # A copy, not the original with its list swapped: another thread may be running the original.
            narrowed = copy.copy(recognizer)
            narrowed.patterns = list(opened)
            self._narrowed[key] = narrowed
        return narrowed
