"""Dictionary training in a niced child process (replay.training): the same dictionary as in process, a low CPU
priority, a failure that comes back as TrainingFailed, and a stop that ends the trainings under way."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import orjson
import pytest

from replay.generic_dictionary import chunks_of
from replay.training import NICENESS, Job, TrainingFailed, Trainings, run
from tests.replay.test_replay_segment_layout import recording

SAMPLES = [orjson.dumps(c) for i in range(6) for c in chunks_of(recording("replay-corpus", i))]


@pytest.mark.parametrize("segments", [False, True])
def test_a_dictionary_trained_in_the_child_process_is_the_one_trained_in_process(segments: bool) -> None:
    job = Job(SAMPLES, 16384, 3, None, segments)

    trained = asyncio.run(Trainings().trained(job))
    data, count = trained.data, trained.samples

    assert data is not None
    assert (data, count) == run(job)
    assert trained.cpu_s > 0
    assert count <= len(SAMPLES) if segments else count == len(SAMPLES)


def niceness_of_training_children() -> list[int]:
    """The nice value of each child of this process that runs replay.training (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or b"replay.training" not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it exited meanwhile
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(fields[16]))
    return found


def test_the_training_process_runs_at_a_low_priority() -> None:
    # Level 19 over the samples takes the child long enough to be seen; it is seen once it has reniced itself, or
    # the test fails when the training ends first.
    seen: list[int] = []

    async def scenario() -> None:
        training = asyncio.create_task(Trainings().trained(Job(SAMPLES, 65536, 19, None, segments=True)))
        while not training.done() and NICENESS not in seen:
            seen.extend(niceness_of_training_children())
            await asyncio.sleep(0.005)
        await training

    asyncio.run(scenario())
    assert NICENESS in seen


def test_a_training_that_fails_in_the_child_raises_training_failed_with_its_reason() -> None:
    with pytest.raises(TrainingFailed, match="ZstdError"):
        asyncio.run(Trainings().trained(Job([b"{}"] * 3, 16384, 3, None, segments=False)))


def test_stopping_ends_the_training_under_way_and_refuses_new_ones() -> None:
    trainings = Trainings()

    async def scenario() -> None:
        training = asyncio.create_task(trainings.trained(Job(SAMPLES, 65536, 19, None, segments=True)))
        while not training.done() and not trainings.running:
            await asyncio.sleep(0.005)
        assert trainings.running, "the training ended before it could be stopped"
        trainings.stop()
        with pytest.raises(TrainingFailed, match="exited with -9"):
            await training
        with pytest.raises(TrainingFailed, match="stopping"):
            await trainings.trained(Job(SAMPLES, 65536, 19, None, segments=True))

    asyncio.run(scenario())
    assert not trainings.running
    assert niceness_of_training_children() == []  # no child left behind


def test_a_stop_while_the_child_is_being_spawned_ends_that_child_too() -> None:
    trainings = Trainings()

    async def scenario() -> None:
        training = asyncio.create_task(trainings.trained(Job(SAMPLES, 65536, 19, None, segments=True)))
        await asyncio.sleep(0)  # the task is inside the spawn: past the stopped check, not yet in `running`
        assert not training.done() and not trainings.running
        trainings.stop()
        with pytest.raises(TrainingFailed, match="exited with -9"):
            await training

    asyncio.run(scenario())
    assert not trainings.running
    assert niceness_of_training_children() == []
