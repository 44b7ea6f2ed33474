"""Route: per destination, the event as it is, an anonymized copy (made once per event), or nothing, as consent
decided; then encoded in the destination's protocol, as a delivery for the outbox."""

from __future__ import annotations

import datetime

from gateway.outbox.store import Delivery
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction
from policies.consent import anonymize
from policies.event import Event


def route_and_encode(pseudonym_key: bytes) -> StepFunction:
    def run(batch: Batch) -> None:
        today = datetime.datetime.now(datetime.UTC).date()
        source, routes = batch.source.name, batch.routes
        decisions, deliveries = batch.out.decisions, batch.out.deliveries
        for entry in batch.entries:
            event = entry.event
            # The row keeps the real subjects (internal only): a withdrawal or a deletion must still find it.
            joined = " ".join(entry.subjects)
            anonymized: Event | None = None
            for route, decision in zip(routes, entry.verdicts, strict=True):
                destination = route.destination.name
                decisions[(destination, decision.action, decision.reason)] += 1
                if decision.action == "drop":
                    continue
                outgoing = event
                if decision.action == "anonymize":
                    if anonymized is None:
                        anonymized = anonymize(event, pseudonym_key, today)
                    outgoing = anonymized
                deliveries.append(Delivery(destination, source, event.message_id, route.encode(outgoing), joined))

    return run
