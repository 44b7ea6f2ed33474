"""Links: the identifiers an event carries together (a user id and a device id) belong to one person. The links not
known yet are committed with the request's events: claimed when the request came with a public key (anyone can send
an identify), verified with a server key, so that consent and deletion follow the person across the verified ones
(gateway.identity)."""

from __future__ import annotations

from gateway.identity import Identity
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction
from gateway.provenance import verifies


def learn_links(identity: Identity) -> StepFunction:
    def run(batch: Batch) -> None:
        batch.out.links = identity.new_links([entry.subjects for entry in batch.entries],
                                             verified=verifies(batch.provenance))

    return run
