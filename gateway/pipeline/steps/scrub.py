"""Scrub: the PII engine (policies.pii) removes, replaces, hashes or masks what the policy's [pii] says.

After consent (which reads the signals as sent) and before anything is encoded; only events that go somewhere. One
batch per request, so that the detectors see every new string of the request together.

Event names are a safe field to the walker (rules never match them: `event` is not a property), yet SDK users put
anything in them (`Newsletter jane@example.com`), and every vendor shows them. So a track event's name is scrubbed as
free text by a step of its own, `names`, which runs right after consent: before the event catalog counts names
and the tracking plan checks them, so that neither keeps or reports a name with PII in it. Names the policy keeps
(`[pii] event_names_kept`) and the names the source's tracking plan defines pass as they are. Names repeat, so the
scanner's string cache answers almost all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction
from policies.event import Event
from policies.pii.findings import Findings

if TYPE_CHECKING:
    from policies.pii.scrubber import Scrubber


def scrub_names(scrubber: Scrubber) -> StepFunction:
    kept = frozenset(scrubber.config.event_names_kept)

    def run(batch: Batch) -> None:
        plan = batch.source.tracking_plan
        planned = plan.events if plan is not None else {}
        for entry in batch.entries:
            event = entry.event
            name = event.event
            if isinstance(name, str) and name not in kept and name not in planned:
                entry.name_findings = Findings()
                event.event = scrubber.scrub_text(name, entry.name_findings)

    return run


def scrub_pii(scrubber: Scrubber) -> StepFunction:
    def run(batch: Batch) -> None:
        _record(batch, scrubber.scrub_events([e.event for e in batch.entries]))

    return run


def take_scrubbed(batch: Batch, events: Sequence[Event], findings: Sequence[Findings]) -> None:
    """What the scrub step does, with the events scrubbed elsewhere (gateway.scrub_pool): they replace the batch's."""
    for entry, event in zip(batch.entries, events, strict=True):
        entry.event = event
    _record(batch, findings)


def _record(batch: Batch, found: Sequence[Findings]) -> None:
    out = batch.out
    for entry, findings in zip(batch.entries, found, strict=True):
        if entry.name_findings is not None:
            findings += entry.name_findings
        entry.findings = findings
        out.findings += findings
