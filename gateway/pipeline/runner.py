"""The runner: a request's batch through named steps in order, each timed, until no event is left to work on.

A step is a name and a function of the batch (PostHog's ingestion runner is the model). Each step works on the whole
batch at once, so that what is cheaper together (one scrub pass per request, consent decided once per distinct set of
signals) stays together. The timings go to /metrics per step; a step that finds no event left does not run and is not
timed, so a step's count says how many requests reached it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter

from gateway.pipeline.batch import Batch

StepFunction = Callable[[Batch], None]


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # a metric label and what an event's outcome names as where it stopped
    run: StepFunction


def run_steps(steps: Sequence[Step], batch: Batch) -> None:
    timings = batch.out.timings
    for step in steps:
        if not batch.entries:
            return
        batch.step = step.name
        started = perf_counter()
        try:
            step.run(batch)
        except Exception as error:
            error.add_note(f"in the pipeline's {step.name!r} step")
            raise
        timings.append((step.name, perf_counter() - started))
