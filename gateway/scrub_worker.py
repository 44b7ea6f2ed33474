"""A scrub worker: one process of the pool (gateway.scrub_pool) that scrubs a request's events with the PII engine.

    python -m gateway.scrub_worker    (started by the pool, never by hand; it talks over its stdin and stdout)

Messages are frames of a 4-byte big-endian length and a pickle. Pickle, not JSON: the events (as tuples of their
fields) come back exactly as the in-process scrubber would leave them (integers of any size, floats, key order), so
destinations get the same bytes either way; both ends are the gateway's own processes. The first frame brings the
scrubber's settings and hash key (over the pipe: never on the command line or in the environment, which other users
can read); the worker builds the engine, scrubs one made-up event so that everything is loaded, and says
("ready",). Then each frame is one request's job: ("events", rows), answered with what was found in each event and
the events scrubbed, or ("recording", the policy's unmasked inputs, [(a batch's JSON, its window's unmasked field
ids)]), answered with each batch made ready to store (replay.preparing: scrubbed, summarized, encoded) as (bytes,
summary, unmasked field ids); each answer ("done", seconds the job took, ...). Jobs are answered in the
order they came: the pool may send the next ones before this one is answered. End of input: the worker exits.

Nothing here logs or answers with an event's content: an error is answered with its type's name only.
"""

from __future__ import annotations

import operator
import pickle
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, BinaryIO

from gateway import heap
from policies.event import Event
from policies.pii.config import PiiConfig
from policies.pii.scrubber import Scrubber
from replay.preparing import events_of, prepare
from replay.privacy import RrwebPrivacy

HEADER = struct.Struct(">I")


def read_frame(stream: BinaryIO) -> Any | None:
    """The next message, or None at the end of input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)  # written by the gateway process that started this one


def frame(message: object) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


_FIELDS = tuple(f.name for f in fields(Event))
# An event's fields as a tuple in one C call (half the time of a generator of getattr calls: ~1 us an event, paid on
# both sides of the pipe).
_ROW: Callable[[Event], tuple[Any, ...]] = operator.attrgetter(*_FIELDS)


def to_rows(events: list[Event]) -> list[tuple[Any, ...]]:
    """Events as tuples of their fields: they pickle in 0.6 of the time of the dataclass (no __getstate__ call)."""
    return list(map(_ROW, events))


def from_rows(rows: list[tuple[Any, ...]]) -> list[Event]:
    return [Event(*row) for row in rows]


def build(config: PiiConfig, hash_key: bytes, data_dir: Path | None) -> Scrubber:
    scrubber = Scrubber(config, hash_key, data_dir)
    # Load the detectors' models and caches now, not on the first request's time.
    scrubber.scrub_events([Event("track", "warm-up", properties={"note": "Jane Doe, jane.doe@example.com"})])
    return scrubber


def serve(inbound: BinaryIO, outbound: BinaryIO) -> None:
    settings = read_frame(inbound)
    if settings is None:
        return
    _, config, hash_key, data_dir = settings
    scrubber = build(config, hash_key, data_dir)
    outbound.write(frame(("ready",)))
    outbound.flush()
    # As in the serving process (gateway.heap): the engine's start-up heap (Presidio, spaCy) frozen out of the
    # collector's walks, collections batched. Left at the defaults, collections took 12-20 % of a worker's CPU on cold
    # events (bench/scrub_worker_heap.py).
    with heap.long_lived():
        while (message := read_frame(inbound)) is not None:
            started = time.perf_counter()
            try:
                result = work(scrubber, message)
                answer: tuple[Any, ...] = ("done", time.perf_counter() - started, *result)
            except Exception as error:  # noqa: BLE001 - answered, so that the request fails and the worker goes on
                answer = ("error", type(error).__name__)
            outbound.write(frame(answer))
            outbound.flush()


def work(scrubber: Scrubber, message: tuple[Any, ...]) -> tuple[Any, ...]:
    kind, payload = message[0], message[-1]
    if kind == "recording":
        privacy = _privacy(scrubber, message[1])
        prepared = prepare(privacy, [(events_of(body), unmasked) for body, unmasked in payload])
        return ([(p.raw, p.summary, p.unmasked) for p in prepared],)
    events = from_rows(payload)
    found = scrubber.scrub_events(events)
    return found, to_rows(events)


_PRIVACIES: dict[tuple[int, tuple[str, ...]], RrwebPrivacy] = {}
PRIVACIES_KEPT = 4  # the newest policies' (a reload may leave jobs of the one before in flight); older ones dropped


def _privacy(scrubber: Scrubber, unmasked_inputs: tuple[str, ...]) -> RrwebPrivacy:
    """The serving process's RrwebPrivacy (gateway.state.replay_parts) on this worker's scrubber, one per policy's
    unmasked inputs: they come with each job, since a reload changes them without changing `[pii]`."""
    key = (id(scrubber), unmasked_inputs)
    privacy = _PRIVACIES.get(key)
    if privacy is None:
        while len(_PRIVACIES) >= PRIVACIES_KEPT:
            del _PRIVACIES[next(iter(_PRIVACIES))]  # the oldest made: each reload that changes the inputs adds one
        privacy = _PRIVACIES[key] = RrwebPrivacy(unmasked_inputs, scrub_text=scrubber.scrub_text,
                                                 scrub_attribute=scrubber.scrub_attribute,
                                                 scrub_value=scrubber.scrub_json, scrub_texts=scrubber.scrub_texts)
    return privacy


def main() -> None:
    # stdout carries frames only; whatever else would print goes to stderr (the gateway's log).
    outbound = sys.stdout.buffer
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, outbound)


if __name__ == "__main__":
    main()
