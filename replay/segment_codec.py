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
  read back equal, as orjson sees them, to those stored.
"""

from __future__ import annotations

from typing import Any

import orjson

PLAIN = 0
DELTAS = 1
LAYOUT = DELTAS  # what compaction writes

# A source's dictionary for segments: chosen on the measure's training half only (bench/replay_store.py's source,
# its earlier sessions split in two): at zstd-19 over whole sessions, 112 KB stored segments in 22.0 % of gzip-6 and
# 64 KB in 23.7 % (32 KB: 28.5 %), but a dictionary is kept per version and half its bytes are worth more.
DICTIONARY_BYTES = 64 * 1024

# Each key its own running value: a node's id follows the previous id, a parent the previous parent.
_SLOTS = {key: slot for slot, key in enumerate(("id", "parentId", "nextId", "previousId", "timestamp", "x", "y",
                                                 "timeOffset"))}


class NotEncodable(ValueError):
    """A difference does not fit orjson's 64-bit integers (a recording holding extreme numbers): keep it PLAIN."""


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


def encode(chunk: bytes) -> bytes:
    """A chunk's JSON (a list of events) in the DELTAS layout; NotEncodable if a difference overflows."""
    try:
        return orjson.dumps(_walk(orjson.loads(chunk), [0] * len(_SLOTS), 1))
    except orjson.JSONEncodeError as exc:
        raise NotEncodable(str(exc)) from exc


def decode_events(part: bytes, layout: int) -> list[dict[str, Any]]:
    """The events of one part of a segment written in `layout`."""
    events: list[dict[str, Any]] = orjson.loads(part)
    if layout == PLAIN:
        return events
    if layout == DELTAS:
        restored: list[dict[str, Any]] = _walk(events, [0] * len(_SLOTS), -1)
        return restored
    raise ValueError(f"unknown segment layout {layout}")


def decode(part: bytes, layout: int) -> bytes:
    """One part of a segment as the chunk's JSON was stored (what a chunk dictionary is trained on)."""
    return part if layout == PLAIN else orjson.dumps(decode_events(part, layout))
