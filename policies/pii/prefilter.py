"""The first pass: one hyperscan scan over all the strings of a batch says which prefilter tests could pass in each.

candidates.py decides which entities a string could hold with a dozen tests (a character, a literal mark, a regex with
many alternations). In Python each test is a separate pass over the string, and a case-insensitive alternation is tried
at every position: 50 µs for a string that holds nothing, most of the cost of a new string. Here every test has a
gate, a pattern that matches wherever its test could pass (the same pattern, or a looser one); hyperscan runs all the
gates at once over the batch's strings joined by NUL, and a string whose gates stay closed costs next to nothing.
candidates.py then runs the exact test only behind an open gate.

Measured on bench/scrub.py's cold stream (20 strings an event, one core, a loaded machine): the tests in Python
52 µs a string; hyperscan with one scan per string 5 µs; one scan per batch about 1 µs a string, callbacks included.
Not measured: google-re2 (its Set has no per-text answer for a joined batch either) and pyahocorasick (literals
only: it cannot express the regex gates). The name test's gate is mostly outside the database (a hyperscan database
of the given names takes seconds to minutes to compile): a set look-up of the batch's folded words, with an initial
and an `@` as the database's part (candidates.open_gates).

Other scripts: hyperscan's `\\b`, `\\d`, `\\s`, `\\w` and case folding are ASCII, Python's Unicode. A text that is not
ASCII is scanned as an ASCII stand-in in which each other character becomes one that every gate treats at least as
permissively as Python treats the original (`_stand_in`): a digit `0`, a space ` `, a dash `-`, a word character `a`
(`A` if a capital; or the ASCII letter it matches without case: long s, Kelvin sign, dotless i, dotted I), anything
else `\\x01`;
the gates' own non-ASCII letters are mapped alike (`straße` is `straae`, and so is the gate). So a gate is open
wherever the exact test could pass. One character for one, so offsets in the stand-in are offsets in the text.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Callable, Sequence

import hyperscan

# The non-ASCII letters that IGNORECASE matches to ASCII ones.
_FOLDS = {"\u017f": "s", "\u212a": "k", "\u0131": "i", "\u0130": "i"}
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212")


def _stand_in(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _FOLDS:
        return _FOLDS[ch]
    if ch.isdigit() or ch.isdecimal() or ch.isnumeric():
        return "0"
    if ch.isspace():
        return " "
    if ch in _DASHES:
        return "-"
    if ch.isalnum():
        return "A" if ch.isupper() else "a"  # a capital stays one: the context gate looks for capitalised words
    return "\x01"


class _Lazy(dict[int, str]):
    """str.translate's table: each character's mapping, computed on first use."""

    def __init__(self, char: Callable[[str], str]) -> None:
        super().__init__()
        self._char = char

    def __missing__(self, code: int) -> str:
        value = self[code] = self._char(chr(code))
        return value


class CharMap:
    """A mapping of characters (`char(ch)` gives each one's replacement), applied as `str.translate` would. Text of
    Latin-1 characters (most European text) goes through one `bytes.translate` over a 256-byte table: `str.translate`
    with a dict looks each character up in the dict (15,000 instructions a string and 7 % of the scrubber's on
    bench/scrub.py's cold stream, by bench/scrub_instructions.py; 4 % of them saved). A text with a character beyond
    Latin-1, or one whose replacement is not one ASCII character (`ß` folded is `ss`), takes `str.translate`."""

    def __init__(self, char: Callable[[str], str]) -> None:
        self._table = _Lazy(char)
        replaced = [char(chr(code)) for code in range(256)]
        # 0x80 for a character without a one-byte replacement: its text is not ASCII once translated, and goes the
        # slow way
        self._bytes = bytes(ord(new) if len(new) == 1 and new.isascii() else 0x80 for new in replaced)

    def translate(self, text: str) -> str:
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            return text.translate(self._table)
        out = raw.translate(self._bytes)
        return out.decode("ascii") if out.isascii() else text.translate(self._table)


_STAND_INS = CharMap(_stand_in)


def ascii_stand_in(text: str) -> str:
    return text if text.isascii() else _STAND_INS.translate(text)


class BatchScan:
    """Gates (bit, pattern, caseless), compiled once into one hyperscan database."""

    def __init__(self, gates: Sequence[tuple[int, str, bool]]) -> None:
        self.all = functools.reduce(operator.or_, (bit for bit, _, _ in gates), 0)
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=[ascii_stand_in(p).encode() for _, p, _ in gates],
                         ids=[bit for bit, _, _ in gates], elements=len(gates),
                         flags=[hyperscan.HS_FLAG_CASELESS if c else 0 for _, _, c in gates])

    def open_gates(self, texts: Sequence[str]) -> list[int]:
        """For each text, the bits of the gates that matched in it."""
        starts: list[int] = []
        pos = 0
        for text in texts:
            starts.append(pos)
            pos += len(text) + 1
        ends: list[int] = []
        bits: list[int] = []

        def on_match(bit: int, _start: int, end: int, _flags: int, _context: object) -> None:
            # Only noted: the call from hyperscan is most of a match's cost, and the text it is in is found below in
            # one loop (finding it here, with a bisect per match, cost as much again).
            ends.append(end)
            bits.append(bit)

        # NUL between texts: no gate matches it, so a match ends in the text it belongs to (one that starts in the
        # text before can only open a gate more, never one fewer).
        # Each text stood in for on its own: the ASCII majority is not translated character by character.
        joined = "\x00".join([ascii_stand_in(text) for text in texts])
        self._db.scan(joined.encode("ascii"), match_event_handler=on_match)
        return by_text(starts, ends, bits)


def by_text(starts: list[int], ends: list[int], bits: list[int]) -> list[int]:
    """For each text (its offset in `starts`, ascending), the bits of the matches (`ends[i]`: the offset after the
    last character of the match that opens `bits[i]`) that end in it. Hyperscan reports matches in order of their
    ends, so one walk over the texts places them; a match out of order is placed by a bisect."""
    out = [0] * len(starts)
    n = len(starts)
    k = 0
    for i, end in enumerate(ends):
        last = end - 1
        if last < starts[k]:
            k = bisect.bisect_right(starts, last) - 1
        else:
            while k + 1 < n and starts[k + 1] <= last:
                k += 1
        out[k] |= bits[i]
    return out
