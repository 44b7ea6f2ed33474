"""The layout of a chunk's events inside a compacted segment (replay.compaction): rrweb rewritten so that zstd finds
more of it repeated, exactly reversibly.

rrweb names nodes by increasing integer ids (`id`, `parentId`, `nextId`, `previousId`, in full snapshots and in
mutations), stamps every event with a millisecond `timestamp`, and records the mouse as positions (`x`, `y`,
`timeOffset`). As absolute numbers they are new digits each time; as differences from the previous one of the same
key they are mostly `1`, `-1` or a few digits, the same strings again and again. Measured on the benchmark's training
data only (fixtures/replay-corpus split in two; the bench source's earlier sessions split in two), segments at zstd-19
with a dictionary trained on the layout took 24.1 % / 26.6 % of per-chunk gzip-6 with node ids (one running value)
and timestamps as differences, 21.8 % / 23.7 % with each key its own running value and the mouse's too. The layout
needs dictionaries trained on it, so a segment has its own (one per source, and a shipped generic one:
replay.generic_dictionary).

A segment records its layout (`replay_segments.layout`), so segments written before this layout still read:

- PLAIN (0): each part is the chunk's JSON as it was stored;
- DELTAS (1): each part is the chunk's JSON with every integer (not boolean) value of those keys, anywhere in the
  events, replaced by its difference from the previous value of the same key in document order (each part starts
  from 0, so a part reads without the parts before it). Undoing walks the same order and adds back: other values,
  floats and booleans included, are left alone both ways, so the events read back equal, as orjson sees them, to
  those stored;
- STRINGS (2): DELTAS, and rrweb's lists of same-shaped objects (mouse positions; a mutation's adds, removes, texts,
  attributes) written as rows of their values when every object has the known keys in rrweb's order, and fractional
  pointer coordinates (`x`, `y`: single-precision numbers printed as doubles, 17 digits) as the shortest decimal that
  names the same single-precision number (decoding rounds it back to it); then every string value (not object keys)
  taken out of the JSON in document order: the part is the JSON with each string value written `""`, a NUL byte,
  then the strings' UTF-8 joined by NUL bytes. What is left of the JSON is rrweb's
  structure, which repeats from one node or event to the next much more than when texts, class names and URLs sit
  between its pieces, and the texts lie side by side. Chosen on training data only (a segment dictionary trained on
  fixtures/replay-corpus and fixtures/training-corpus with one site left out, measured on that site; zstd-19 vs
  per-chunk gzip-6, 192 KB dictionaries): replay-corpus left out 48.2 % in DELTAS, 47.4 % with strings apart, 46.7 %
  with rows too, 46.1 % with short coordinates; three sites of the training corpus (docs, shop, mail) left out, 52.1,
  49.1, 48.4, 48.1 % on average. (Not kept: second differences of the mouse's coordinates and times, worse; any
  uniform list as a table, or strings grouped by key, no better on replay-corpus.) A chunk this cannot take (a NUL
  inside a string, lists of lists where rrweb has objects, a coordinate that is no single-precision number: none seen
  in the corpora) is written DELTAS instead.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

PLAIN = 0
DELTAS = 1
STRINGS = 2
LAYOUT = STRINGS  # what compaction writes

# A source's dictionary for segments: chosen on the measure's training half only (bench/replay_store.py's source,
# its earlier sessions split in two): at zstd-19 over whole sessions, 112 KB stored segments in 22.0 % of gzip-6 and
# 64 KB in 23.7 % (32 KB: 28.5 %), but a dictionary is kept per version and half its bytes are worth more.
DICTIONARY_BYTES = 64 * 1024

# Each key its own running value: a node's id follows the previous id, a parent the previous parent.
_SLOTS = {key: slot for slot, key in enumerate(("id", "parentId", "nextId", "previousId", "timestamp", "x", "y",
                                                 "timeOffset"))}
# Keys whose floats are pointer coordinates: Chrome computes them in single precision, so 130.24000549316406 is the
# single nearest 130.24; STRINGS writes the shortest decimal that names the same single.
_SINGLES = frozenset(("x", "y"))
# rrweb's lists of same-shaped objects (mouse and touch positions, a mutation's adds, removes, texts, attributes):
# STRINGS writes each object as the list of its values, the keys being known.
_TABLES = {"positions": ("x", "y", "id", "timeOffset"), "adds": ("parentId", "nextId", "node"),
           "removes": ("parentId", "id"), "texts": ("id", "value"), "attributes": ("id", "attributes")}


class NotEncodable(ValueError):
    """A difference does not fit orjson's 64-bit integers (a recording holding extreme numbers), or a string holds a
    NUL (STRINGS): a weaker layout is used (`encode_all`)."""


@dataclass
class _Pass:
    """One walk over a part: encoding (`sign` 1) or decoding (-1); `last`: each slot's previous value; `swap`: what a
    string value becomes (STRINGS: taken out, or put back; None: kept); `tables`: rows as lists (STRINGS)."""

    sign: int
    swap: Callable[[str], str] | None = None
    tables: bool = False
    last: list[int] = field(default_factory=lambda: [0] * len(_SLOTS))


def _walk(value: Any, walk: _Pass) -> Any:
    """`value` with node references and timestamps as differences (or back from them), strings swapped, rows as lists
    (or back), in one pass in document order."""
    if isinstance(value, list):
        return [_walk(item, walk) for item in value]
    if isinstance(value, str):
        return value if walk.swap is None else walk.swap(value)
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        slot = _SLOTS.get(key)
        if slot is not None and type(item) is int:  # exactly int: bool is an int to Python, not to JSON
            absolute = item if walk.sign > 0 else item + walk.last[slot]
            out[key] = item - walk.last[slot] if walk.sign > 0 else absolute
            walk.last[slot] = absolute
        elif walk.tables and key in _TABLES and isinstance(item, list):
            out[key] = _table(item, _TABLES[key], walk)
        elif walk.tables and key in _SINGLES and type(item) is float:
            out[key] = _shortest_single(item) if walk.sign > 0 else _single(item)
        else:
            out[key] = _walk(item, walk)
    return out


def _single(value: float) -> float:
    """`value` rounded to the nearest IEEE single (as Chrome computes pointer coordinates), as a Python float."""
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    return rounded


def _shortest_single(value: float) -> float:
    """The shortest decimal that reads back, rounded to a single, as `value`; NotEncodable if `value` is no single
    (it would not read back exactly)."""
    try:
        single = _single(value) == value
    except OverflowError:  # beyond the largest single
        single = False
    if single:
        for digits in range(1, 10):  # 9 significant digits always name a single exactly
            short = float(f"{value:.{digits}g}")
            if _single(short) == value:
                return short
    raise NotEncodable("a coordinate that is not a single-precision number")


def _table(rows: list[Any], keys: tuple[str, ...], walk: _Pass) -> list[Any]:
    """A list under a key of _TABLES: encoding, its objects as lists of their values if each has exactly `keys` (in
    that order), else as it is (NotEncodable if it holds lists already: they would read back as objects); decoding,
    lists of len(keys) back to objects."""
    if walk.sign > 0:
        if rows and all(isinstance(row, list) for row in rows):
            raise NotEncodable("a list of lists where rrweb has objects")
        done = _walk(rows, walk)
        return [list(row.values()) for row in done] if all(
            isinstance(row, dict) and tuple(row) == keys for row in done) else done
    if rows and all(isinstance(row, list) and len(row) == len(keys) for row in rows):
        rows = [dict(zip(keys, row, strict=True)) for row in rows]
    return [_walk(row, walk) for row in rows]


def encode(chunk: bytes, layout: int = LAYOUT) -> bytes:
    """A chunk's JSON (a list of events) in `layout` (DELTAS or STRINGS); NotEncodable if it cannot be."""
    strings: list[str] = []

    def take_out(string: str) -> str:
        strings.append(string)
        return ""

    try:
        structure = orjson.dumps(_walk(orjson.loads(chunk), _Pass(1, take_out, tables=True) if layout == STRINGS
                                       else _Pass(1)))
        if layout == DELTAS:
            return structure
    except orjson.JSONEncodeError as exc:
        raise NotEncodable(str(exc)) from exc
    if any("\0" in string for string in strings):
        raise NotEncodable("a string holds a NUL")
    return structure + b"\0" + "\0".join(strings).encode()


def encode_all(chunks: list[bytes], layout: int) -> tuple[int, list[bytes]]:
    """(the layout used, the chunks in it): `layout`, or the next weaker one every chunk can be written in."""
    for candidate in range(layout, PLAIN, -1):
        try:
            return candidate, [encode(chunk, candidate) for chunk in chunks]
        except NotEncodable:
            continue
    return PLAIN, chunks


def decode_events(part: bytes, layout: int) -> list[dict[str, Any]]:
    """The events of one part of a segment written in `layout`."""
    if layout == PLAIN:
        plain: list[dict[str, Any]] = orjson.loads(part)
        return plain
    if layout not in (DELTAS, STRINGS):
        raise ValueError(f"unknown segment layout {layout}")
    structure, _, text = part.partition(b"\0") if layout == STRINGS else (part, b"", b"")
    strings = iter(text.decode().split("\0"))
    walk = _Pass(-1, lambda _: next(strings), tables=True) if layout == STRINGS else _Pass(-1)
    restored: list[dict[str, Any]] = _walk(orjson.loads(structure), walk)
    return restored


def decode(part: bytes, layout: int) -> bytes:
    """One part of a segment as the chunk's JSON was stored (what a chunk dictionary is trained on)."""
    return part if layout == PLAIN else orjson.dumps(decode_events(part, layout))
