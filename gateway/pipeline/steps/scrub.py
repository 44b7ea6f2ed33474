"""Scrub: the PII engine (policies.pii) removes, replaces, hashes or masks what the policy's [pii] says.

After consent (which reads the signals as sent) and before anything is encoded; only events that go somewhere. One
batch per request, so that the detectors see every new string of the request together.

Event names are a safe field to the walker (rules never match them: `event` is not a property), yet SDK users put
anything in them (`Newsletter jane@example.com`), and every vendor shows them. So a track event's name is scrubbed as
free text here, unless it is one the policy keeps (`[pii] event_names_kept`, and later a tracking plan's names, given
as `names_kept`). Names repeat, so the scanner's string cache answers almost all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction

if TYPE_CHECKING:
    from policies.pii.scrubber import Scrubber


def scrub_pii(scrubber: Scrubber, names_kept: Iterable[str] = ()) -> StepFunction:
    kept = frozenset(scrubber.config.event_names_kept) | frozenset(names_kept)

    def run(batch: Batch) -> None:
        entries = batch.entries
        out = batch.out
        for entry, findings in zip(entries, scrubber.scrub_events([e.event for e in entries]), strict=True):
            event = entry.event
            if isinstance(event.event, str) and event.event not in kept:
                event.event = scrubber.scrub_text(event.event, findings)
            entry.findings = findings
            out.findings += findings

    return run
