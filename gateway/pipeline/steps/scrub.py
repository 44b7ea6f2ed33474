"""Scrub: the PII engine (policies.pii) removes, replaces, hashes or masks what the policy's [pii] says.

After consent (which reads the signals as sent) and before anything is encoded; only events that go somewhere. One
batch per request, so that the detectors see every new string of the request together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction

if TYPE_CHECKING:
    from policies.pii.scrubber import Scrubber


def scrub_pii(scrubber: Scrubber) -> StepFunction:
    def run(batch: Batch) -> None:
        entries = batch.entries
        out = batch.out
        for entry, findings in zip(entries, scrubber.scrub_events([e.event for e in entries]), strict=True):
            entry.findings = findings
            out.findings += findings

    return run
