"""Recordings' durable writes under concurrency, this tree against a git revision: the replay store alone (no HTTP, no
scrubbing), on a disk whose fsync is slow.

    python bench/replay_commit.py [--before main] [--clients 64] [--seconds 10] [--rounds 3] [--fsync-us 4000]

`--clients` coroutines each send a recording chunk (bench/load.lua's: 60 rrweb events, ~15 KB of JSON, no repeated
text; made by bench/replay_request.py with a fixed seed), wait for `ReplayStore.add` to return (committed: WAL,
synchronous=FULL), and send the next, for `--seconds`; each to a session of its own, under one identifier (so a
session's next chunk is never prepared while its previous one commits: the write never seals again, as it must when
a key changed between a chunk's sealing and its write; tests/replay/test_replay_store_pipeline.py covers that).
Printed per run: MB/s of events stored, the add's p50/p99, commits per second, and the process's CPU per chunk. Each
tree (this one, and `--before`'s: bench/before_tree.py) runs in a fresh interpreter, in turns (bench/alternate.py).

`--fsync-us N` makes every fsync and fdatasync of the children take N microseconds more, as on a cloud volume (1-10 ms
per flush), whatever the disk under the temp directory does: bench/slow_fsync.c, built with gcc and preloaded
(LD_PRELOAD). The sleep is on top of the real flush: with N = 2000 a flush on this machine's disk took ~4 ms. Use
`TMPDIR=/dev/shm` to put the database on tmpfs (a flush costs nothing: the ceiling).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("mb_s", "p50_ms", "p99_ms", "commits_s", "cpu_ms")


def measure(clients: int, seconds: float) -> None:
    """In the child: the store under `clients` closed-loop writers for `seconds`, printed as one line of FIELDS."""
    import asyncio

    import orjson
    from replay_request import bodies  # bench/, the script's folder

    from gateway.database import Database
    from gateway.schema import MIGRATIONS
    from replay.compression import Compressor
    from replay.shredding import KeyRing
    from replay.store import ChunkIn, ReplayStore
    from replay.summary import summarize

    chunks = [orjson.loads(body)["events"] for body in bodies(400, 3)]
    raws = [(orjson.dumps(events), summarize(events)) for events in chunks]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "gateway.db", [m for m in MIGRATIONS if m.name.startswith("replay-")])
        store = ReplayStore(db, Compressor(3), KeyRing(bytes(range(32))))

        async def client(number: int, until: float, latencies: list[float]) -> int:
            sent = count = 0
            subject = f"{number:064x}"
            while time.monotonic() < until:
                raw, summary = raws[(number * 7 + count) % len(raws)]
                # A session of 20 chunks, then the next: sessions are opened (a key made) as well as continued.
                chunk = ChunkIn(f"session-{number}-{count // 20}-{until}", "main", (subject,), [], summary, raw=raw)
                started = time.monotonic()
                await store.add("web", [chunk])
                latencies.append(time.monotonic() - started)
                sent, count = sent + len(raw), count + 1
            return sent

        async def run(duration: float) -> tuple[int, list[float], float]:
            latencies: list[float] = []
            started = time.monotonic()
            sent = await asyncio.gather(*(client(n, started + duration, latencies) for n in range(clients)))
            return sum(sent), latencies, time.monotonic() - started

        asyncio.run(run(1.0))  # warm-up: caches, the first sessions and keys
        commits, cpu = db.commits, time.process_time()
        sent, latencies, wall = asyncio.run(run(seconds))
        cpu, commits = time.process_time() - cpu, db.commits - commits
        db.close()
    latencies.sort()
    print(f"{sent / wall / 1e6:.3f} {1000 * latencies[len(latencies) // 2]:.2f} "
          f"{1000 * latencies[int(len(latencies) * 0.99)]:.2f} {commits / wall:.1f} {1000 * cpu / len(latencies):.3f}")


def slow_fsync_library(microseconds: int) -> dict[str, str]:
    """The environment that makes a child's fsyncs slow: bench/slow_fsync.c built into the temp directory."""
    if not microseconds:
        return {}
    library = Path(tempfile.gettempdir()) / "privacy-gateway-slow-fsync.so"
    # Built under a name of its own, then renamed into place: a run started meanwhile never loads a half-written one.
    building = library.with_name(f"{library.name}.{os.getpid()}.part")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(building), str(ROOT / "bench" / "slow_fsync.c"),
                    "-ldl"], check=True)
    building.replace(library)
    return {"LD_PRELOAD": str(library), "SLOW_FSYNC_US": str(microseconds)}


def run(tree: Path, clients: int, seconds: float, env: dict[str, str]) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--clients", str(clients),
               "--seconds", str(seconds)]
    out = subprocess.run(command, cwd=tree, env={**os.environ, **env, "PYTHONPATH": str(tree)}, check=True,
                         capture_output=True, text=True).stdout
    return dict(zip(FIELDS, map(float, out.split()[-len(FIELDS):]), strict=True))


def line(name: str, m: dict[str, float]) -> str:
    return (f"  {name:<14} {m['mb_s']:6.2f} MB/s  p50 {m['p50_ms']:7.1f} ms  p99 {m['p99_ms']:7.1f} ms  "
            f"{m['commits_s']:6.1f} commits/s  {m['cpu_ms']:.2f} ms CPU per chunk")


def main() -> int:
    import argparse

    from alternate import this_and_before  # bench/, the script's folder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="main", help="the git revision to compare with")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fsync-us", type=int, default=0, help="microseconds added to every fsync (0: the disk's)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.clients, args.seconds)
        return 0
    env = slow_fsync_library(args.fsync_us)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clients} clients, {args.seconds:g} s per run, {args.rounds} "
          f"rounds; database under {tempfile.gettempdir()}, fsync +{args.fsync_us} us")
    now, then = this_and_before(ROOT, args, lambda tree: run(tree, args.clients, args.seconds, env), line,
                                lambda kept, new: max(kept, new, key=lambda m: m["mb_s"]))
    print(f"  this tree / {args.before}: {now['mb_s'] / then['mb_s']:.2f}x the MB/s; p99 {now['p99_ms']:.1f} / "
          f"{then['p99_ms']:.1f} ms; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
