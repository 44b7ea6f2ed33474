"""Suppression: a subject that asked to be deleted is not taken in again."""

from __future__ import annotations

from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction
from gateway.suppression import Suppression


def drop_suppressed(suppression: Suppression) -> StepFunction:
    def run(batch: Batch) -> None:
        if not len(suppression):
            return
        kept = []
        for entry in batch.entries:
            if suppression.suppressed(entry.subjects):
                batch.stop(entry, "suppressed")
            else:
                kept.append(entry)
        batch.out.suppressed += len(batch.entries) - len(kept)
        batch.entries = kept

    return run
