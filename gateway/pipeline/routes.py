"""Where a source's events go: one route per enabled destination of the source, with the encoder of its protocol."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gateway.protocols.codec import Encoded
from policies.event import Event
from policies.policy import Destination, Policy

Encoder = Callable[[Event], Encoded]  # the outbox body and its endpoint kind


@dataclass(frozen=True, slots=True)
class Route:
    destination: Destination
    encode: Encoder


def routes_by_source(policy: Policy, encoders: Mapping[str, Encoder]) -> dict[str, tuple[Route, ...]]:
    """Each source's routes, in the order its `destinations` lists them; a destination without an encoder (disabled)
    has no route."""
    return {
        source.name: tuple(Route(policy.destination(name), encoders[name]) for name in source.destinations
                           if name in encoders)
        for source in policy.sources
    }
