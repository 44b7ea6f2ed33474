"""What a dictionary training costs the serving process: in it (on a thread, as before replay.training) against handed
to a niced child process (replay.training.Trainings), in turns, on the same samples.

    .venv/bin/python bench/replay_training.py [--rounds 3] [--compiled]

The samples are fixtures/replay-corpus and fixtures/spa-corpus cut into 2 s chunks (up to 1,000: what
ReplayService._train reads), the job the one a source with compaction on (the default) runs: a segment dictionary
(encoded in segment_codec's layout, trained, then the held-out fifth compressed with it and with the shipped one at
zstd-19). Printed per round: the CPU of this process (all its threads: what the event loop's process pays) and of its
children (the training process), and the wall time; then the ratio of this process's CPU in process to handed off.
With `--compiled`, the child instead runs in turns with the compiled modules (replay.segment_codec among them) and as
pure Python (PRIVACY_GATEWAY_COMPILED=pure), and its CPU is compared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.compiled import MODE_ENV  # noqa: E402
from replay import generic_dictionary, segment_codec  # noqa: E402
from replay.training import Job, Trainings, run  # noqa: E402

SAMPLES = 1000  # what ReplayService._train reads


def cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its children that were waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure(name: str, job: Job, handed_off: bool) -> tuple[float, float]:
    (own_before, children_before), started = cpu(), time.monotonic()
    if handed_off:
        asyncio.run(Trainings().trained(job))
    else:
        asyncio.run(asyncio.to_thread(run, job))  # as ReplayService trained before: a thread of the serving process
    (own, children), wall = cpu(), time.monotonic() - started
    print(f"  {name:<22} this process {own - own_before:6.3f} s CPU, its children {children - children_before:6.3f} s, "
          f"wall {wall:6.3f} s")
    return own - own_before, children - children_before


def compiled_against_pure(job: Job, rounds: int) -> None:
    """The training child's CPU with the compiled modules and as pure Python, in turns."""
    compiled, pure = [], []
    for round_ in range(rounds):
        print(f"round {round_ + 1}")
        for as_pure in ((False, True) if round_ % 2 == 0 else (True, False)):
            os.environ[MODE_ENV] = "pure" if as_pure else ""
            (pure if as_pure else compiled).append(
                measure("child, pure Python" if as_pure else "child, compiled", job, True)[1])
    print(f"the training child's CPU: compiled {min(compiled):.3f} s, pure Python {min(pure):.3f} s "
          f"({min(pure) / max(min(compiled), 1e-9):.2f}x less compiled)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compiled", action="store_true",
                        help="compare the child's CPU compiled and as pure Python instead")
    args = parser.parse_args()
    samples = [s for corpus in ("replay-corpus", "spa-corpus")
               for s in generic_dictionary.samples_of(ROOT / "fixtures" / corpus)][:SAMPLES]
    job = Job(samples, segment_codec.DICTIONARY_BYTES, 19, generic_dictionary.load_segments(), segments=True)
    print(f"{len(samples)} samples, {sum(map(len, samples)) / 1e6:.1f} MB")
    if args.compiled:
        compiled_against_pure(job, args.rounds)
        return 0
    inside, outside = [], []
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}")
        for handed_off in ((False, True) if round_ % 2 == 0 else (True, False)):
            (outside if handed_off else inside).append(
                measure("in a child (nice 10)" if handed_off else "in process (a thread)", job, handed_off)[0])
    print(f"this process's CPU per training: in process {min(inside):.3f} s, handed off {min(outside):.3f} s "
          f"({min(inside) / max(min(outside), 1e-9):.0f}x less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
