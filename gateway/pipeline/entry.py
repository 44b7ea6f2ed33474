"""One event of a request on its way through the pipeline's steps, and what they did to it.

Each step fills in its part; nothing is copied for a caller who never looks. An entry that a step stops keeps the
step's name and why, and goes no further.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policies.consent import Verdict
from policies.event import Event
from policies.pii.findings import Findings
from policies.plans import Violation


@dataclass(slots=True)
class Entry:
    event: Event  # replaced by a copy where a step changes more than the scrubber does in place (the GPC stamp)
    subjects: tuple[str, ...] = ()  # keyed hashes of its identifiers
    devices: tuple[str, ...] = ()  # those of them the event carries as its device ids
    verdicts: Sequence[Verdict] = ()  # one per route of the source, once consent has decided
    findings: Findings | None = None  # what the scrubber found; None until the event has been scrubbed
    name_findings: Findings | None = None  # what the scrubber found in its name (the `names` step), if anything
    stopped_at: str | None = None  # the step that stopped it; None while it goes on
    reason: str = ""  # why that step stopped it
    violations: tuple[Violation, ...] = ()  # what in it breaks its source's tracking plan
    plan_action: str = ""  # what was done about them (policies.plans.ON_VIOLATION); "" when it kept to the plan
