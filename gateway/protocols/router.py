"""Which codec takes an ingest request: every path has one owner, and a few paths have guests too.

Vendors reuse each other's paths: PostHog's legacy `/track` and `/engage` are Mixpanel's, its `/batch` is Amplitude's.
The codec that declares a path as a plain route owns it; a codec that declares it with `Route.guest` is asked first
whether it `claims` each request (from its parameters and its JSON, parsed once before anyone is asked). The owner takes
whatever no guest claims, including a body nobody can read, so a refusal there is in the owner's shape. Like httpx's
transports, the codecs never import each other: this module is the only piece that sees more than one of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gateway.protocols.codec import Codec, Inbound, Limits, Route


@dataclass(frozen=True, slots=True)
class Guest:
    codec: Codec
    route: Route
    claims: Callable[[Inbound], bool]


@dataclass(frozen=True, slots=True)
class ServedPath:
    """One ingest path: the codec that owns it and, in the order they are asked, the guests that may claim a request."""

    owner: Codec
    route: Route
    guests: tuple[Guest, ...] = ()

    @property
    def limits(self) -> Limits:
        """The owner's: the body is read before anyone knows whose request it is."""
        return self.owner.inbound_limits

    def choose(self, inbound: Inbound) -> tuple[Codec, Inbound]:
        """The codec for this request, and the request as that codec's route names it (its `kind`)."""
        for guest in self.guests:
            if inbound.method in guest.route.methods:
                candidate = dataclasses.replace(inbound, kind=guest.route.kind)
                if guest.claims(candidate):
                    return guest.codec, candidate
        if inbound.kind != self.route.kind:
            inbound = dataclasses.replace(inbound, kind=self.route.kind)
        return self.owner, inbound


def served_paths(codecs: Iterable[Codec]) -> list[ServedPath]:
    """Every ingest path of `codecs`, in the order the codecs declare them. A path with two owners, a guest on a path
    nobody owns or with a method its owner does not take, or a guest that cannot claim requests is a mistake in a
    codec: ValueError."""
    owners: dict[str, tuple[Codec, Route]] = {}
    guests: dict[str, list[Guest]] = {}
    for codec in codecs:
        for route in codec.routes:
            if route.guest:
                if codec.claims is None:
                    raise ValueError(f"{codec.name} is a guest on {route.path} but has no claims()")
                guests.setdefault(route.path, []).append(Guest(codec, route, codec.claims))
            elif route.path in owners:
                raise ValueError(f"{route.path} is owned by both {owners[route.path][0].name} and {codec.name}")
            else:
                owners[route.path] = (codec, route)
    for path, on_path in guests.items():
        if path not in owners:
            raise ValueError(f"{on_path[0].codec.name} is a guest on {path}, which no codec owns")
        if extra := {m for guest in on_path for m in guest.route.methods} - set(owners[path][1].methods):
            raise ValueError(f"{path} takes {', '.join(sorted(extra))} only from a guest: its owner must take it too")
    return [ServedPath(codec, route, tuple(guests.get(path, ()))) for path, (codec, route) in owners.items()]
