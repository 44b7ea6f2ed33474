"""Catalog: each event that goes somewhere is counted into the event catalog (gateway.catalog), in memory; the
catalog writes its counts to the database on its own schedule, not with the request."""

from __future__ import annotations

from gateway.catalog import Catalog
from gateway.pipeline.batch import Batch
from gateway.pipeline.runner import StepFunction


def learn_catalog(catalog: Catalog) -> StepFunction:
    def run(batch: Batch) -> None:
        catalog.observe(batch.source.name, [entry.event for entry in batch.entries])

    return run
