"""A request's events on their way through the pipeline: what every step reads, narrows and adds to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gateway.pipeline.entry import Entry
from gateway.pipeline.processed import Processed
from gateway.pipeline.routes import Route
from gateway.provenance import Provenance
from policies.policy import Source


@dataclass(slots=True)
class Batch:
    source: Source
    routes: Sequence[Route]
    headers: Mapping[str, str]
    query: Mapping[str, str]
    entries: list[Entry]  # the events still going on; a step that stops some replaces the list, never edits it
    out: Processed
    step: str = ""  # the step running now (set by the runner), so that a stop records where it happened
    provenance: Provenance = "public"  # the kind of key the request came with: what its identity links are worth

    def stop(self, entry: Entry, reason: str) -> None:
        """Mark `entry` as stopped here and why; the step leaves it out of the entries it keeps."""
        entry.stopped_at = self.step
        entry.reason = reason
