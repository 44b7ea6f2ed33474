"""Plan: each event is checked against its source's tracking plan (policies.plans); what breaks it is recorded on the
event's outcome and, unless the action is `allow`, stored with the request (gateway.violations). Then, as the source's
`on_violation` (or the event's override) says:

    allow            forward; the violation is only counted in /metrics
    flag             forward as sent; the violation is stored
    omit_properties  forward without the properties that broke the plan (an unplanned event or a missing property
                     leaves nothing to omit: it is forwarded as with flag)
    block            no destination gets the event

A blocked event is still acknowledged (2xx) like every event the gateway accepted: it was received and judged, and an
SDK that got an error would send it again and again. The violation is where the sender finds out.

After consent (events nobody may have are not examined) and before the scrubber (which then has less to do for an
omitted property, and none for a blocked event).
"""

from __future__ import annotations

import dataclasses

from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction
from gateway.violations import Found
from policies.consent import Verdict
from policies.event import Event
from policies.plans.plan import Violation, event_name, top_property

BLOCKED = Verdict("drop", "plan_violation")


def check_plan() -> StepFunction:
    def run(batch: Batch) -> None:
        source = batch.source
        plan = source.tracking_plan
        if plan is None:
            return
        out = batch.out
        kept = []
        for entry in batch.entries:
            event = entry.event
            found = plan.check(event)
            if not found:
                kept.append(entry)
                continue
            name = event_name(event)
            action = source.violation_action(name)
            entry.violations, entry.plan_action = tuple(found), action
            for violation in found:
                out.plan_counts[(violation.rule, action)] += 1
            if action != "allow":
                out.violations.append(Found(source.name, event.type, name, event.message_id, action, entry.violations))
            if action == "block":
                entry.verdicts = (BLOCKED,) * len(batch.routes)
                batch.stop(entry, "plan_violation")
                continue
            if action == "omit_properties":
                entry.event = _omit(event, found)
            kept.append(entry)
        batch.entries = kept

    return run


def _omit(event: Event, found: list[Violation]) -> Event:
    omitted = {name for name in map(top_property, found) if name is not None}
    if not omitted or not event.properties:
        return event
    properties = {key: value for key, value in event.properties.items() if key not in omitted}
    return dataclasses.replace(event, properties=properties)
