"""The first pass: one hyperscan scan over all the strings of a batch says which prefilter tests could pass in each.

candidates.py decides which entities a string could hold with a dozen tests (a character, a literal mark, a regex with
many alternations). In Python each test is a separate pass over the string, and a case-insensitive alternation is tried
at every position: 50 µs for a string that holds nothing, most of the cost of a new string. Here every test has a
gate, a pattern that matches wherever its test could pass (the same pattern, or a looser one); hyperscan runs all the
gates at once over the batch's strings joined by NUL, and a string whose gates stay closed costs next to nothing.
candidates.py then runs the exact test only behind an open gate.

Measured (bench/scrub.py's cold stream, 20 strings an event, one core): the tests in Python 52 µs a string; this scan
about 1 µs a string (one scan a batch; a scan per string costs 5 µs); google-re2's Set and a combined Python regex were
slower than the per-string scan, and pyahocorasick matches literals only.

ASCII only: hyperscan's `\\b`, `\\d`, `\\s` and case folding are ASCII, Python's are Unicode. On ASCII text they agree
(`\\s` but for \\x1c-\\x1f, added to the gates), so a string with other characters has every gate open (`ALL`) and
is tested in Python as before.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Sequence

import hyperscan


class BatchScan:
    """Gates (bit, pattern, caseless), compiled once into one hyperscan database."""

    def __init__(self, gates: Sequence[tuple[int, str, bool]]) -> None:
        self.all = functools.reduce(operator.or_, (bit for bit, _, _ in gates), 0)
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=[p.encode() for _, p, _ in gates], ids=[bit for bit, _, _ in gates],
                         elements=len(gates), flags=[hyperscan.HS_FLAG_CASELESS if c else 0 for _, _, c in gates])

    def open_gates(self, texts: Sequence[str]) -> list[int]:
        """For each text, the bits of the gates that matched in it (every bit for a text that is not ASCII)."""
        out = [self.all] * len(texts)
        index: list[int] = []
        starts: list[int] = []
        parts: list[str] = []
        pos = 0
        for i, text in enumerate(texts):
            if text.isascii():
                out[i] = 0
                index.append(i)
                starts.append(pos)
                parts.append(text)
                pos += len(text) + 1
        if not parts:
            return out
        hits: list[tuple[int, int]] = []

        def on_match(bit: int, _start: int, end: int, _flags: int, _context: object) -> None:
            hits.append((bit, end))

        # NUL between texts: no gate matches it, so a match ends in the text it belongs to (one that starts in the
        # text before can only open a gate more, never one fewer).
        self._db.scan("\x00".join(parts).encode("ascii"), match_event_handler=on_match)
        for bit, end in hits:
            out[index[bisect.bisect_right(starts, end - 1) - 1]] |= bit
        return out
