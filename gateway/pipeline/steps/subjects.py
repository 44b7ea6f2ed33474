"""Subjects: each event's identifiers as keyed hashes. They travel with its outbox rows, so that a withdrawal or a
deletion can find them, and they are what suppression and the consent ledger look up; the hashes of its device ids
are kept apart too, for the device-scoped consent a public key records."""

from __future__ import annotations

from gateway.identity import Identity
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction


def hash_identifiers(identity: Identity) -> StepFunction:
    hashes = identity.subjects_and_devices

    def run(batch: Batch) -> None:
        for entry in batch.entries:
            entry.subjects, entry.devices = hashes(entry.event)

    return run
