"""Dictionary training in a child process at a low CPU priority, so that it takes mostly what serving leaves.

Training a source's dictionary (replay.compression.train_better: COVER over up to 1,000 recent chunks, then the held-out
fifth compressed twice, at zstd-19 for segments) costs 0.7-1 s of CPU, and a busy source retrains every
`retrain_after_chunks`. In the serving process it ran on a thread: at `bench/load.py --only replay`'s rate that was
about a third of the process's CPU, taken from the event loop's core (and its interpreter lock for the Python parts:
encoding samples in the segments' layout). Nothing waits for a dictionary (chunks are compressed with the current one
meanwhile), so it runs in a process of its own, started per training and niced to `NICENESS`: on a busy core the
scheduler gives it about a tenth of the time a serving task gets, all of an idle one. Not the lowest priority (19): on a
machine kept busy by other work that starved it (on the shared development machine at load average 10, 1.2 s of
training took 11-24 s at nice 19, and tests/e2e/test_replay_native.py's source had no dictionary after 60 s).

Nothing needs a dictionary soon either, so trainings are paced by the CPU they take, not only by the chunks a source
sends: after one, that source trains again no sooner than `rest_after(its CPU seconds)`, which keeps a source's training
to `SHARE` of a core at most. Before, a source sending fast retrained every `retrain_after_chunks` (or, while newer ones
were no better, at 2, 4, 8... times `train_after_chunks`): under `bench/load.py --only replay` (~550 chunks/s) a
1,000-sample training every few seconds, a quarter of the gateway's CPU (py-spy, replayload3). A slow source is not
affected: its chunks come slower than the rest ends.

The child gets its job on stdin and answers on stdout (pickle, both ends ours); it imports replay.compression and
replay.segment_codec only. A training that fails there (too few or too alike samples: zstd's error) or a child that is
killed raises TrainingFailed here: the caller keeps its dictionary and tries again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import resource
import sys
from dataclasses import dataclass, field

from replay import segment_codec
from replay.compression import train_better

NICENESS = 10  # a nice-0 task on the same core gets ~90 % of it (CFS weights 1024 vs 110)
SHARE = 0.05  # of a core that one source's trainings take at most, over time (the rest between them)


class TrainingFailed(Exception):
    """The training process exited without an answer."""


@dataclass(frozen=True)
class Job:
    samples: list[bytes]  # recent chunks as stored (decompressed)
    max_size: int
    level: int
    current: bytes | None  # the dictionary a new one must beat (None: no dictionary)
    segments: bool  # train on the samples in segment_codec.LAYOUT (the segments' dictionary), not as they are


@dataclass(frozen=True)
class Trained:
    data: bytes | None  # a better dictionary, or None (train_better)
    samples: int  # the samples it was trained on
    cpu_s: float  # the CPU the child took (user + system)


def rest_after(cpu_s: float, share: float = SHARE) -> float:
    """Seconds before the same source may train again after a training that took `cpu_s` of CPU, so that its
    trainings take at most `share` of a core."""
    return cpu_s * (1 / share - 1)


def run(job: Job) -> tuple[bytes | None, int]:
    """The job done here: (a better dictionary or None (train_better), the samples it was trained on)."""
    samples = encodable(job.samples) if job.segments else job.samples
    return train_better(samples, job.max_size, job.level, job.current), len(samples)


def encodable(samples: list[bytes], layout: int = segment_codec.LAYOUT) -> list[bytes]:
    """`samples` in `layout`, without those it cannot encode (compaction stores such chunks in a weaker layout)."""
    encoded = []
    for sample in samples:
        try:
            encoded.append(segment_codec.encode(sample, layout))
        except segment_codec.NotEncodable:
            continue
    return encoded


@dataclass
class Trainings:
    """The training processes under way, so that a stopping gateway ends them instead of waiting for them (niced, on a
    busy machine a training takes tens of seconds; a dictionary is only an optimization, tried again later)."""

    running: set[asyncio.subprocess.Process] = field(default_factory=set)
    stopped: bool = False

    async def trained(self, job: Job) -> Trained:
        """`run(job)` in a niced child process, with the CPU it took."""
        if self.stopped:
            raise TrainingFailed("the gateway is stopping")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "replay.training", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        self.running.add(process)
        if self.stopped:  # stop() came during the spawn and did not see this child: the finally below ends it
            process.kill()
        try:
            answer, _ = await process.communicate(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            self.running.discard(process)
            if process.returncode is None:  # cancelled: no orphan left training
                process.kill()
                await process.wait()
        if process.returncode != 0 or not answer:
            raise TrainingFailed(f"the training process exited with {process.returncode}")
        outcome: tuple[bytes | None, int, float] | str = pickle.loads(answer)  # our own child's, on its own pipe
        if isinstance(outcome, str):
            raise TrainingFailed(outcome)
        return Trained(*outcome)

    def stop(self) -> None:
        """End the trainings under way (each raises TrainingFailed) and refuse new ones."""
        self.stopped = True
        for process in self.running:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


def main() -> None:
    os.nice(NICENESS)
    job: Job = pickle.loads(sys.stdin.buffer.read())  # our own parent's job, on its own pipe
    try:
        outcome: tuple[bytes | None, int, float] | str = (*run(job), cpu_seconds())
    except Exception as exc:  # noqa: BLE001 - zstd's complaint goes back as the answer (the samples are not in it)
        outcome = f"{type(exc).__name__}: {exc}"
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))


def cpu_seconds() -> float:
    """This process's CPU so far (the job's, and the start's: importing zstd and reading the job)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
