"""Does scrubbing in another process pay? The CPU a batch costs when the event loop's process scrubs it, against
handing it to a worker process over a pipe (serialise, send, the worker scrubs, send back, parse), in one run.

    .venv/bin/python bench/scrub_ipc.py [--batches 30] [--rounds 3]

Batches of 100 Segment events from bench/scrub.py's cold stream (no string value repeats, but enumerations), so the
scrubber works cold, as under bench/load.py. Per mode, interleaved rounds, CPU seconds (not wall time: the machine
is shared) of the loop's process and of the worker, per 1,000 events:
- in process: `Scrubber.scrub_events` on the decoded events, as the pipeline does now;
- round trip only: the batch to the worker and back, unscrubbed (orjson both ways): the price of the hand-off;
- in a worker: the same round trip with the worker scrubbing: what the loop's process still spends, and the total.
A worker pays when the loop's share falls far below the in-process cost and a core is free for the worker; the
total (both processes) is what a saturated machine pays per event.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import orjson  # noqa: E402
from scrub import HASH_KEY, ColdStream  # noqa: E402

from gateway.protocols.segment import event_from_wire, event_to_wire  # noqa: E402
from policies.pii import PiiConfig, Scrubber  # noqa: E402

BATCH = 100


def scrub_wire(scrubber: Scrubber, wires: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events = [event_from_wire(w, None, "bench") for w in wires]
    scrubber.scrub_events(events)
    return [event_to_wire(e) for e in events]


def worker(conn: Connection) -> None:
    """Answer each batch (orjson bytes) with it scrubbed or as it came, and, on b"cpu", its CPU seconds so far."""
    scrubber = Scrubber(PiiConfig(), HASH_KEY, None)
    scrub_wire(scrubber, [ColdStream(seed=99).event()[0] for _ in range(BATCH)])  # load the models before timing
    conn.send_bytes(b"ready")
    while True:
        message = conn.recv_bytes()
        if message == b"stop":
            return
        if message == b"cpu":
            conn.send_bytes(str(time.process_time()).encode())
            continue
        mode, body = message[:1], message[1:]
        wires = orjson.loads(body)
        conn.send_bytes(orjson.dumps(scrub_wire(scrubber, wires) if mode == b"s" else wires))


def worker_cpu(conn: Connection) -> float:
    conn.send_bytes(b"cpu")
    return float(conn.recv_bytes())


def via_worker(conn: Connection, batches: list[list[dict[str, Any]]], mode: bytes) -> tuple[float, float]:
    """(CPU seconds of this process, of the worker) for sending each batch and reading the answer."""
    before_worker, before = worker_cpu(conn), time.process_time()
    for wires in batches:
        conn.send_bytes(mode + orjson.dumps(wires))
        orjson.loads(conn.recv_bytes())
    mine = time.process_time() - before
    return mine, worker_cpu(conn) - before_worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stream = ColdStream()
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=worker, args=(child,))
    process.start()
    scrubber = Scrubber(PiiConfig(), HASH_KEY, None)
    scrub_wire(scrubber, [ColdStream(seed=98).event()[0] for _ in range(BATCH)])
    assert parent.recv_bytes() == b"ready"
    print(f"load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds of {args.batches} batches of {BATCH} cold "
          "events each; CPU ms per 1,000 events")
    results: dict[str, list[tuple[float, float]]] = {"in process": [], "round trip only": [], "in a worker": []}
    for _ in range(args.rounds):
        # Fresh events for each mode, so that no mode meets strings another has scrubbed.
        fresh = {mode: [[stream.event()[0] for _ in range(BATCH)] for _ in range(args.batches)] for mode in results}
        before = time.process_time()
        for wires in fresh["in process"]:
            scrub_wire(scrubber, wires)
        results["in process"].append((time.process_time() - before, 0.0))
        results["round trip only"].append(via_worker(parent, fresh["round trip only"], b"r"))
        results["in a worker"].append(via_worker(parent, fresh["in a worker"], b"s"))
    parent.send_bytes(b"stop")
    process.join(30)
    per = 1e6 / (args.batches * BATCH)  # seconds per run -> ms per 1,000 events
    best = {mode: min(runs, key=lambda r: r[0] + r[1]) for mode, runs in results.items()}
    for mode, (mine, theirs) in best.items():
        print(f"  {mode:<16} loop's process {mine * per:7.1f}  worker {theirs * per:7.1f}  total "
              f"{(mine + theirs) * per:7.1f}")
    inline = best["in process"][0]
    loop, worker_side = best["in a worker"]
    print(f"  the loop's process spends {loop / inline:.2f} of the in-process cost; both processes together "
          f"{(loop + worker_side) / inline:.2f} of it (load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
