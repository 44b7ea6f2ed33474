"""A recording request's admitted batches made ready to store: scrubbed (replay.privacy: `walk`, then the free texts of
all batches in one call), summarized (replay.summary) and encoded (replay.store.encode_chunk). The one function both
places run: the serving process, without scrub workers, and a scrub worker (gateway.scrub_worker), given the batches'
JSON (the request's body, which the loop has parsed and validated already) to parse again there. Parsing bytes again
costs the worker less than pickling parsed events would cost the loop, and the loop keeps only what it must: the write
key, the session, consent, admission and the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from replay.privacy import RrwebPrivacy
from replay.store import encode_chunk
from replay.summary import Summary, summarize

Events = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A batch ready to store: its events as stored, what they say about the session, and the window's fields whose
    input may be kept, with the ones this batch added."""

    raw: bytes
    summary: Summary
    unmasked: set[int]


def prepare(privacy: RrwebPrivacy, batches: list[tuple[Events, set[int]]]) -> list[Prepared]:
    """`batches` ((events, the window's unmasked field ids)) scrubbed in place, then summarized and encoded."""
    walked = [privacy.walk(events, unmasked) for events, unmasked in batches]
    texts = [text for deferred in walked for text in deferred.texts]
    if texts:
        scrubbed = privacy.scrubbed_texts(texts)
        start = 0
        for deferred in walked:
            deferred.fill(scrubbed[start:start + len(deferred.texts)])
            start += len(deferred.texts)
    # Summarized once scrubbed, as stored: a page's URL in the index is the scrubbed one.
    return [Prepared(encode_chunk(events), summarize(events), unmasked) for events, unmasked in batches]


def events_of(body: bytes) -> Events:
    """A batch's events from the JSON they were parsed from: an array of rrweb events, or the native body's
    `{"events": [...], ...}` (replay.ingest.parse_native, which has validated it)."""
    value = orjson.loads(body)
    events: Events = value["events"] if isinstance(value, dict) else value
    return events
