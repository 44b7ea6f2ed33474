"""Links: the identifiers an event carries together (a user id and a device id) belong to one person. The links not
known yet are committed with the request's events, so that consent and deletion follow the person across them."""

from __future__ import annotations

from gateway.identity import Identity
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction


def learn_links(identity: Identity) -> StepFunction:
    def run(batch: Batch) -> None:
        batch.out.links = identity.new_links([entry.subjects for entry in batch.entries])

    return run
