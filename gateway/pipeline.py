"""The event pipeline: what happens between a decoded request and the outbox.

    identify subjects ► suppression ► route ► encode per destination

Each event's identifiers become keyed hashes (its subjects), which travel with its outbox rows so that a withdrawal or
a deletion can find them, and the links between them are learned. The later stages of DESIGN.md's pipeline
(suppression, consent, scrubbing) slot in between route and encode, each seeing the source, destination and event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gateway.identity import Identity
from gateway.outbox.store import Delivery
from gateway.suppression import Suppression
from policies.event import Event
from policies.policy import Policy, Source

Encoder = Callable[[Event], bytes]


@dataclass(frozen=True)
class Processed:
    deliveries: list[Delivery]
    links: list[tuple[str, str]]  # identity links these events revealed, not yet recorded
    suppressed: int = 0  # events dropped because their subject asked to be deleted


class Pipeline:
    def __init__(self, policy: Policy, encoders: Mapping[str, Encoder], identity: Identity,
                 suppression: Suppression) -> None:
        """`encoders` maps each enabled destination's name to the encoder of its protocol."""
        self.identity = identity
        self.suppression = suppression
        self._routes: dict[str, list[tuple[str, Encoder]]] = {
            source.name: [(name, encoders[name]) for name in source.destinations if name in encoders]
            for source in policy.sources
        }

    def process(self, source: Source, events: Sequence[Event]) -> Processed:
        subjects = [self.identity.subjects(event) for event in events]
        if len(self.suppression):
            kept = [(e, ids) for e, ids in zip(events, subjects) if not self.suppression.suppressed(ids)]
            suppressed = len(events) - len(kept)
            events, subjects = [e for e, _ in kept], [ids for _, ids in kept]
        else:
            suppressed = 0
        deliveries = []
        for destination, encode in self._routes[source.name]:
            for event, ids in zip(events, subjects):
                deliveries.append(Delivery(destination, source.name, event.message_id, encode(event), " ".join(ids)))
        return Processed(deliveries, self.identity.new_links(subjects), suppressed)
