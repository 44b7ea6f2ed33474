"""The event pipeline: what happens between a decoded request and the outbox.

    source ► route ► encode per destination

The later stages of DESIGN.md's pipeline (suppression, consent, scrubbing) slot in between route and encode, each as
a step that sees the source, the destination and the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from gateway.outbox.store import Delivery
from policies.event import Event
from policies.policy import Policy, Source

Encoder = Callable[[Event], bytes]


class Pipeline:
    def __init__(self, policy: Policy, encoders: Mapping[str, Encoder]) -> None:
        """`encoders` maps each enabled destination's name to the encoder of its protocol."""
        self._routes: dict[str, list[tuple[str, Encoder]]] = {
            source.name: [(name, encoders[name]) for name in source.destinations if name in encoders]
            for source in policy.sources
        }

    def process(self, source: Source, events: Sequence[Event]) -> list[Delivery]:
        deliveries = []
        for destination, encode in self._routes[source.name]:
            for event in events:
                deliveries.append(Delivery(destination, source.name, event.message_id, encode(event)))
        return deliveries
