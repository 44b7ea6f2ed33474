"""What the pipeline made of a request: the deliveries to commit, the counts for /metrics, and each event's outcome.

The counts are what ingest records on every request. `outcomes()` is for a caller who wants to see each event (a live
view): it reads what the steps left on their entries, so it costs nothing until someone asks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from gateway.outbox.store import Delivery
from gateway.pipeline.entry import Entry
from gateway.violations import Found
from policies.event import Event
from policies.pii.findings import Findings
from policies.plans import Violation
from policies.plans.plan import event_name

Decision = tuple[str, str, str]  # (destination, action, reason)


@dataclass(frozen=True, slots=True)
class EventOutcome:
    message_id: str
    stopped_at: str | None  # the step that stopped the event; None: it was routed to at least one destination
    reason: str  # why it stopped ("" when it did not)
    decisions: tuple[Decision, ...]  # per destination of the source, once consent has decided; () before that
    pii: dict[str, int]  # what the scrubber found, by entity type
    # The event as it left the scrubber; None when the pipeline stopped it before scrubbing: then it was never
    # scrubbed, and a viewer must not show it as it came.
    scrubbed: Event | None
    type: str = ""
    name: str = ""  # a track call's event, a page's or screen's name ("" for other types)
    subjects: tuple[str, ...] = ()  # keyed hashes of its identifiers (for a viewer's filter; never shown)
    violations: tuple[Violation, ...] = ()  # what breaks the source's tracking plan
    plan_action: str = ""  # what was done about it: flag, omit_properties, block, allow; "" when it kept to the plan


@dataclass
class Processed:
    destinations: tuple[str, ...]  # the source's routed destinations, in the order of each entry's verdicts
    entries: tuple[Entry, ...]  # every event of the request, in the order it came
    deliveries: list[Delivery] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # identity links these events revealed, not yet recorded
    suppressed: int = 0  # events dropped because their subject asked to be deleted
    decisions: Counter[Decision] = field(default_factory=Counter)
    malformed: Counter[str] = field(default_factory=Counter)  # consent signals that could not be read, by kind
    findings: Findings = field(default_factory=Findings)  # what the PII scrubber found, as counts
    timings: list[tuple[str, float]] = field(default_factory=list)  # (step, seconds) of each step that ran, in order
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (subject, account) group calls taught, to record
    violations: list[Found] = field(default_factory=list)  # tracking plan violations to store with the events
    plan_counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (rule, action) -> violations

    def outcomes(self) -> list[EventOutcome]:
        """Each event of the request, in order, with where it stopped and what each destination got."""
        return [
            EventOutcome(
                entry.event.message_id,
                entry.stopped_at,
                entry.reason,
                # Empty verdicts (consent never decided) give no decisions.
                tuple((name, v.action, v.reason) for name, v in zip(self.destinations, entry.verdicts, strict=False)),
                entry.findings.by_entity() if entry.findings is not None else {},
                entry.event if entry.findings is not None else None,
                entry.event.type,
                event_name(entry.event),
                entry.subjects,
                entry.violations,
                entry.plan_action,
            )
            for entry in self.entries
        ]
