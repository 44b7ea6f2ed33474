"""Replay destinations: the recordings the gateway stored, queued in the outbox for the destinations that take them.

A destination takes recordings when its table says `replay = true` (PostHog's protocol only: the policy loader refuses
it elsewhere) and the recording's source lists it. A chunk is queued for it when, beside the `session_replay` consent
that let the gateway store it, every purpose of the destination is granted to the person recorded (the same decision
as for their events: the request's signals and the consent ledger; a purpose never granted drops the chunk, as there
is no anonymous form of a recording). What is queued is what the store kept, scrubbed, encoded by the destination's
codec (`Codec.encode_recording`, PostHog's `$snapshot` events) with the endpoint kind "recording". The rows are then
outbox rows like any other: committed before the request is answered, retried, dead-lettered, removed by deletion and
consent withdrawal through the identifier hashes they carry, and refused (503) when the outbox is full.

Dedup ids come from the chunk's digest, so a chunk sent again (an SDK retry after a 503) is queued again under the same
ids, and PostHog can drop what it already has. A chunk without any identifier (an rrweb recorder that names nobody)
is not forwarded: PostHog needs a distinct id, and the gateway does not invent people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from gateway.metrics import Metrics
from gateway.outbox.store import Delivery, OutboxStore
from gateway.protocols import PROTOCOLS
from gateway.protocols.codec import RecordingEncoder
from policies.consent import Consent
from policies.policy import Destination, Policy, Source
from replay.service import Forward, Recorded

# The identifier a recording is filed under at the vendor, in order of preference: posthog-js's own, then a native
# recording's user id, then its device id.
DISTINCT_ID_KEYS = ("distinct_id", "userId", "anonymousId")

# (source, identifiers in clear, request headers, query) -> the consent decision; None when the subject was deleted.
Decide = Callable[[Source, Mapping[str, str], Mapping[str, str], Mapping[str, str]], Consent | None]


def distinct_id(identifiers: Mapping[str, str]) -> str | None:
    return next((identifiers[key] for key in DISTINCT_ID_KEYS if key in identifiers), None)


def takers(policy: Policy) -> dict[str, tuple[Destination, RecordingEncoder]]:
    """The enabled destinations that take recordings, with their codec's recording encoder."""
    found = {}
    for destination in policy.enabled_destinations:
        encoder = PROTOCOLS[destination.protocol].encode_recording if destination.protocol in PROTOCOLS else None
        if destination.replay and encoder is not None:
            found[destination.name] = (destination, encoder)
    return found


def chunk_deliveries(source: Source, chunk: Recorded, consent: Consent,
                     destinations: Sequence[tuple[Destination, RecordingEncoder]]) -> tuple[list[Delivery], int]:
    """The outbox rows of one stored chunk, and how many destinations it was withheld from for want of consent."""
    person = distinct_id(chunk.identifiers)
    if person is None:
        return [], 0
    chunk_id = f"{chunk.session_id}/{chunk.window_id}/{chunk.digest.hex()}"
    subjects = " ".join(chunk.subjects)
    deliveries: list[Delivery] = []
    withheld = 0
    for destination, encode in destinations:
        if not all(consent.granted(purpose) for purpose in destination.purposes):
            withheld += 1
            continue
        deliveries += [Delivery(destination.name, source.name, message_id, (body, "recording"), subjects)
                       for message_id, body in encode(chunk.session_id, chunk.window_id, person, chunk.events,
                                                      chunk_id)]
    return deliveries, withheld


def forwarder(policy: Policy, decide: Decide, outbox: OutboxStore, metrics: Metrics) -> Forward | None:
    """Gate.forward for `policy`; None when no destination takes recordings."""
    taking = takers(policy)
    if not taking:
        return None

    async def forward(source: Source, recorded: list[Recorded], headers: Mapping[str, str],
                      query: Mapping[str, str]) -> None:
        destinations = [taking[name] for name in source.destinations if name in taking]
        if not destinations:
            return
        deliveries: list[Delivery] = []
        for chunk in recorded:
            consent = decide(source, chunk.identifiers, headers, query)
            if consent is None:
                continue
            rows, withheld = chunk_deliveries(source, chunk, consent, destinations)
            deliveries += rows
            if withheld:
                metrics.inc("replay_chunks_withheld_total", withheld, source=source.name, reason="consent")
        await outbox.commit(deliveries, None)
        if deliveries:
            metrics.inc("replay_snapshots_queued_total", len(deliveries), source=source.name)

    return forward
