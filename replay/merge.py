"""A session's stored chunks as one stream of events in time order, each event parsed once.

Chunks are stored per ingest batch, so a window's chunks usually follow each other in time; those are read one after
the other, each loaded (decompressed and parsed) only when its turn comes. Chunks that overlap in time (a batch that
arrived late, windows read together) are merged; the merge is stable, so at the same instant the events of the chunk
stored first come first, and within a chunk events keep their recorded order.

The same event sent in two batches (an SDK retrying with a different batch) is dropped at its second sight: two events
at the same instant whose JSON is byte-identical are one. Only an event equal as a dict to an earlier one at its
instant is serialized to compare them (events parsed from identical bytes are equal dicts, so this misses none).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Final

import orjson

Event = dict[str, Any]
_TIMESTAMP: Final = itemgetter("timestamp")


@dataclass(frozen=True)
class ChunkSpan:
    """A stored chunk: the time span of its events (from the index) and how to read them."""

    first_ts: float
    last_ts: float
    load: Callable[[], list[Event]]  # the chunk's events, parsed (in the order they were sent)


def in_time_order(chunks: Iterable[ChunkSpan]) -> Iterator[Event]:
    """Every event of `chunks` (given in order of `first_ts`, then of storage) in time order, repeats dropped."""
    return _without_repeats(_merged(chunks))


def _overlapping_runs(chunks: Iterable[ChunkSpan]) -> Iterator[list[ChunkSpan]]:
    """Chunks grouped so that each group needs merging only within itself. A chunk starting at the instant the ones
    before it end does not overlap them: read after them, its events at that instant come last, as a merge puts them."""
    run: list[ChunkSpan] = []
    end = 0.0
    for chunk in chunks:
        if run and chunk.first_ts < end:
            run.append(chunk)
            end = max(end, chunk.last_ts)
            continue
        if run:
            yield run
        run, end = [chunk], chunk.last_ts
    if run:
        yield run


def _in_order(events: list[Event]) -> list[Event]:
    # SDKs almost always send a batch in order; a stable sort of a sorted list is one pass in C.
    events.sort(key=_TIMESTAMP)
    return events


def _merged(chunks: Iterable[ChunkSpan]) -> Iterator[list[Event]]:
    """The events in time order, a list at a time (a chunk, or a run of overlapping chunks merged): the caller walks
    each list in its own loop, so that an event passes through one generator, not two."""
    for run in _overlapping_runs(chunks):
        if len(run) == 1:
            yield _in_order(run[0].load())
        else:
            yield list(heapq.merge(*(_in_order(chunk.load()) for chunk in run), key=_TIMESTAMP))


def _without_repeats(batches: Iterable[list[Event]]) -> Iterator[Event]:
    instant: object = None
    kept: list[Event] = []  # the events yielded at `instant`
    for batch in batches:
        for event in batch:
            timestamp = event["timestamp"]
            if timestamp != instant:
                instant, kept = timestamp, [event]
                yield event
            elif event not in kept or not _repeats(event, kept):
                kept.append(event)
                yield event


def _repeats(event: Event, kept: list[Event]) -> bool:
    """Whether `event` is byte for byte one of `kept`. Events at one instant are mostly a click's mouse-down, mouse-up
    and click, which differ as dicts: only an event equal to a kept one as a dict (a repeat, or one that differs only in
    key order or 1 against 1.0) is serialized to be sure."""
    line = orjson.dumps(event)
    return any(line == orjson.dumps(other) for other in kept if other == event)
