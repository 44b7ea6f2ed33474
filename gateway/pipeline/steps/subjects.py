"""Subjects: each event's identifiers as keyed hashes. They travel with its outbox rows, so that a withdrawal or a
deletion can find them, and they are what suppression and the consent ledger look up."""

from __future__ import annotations

from gateway.identity import Identity
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction


def hash_identifiers(identity: Identity) -> StepFunction:
    subjects = identity.subjects

    def run(batch: Batch) -> None:
        for entry in batch.entries:
            entry.subjects = subjects(entry.event)

    return run
