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
  from 0, so a part reads without the parts before it). Undoing walks
  the same order and adds back: other values, floats and booleans included, are left alone both ways, so the events
  read back equal, as orjson sees them, to those stored;
- STRINGS (2): DELTAS, then every string value (not object keys) taken out of the JSON in document order: the part is
  the JSON with each string value written `""`, a NUL byte, then the strings' UTF-8 joined by NUL bytes. What is left
  of the JSON is rrweb's structure, which repeats from one node or event to the next much more than when texts, class
  names and URLs sit between its pieces, and the texts lie side by side. Chosen on training data only (a dictionary
  trained on fixtures/replay-corpus and fixtures/training-corpus, one site left out, measured on that site): 45.4 ->
  43.5 % of per-chunk gzip-6 on average over the training sites, replay-corpus left out 48.5 -> 47.5 %. A chunk with
  a NUL inside a string (never seen in rrweb) is written DELTAS instead.
"""

from __future__ import annotations

from collections.abc import Iterator
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


class NotEncodable(ValueError):
    """A difference does not fit orjson's 64-bit integers (a recording holding extreme numbers), or a string holds a
    NUL (STRINGS): a weaker layout is used (`encode_all`)."""


def _walk(value: Any, last: list[int], sign: int) -> Any:
    """`value` with node references and timestamps as differences (`sign` 1) or back from them (`sign` -1)."""
    if isinstance(value, list):
        return [_walk(item, last, sign) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        slot = _SLOTS.get(key)
        if slot is not None and type(item) is int:  # exactly int: bool is an int to Python, not to JSON
            absolute = item if sign > 0 else item + last[slot]
            out[key] = item - last[slot] if sign > 0 else absolute
            last[slot] = absolute
        else:
            out[key] = _walk(item, last, sign)
    return out


def _strings_out(value: Any, strings: list[str]) -> Any:
    """`value` with every string value replaced by "" and appended to `strings`, in document order."""
    if isinstance(value, str):
        strings.append(value)
        return ""
    if isinstance(value, list):
        return [_strings_out(item, strings) for item in value]
    if isinstance(value, dict):
        return {key: _strings_out(item, strings) for key, item in value.items()}
    return value


def _strings_in(value: Any, strings: Iterator[str]) -> Any:
    if isinstance(value, str):
        return next(strings)
    if isinstance(value, list):
        return [_strings_in(item, strings) for item in value]
    if isinstance(value, dict):
        return {key: _strings_in(item, strings) for key, item in value.items()}
    return value


def encode(chunk: bytes, layout: int = LAYOUT) -> bytes:
    """A chunk's JSON (a list of events) in `layout` (DELTAS or STRINGS); NotEncodable if it cannot be."""
    try:
        deltas = _walk(orjson.loads(chunk), [0] * len(_SLOTS), 1)
        if layout == DELTAS:
            return orjson.dumps(deltas)
        strings: list[str] = []
        structure = orjson.dumps(_strings_out(deltas, strings))
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
    if layout == STRINGS:
        structure, _, text = part.partition(b"\0")
        events = _strings_in(orjson.loads(structure), iter(text.decode().split("\0")))
    else:
        events = orjson.loads(part)
    restored: list[dict[str, Any]] = _walk(events, [0] * len(_SLOTS), -1)
    return restored


def decode(part: bytes, layout: int) -> bytes:
    """One part of a segment as the chunk's JSON was stored (what a chunk dictionary is trained on)."""
    return part if layout == PLAIN else orjson.dumps(decode_events(part, layout))
