"""What delivery costs per event under a steady stream of ingest commits, with and without the sender's linger.

    .venv/bin/python bench/sender_batch.py [--rate 1500] [--seconds 8] [--rounds 3]

The real sender (gateway.outbox.sender, HttpTransport, Segment's codec) over a real outbox in SQLite, against the fake
capture vendor (tests/support/fake_vendor.py) in a child process, so that its CPU is not counted. This process commits
batches of 100 new ~700-byte events (every id and text new) at `--rate` events per second, as ingest does under
bench/load.py, while the sender delivers them; then it waits until the outbox is empty. Printed per variant: CPU of
this process (every thread: the commits, the sender's reads, POSTs and settling writes) per event, the events per
batch, and the time from the last commit to the outbox empty. The variants take turns in each round:
- linger 0: the sender takes whatever is queued as soon as it is woken (main's sender before the linger);
- linger LINGER_S: it first waits up to that long for more rows while less than a full batch is queued.
The commits' own CPU is the same in both, so the difference is the sender's. Load average printed; the machine is
shared, so compare the variants of one round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.database import Database  # noqa: E402
from gateway.metrics import Metrics  # noqa: E402
from gateway.outbox import MIGRATIONS, Delivery, OutboxStore, Sender  # noqa: E402
from gateway.outbox.replies import MAX_REPLY_CHARS  # noqa: E402
from gateway.outbox.sender import LINGER_S  # noqa: E402
from gateway.outbox.transport import HttpTransport  # noqa: E402
from gateway.protocols import segment  # noqa: E402
from policies.policy import Destination  # noqa: E402

VENDOR = ("import sys; from tests.support.fake_vendor import FakeVendor; vendor = FakeVendor().start(); "
          "print(vendor.port, flush=True); sys.stdin.read()")
PER_COMMIT = 100


def delivery(n: int) -> Delivery:
    message_id = uuid.uuid4().hex
    body = orjson.dumps({"type": "track", "event": f"Viewed {uuid.uuid4().hex[:8]}", "messageId": message_id,
                         "userId": uuid.uuid4().hex, "properties": {"note": uuid.uuid4().hex * 16, "n": n}})
    return Delivery("vendor", "web", message_id, (body, "event"), f"{uuid.uuid4().hex} {uuid.uuid4().hex}")


async def run(url: str, linger_s: float, rate: float, seconds: float) -> tuple[float, float, float]:
    """(CPU us per event, events per batch, seconds from the last commit to an empty outbox)."""
    directory = Path(tempfile.mkdtemp(prefix="sender-batch-"))
    db = Database(directory / "gateway.db", MIGRATIONS)
    outbox = OutboxStore(db, 10_000_000, 30, ["vendor"])
    destination = Destination("vendor", "segment", url, {"write_key": "w"}, ("analytics",))
    commits = int(rate * seconds / PER_COMMIT)
    batches = [[delivery(i * PER_COMMIT + j) for j in range(PER_COMMIT)] for i in range(commits)]
    async with httpx.AsyncClient() as client:
        sender = Sender(destination, HttpTransport(segment.CODEC, destination, client), outbox,
                        segment.OUTBOUND_LIMITS, Metrics(), keep_reply=lambda reply: reply[:MAX_REPLY_CHARS],
                        linger_s=linger_s)
        sender.start()
        loop = asyncio.get_running_loop()
        started, cpu = loop.time(), time.process_time()
        for i, batch in enumerate(batches):
            await asyncio.sleep(max(0.0, started + i * PER_COMMIT / rate - loop.time()))
            await outbox.commit(batch, also=None)
        last = loop.time()
        while outbox.queued("vendor"):
            await asyncio.sleep(0.005)
        drained, cpu = loop.time() - last, time.process_time() - cpu
        await sender.stop()
    posts = db.read_sync(lambda conn: conn.execute("SELECT count(DISTINCT delivered_at) FROM delivery_log")
                         .fetchone()[0])
    db.close()
    events = commits * PER_COMMIT
    return cpu / events * 1e6, events / max(posts, 1), drained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=1500, help="events per second committed")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    vendor = subprocess.Popen([sys.executable, "-c", VENDOR], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert vendor.stdout is not None
    url = f"http://127.0.0.1:{int(vendor.stdout.readline())}"
    variants = {"linger 0": 0.0, f"linger {LINGER_S:g} s": LINGER_S}
    results: dict[str, list[float]] = {name: [] for name in variants}
    print(f"{args.rounds} rounds; {args.rate:g} events/s committed for {args.seconds:g} s, {PER_COMMIT} per commit; "
          f"load average {os.getloadavg()[0]:.2f}")
    try:
        for round_ in range(args.rounds):
            order = list(variants.items()) if round_ % 2 == 0 else list(variants.items())[::-1]
            for name, linger_s in order:
                cpu, per_batch, drained = asyncio.run(run(url, linger_s, args.rate, args.seconds))
                results[name].append(cpu)
                print(f"  round {round_ + 1} {name:<14} {cpu:6.1f} us CPU per event, {per_batch:5.0f} events per "
                      f"batch, outbox empty {drained:.2f} s after the last commit", flush=True)
    finally:
        vendor.kill()
    base, lingered = (statistics.median(results[name]) for name in variants)
    print(f"median: linger 0 {base:.1f}, linger {LINGER_S:g} s {lingered:.1f} us CPU per event "
          f"({base / lingered:.2f}x less); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
