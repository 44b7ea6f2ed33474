"""What the scrub pool (gateway.scrub_pool, `[http] scrub_workers`) costs: CPU per 1,000 cold events scrubbed in the
serving process against the same work handed to a worker process through the pool, in one run.

    .venv/bin/python bench/scrub_pool.py [--batches 20] [--rounds 2]

Batches of 100 Segment track events whose ids, emails, names and texts are new in every event (uuid4-based; no
Faker needed), so the scrubber works cold, as under bench/load.py. Per round, fresh events for each mode:
- in process: `Scrubber.scrub_events` on the decoded events, as the pipeline does with `scrub_workers = 0`;
- through the pool: `ScrubPool.scrub`, one worker: the CPU of this process (the hand-off: pickling the events'
  fields, the pipe, reading the answer) and of the worker (from /proc).
Prints CPU ms per 1,000 events of each, the serving process's share and the total as ratios of the in-process cost,
and the load average (CPU time, not wall time: the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.metrics import Metrics  # noqa: E402
from gateway.protocols.segment import event_from_wire  # noqa: E402
from gateway.scrub_pool import ScrubPool  # noqa: E402
from policies.event import Event  # noqa: E402
from policies.pii import PiiConfig, Scrubber  # noqa: E402

HASH_KEY = b"bench-hash-key-of-thirty-two-b!!"
NAMES = ["Jane", "Omar", "Li", "Sofia", "Kwame", "Anja", "Rahul", "Maria"]


def cold_event() -> Event:
    u = uuid.uuid4().hex
    who = f"{random.choice(NAMES)} {u[:5].capitalize()}"
    wire = {"type": "track", "event": "Order Completed", "messageId": u, "userId": f"u-{u}",
            "context": {"ip": f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.7",
                        "page": {"url": f"https://shop.example/p/{u[:8]}?q={u[8:16]}", "title": f"Item {u[16:22]}"}},
            "properties": {"title": f"Trail shoe {u[:6]} for {who}", "email": f"p{u[:10]}@example.com",
                           "note": f"call {who} on +1 415 555 {random.randint(1000, 9999)} about {u[10:20]}",
                           "price": random.random() * 100, "sku": u[20:32]}}
    return event_from_wire(wire, None, "bench")


def batches(n: int) -> list[list[Event]]:
    return [[cold_event() for _ in range(100)] for _ in range(n)]


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(rounds: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        scrubber = Scrubber(PiiConfig(), HASH_KEY, Path(data_dir))
        pool = await ScrubPool.start(1, PiiConfig(), HASH_KEY, Path(data_dir), Metrics())
        worker = pool.pids()[0]
        scrubber.scrub_events(batches(1)[0])
        await pool.scrub(batches(1)[0])
        per = 1e6 / (count * 100)  # CPU seconds per run -> ms per 1,000 events
        print(f"load average {os.getloadavg()[0]:.2f}; {rounds} rounds of {count} batches of 100 cold events; CPU ms "
              "per 1,000 events")
        for _ in range(rounds):
            work = batches(count)
            before = time.process_time()
            for batch in work:
                scrubber.scrub_events(batch)
            here = time.process_time() - before
            work = batches(count)
            before, worker_before = time.process_time(), cpu_of(worker)
            for batch in work:
                await pool.scrub(batch)
            mine, theirs = time.process_time() - before, cpu_of(worker) - worker_before
            print(f"  in process {here * per:6.0f}; through the pool: serving process {mine * per:5.0f} "
                  f"({mine / here:.2f}), worker {theirs * per:6.0f}, together {(mine + theirs) / here:.2f}x")
        await pool.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.batches))


if __name__ == "__main__":
    main()
