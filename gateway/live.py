"""The live debugger's feed: each incoming event of a watched source, scrubbed, with what the pipeline did to it per
destination, and each refused request with why. Read through `GET /admin/v1/live` (Server-Sent Events,
gateway.tracking_api) and the UI's Live debugger page.

Costs nothing when nobody watches: ingest asks `watching(source)` (one dict lookup) before building anything, and the
outcomes are built (`Processed.outcomes()`) only for a watched source. A watcher gets at most RATE events a second
(BURST at once) and holds at most QUEUE undelivered ones; past either, events are skipped and the next message says
how many, so a busy source cannot flood a browser or hold memory for a slow reader. At most MAX_WATCHERS at once.

What is shown is what the scrubber left (an event stopped before scrubbing shows only its type and name), findings by
entity type, plan violations (paths and types, never values), and refusals in the gateway's own words.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.pipeline import EventOutcome
from gateway.protocols import segment

RATE = 20.0  # events a second per watcher
BURST = 50
QUEUE = 200
MAX_WATCHERS = 20
ANY_SOURCE = ""  # refusals whose write key named no source go to every watcher


@dataclass(frozen=True)
class LiveFilter:
    event: str = ""  # an event name, exactly
    subject: str = ""  # a keyed hash of an identifier: the user id hash given, or the hash of an anonymous id

    def matches(self, outcome: EventOutcome) -> bool:
        if self.event and self.event != outcome.name:
            return False
        return not self.subject or self.subject in outcome.subjects


@dataclass
class Watcher:
    source: str
    filters: LiveFilter
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE))
    tokens: float = BURST
    refilled: float = field(default_factory=time.monotonic)
    skipped: int = 0
    sent: int = 0

    def offer(self, message: dict[str, Any]) -> None:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.refilled) * RATE)
        self.refilled = now
        if self.tokens < 1 or self.queue.full():
            self.skipped += 1
            return
        self.tokens -= 1
        if self.skipped:
            message = {**message, "skipped_before": self.skipped}
            self.skipped = 0
        self.queue.put_nowait(message)
        self.sent += 1


class TooManyWatchers(Exception):
    pass


class LiveHub:
    def __init__(self) -> None:
        self._watchers: dict[str, list[Watcher]] = {}

    def watching(self, source: str) -> bool:
        return source in self._watchers

    def watch(self, source: str, filters: LiveFilter) -> Watcher:
        if sum(map(len, self._watchers.values())) >= MAX_WATCHERS:
            raise TooManyWatchers(f"at most {MAX_WATCHERS} people may watch at once")
        watcher = Watcher(source, filters)
        self._watchers.setdefault(source, []).append(watcher)
        return watcher

    def stop(self, watcher: Watcher) -> None:
        watchers = self._watchers.get(watcher.source, [])
        if watcher in watchers:
            watchers.remove(watcher)
        if not watchers:
            self._watchers.pop(watcher.source, None)

    def events(self, source: str, protocol: str, outcomes: Sequence[EventOutcome]) -> None:
        """A committed request's events, to the watchers of `source` whose filters they match."""
        now = time.time()
        for watcher in self._watchers.get(source, ()):
            for outcome in outcomes:
                if watcher.filters.matches(outcome):
                    watcher.offer(describe(outcome, source, protocol, now))

    def refused(self, source: str | None, protocol: str, status: int, code: str, message: str) -> None:
        """A refused request: to the watchers of its source, or of every source when no source was recognised."""
        note = {"kind": "refused", "at": time.time(), "source": source, "protocol": protocol, "status": status,
                "code": code, "message": message}
        targets = self._watchers.get(source, []) if source else [w for ws in self._watchers.values() for w in ws]
        for watcher in targets:
            if not watcher.filters.event and not watcher.filters.subject:
                watcher.offer(note)


def describe(outcome: EventOutcome, source: str, protocol: str, at: float) -> dict[str, Any]:
    scrubbed = outcome.scrubbed
    return {
        "kind": "event",
        "at": at,
        "source": source,
        "protocol": protocol,
        "message_id": outcome.message_id,
        "type": outcome.type,
        "name": outcome.name,
        "stopped_at": outcome.stopped_at,
        "reason": outcome.reason,
        "destinations": [{"destination": d, "action": a, "reason": r} for d, a, r in outcome.decisions],
        "pii": outcome.pii,
        "plan_action": outcome.plan_action,
        "violations": [{"rule": v.rule, "path": v.path, "expected": v.expected, "observed": v.observed}
                       for v in outcome.violations],
        # As the scrubber left it, in the canonical (Segment) wire form; None when it never reached the scrubber.
        "event": orjson.loads(_ENCODE(scrubbed)) if scrubbed is not None else None,
    }


_ENCODE: Callable[[Any], bytes] = segment.CODEC.encode
