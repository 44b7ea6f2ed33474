"""Delivery to a slow vendor: what `max_in_flight` and growing per-attempt timeouts change, each against the behaviour
before them in the same run.

    .venv/bin/python bench/slow_vendor.py [--latency 1.0] [--events 40000] [--in-flight 4] [--window 10]

1. Throughput: a vendor that takes `--latency` seconds per request (a real HTTP server on loopback, the tests' fake
   vendor), `--events` Segment events queued in a real outbox (SQLite), drained by the real sender with Segment's own
   batch limits (2,500 events or 500 KB). One batch in flight (the sender before, and still the default) against
   `--in-flight` batches. Every event is different (its own message id, user and properties).
2. A vendor slower than the timeout (0.7 s against a first timeout of 0.5 s): how many times it receives one batch
   in `--window` seconds. Timeouts that grow (x2 per failed attempt) against a fixed timeout (the sender before).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.database import Database  # noqa: E402
from gateway.metrics import Metrics  # noqa: E402
from gateway.outbox import MIGRATIONS, Delivery, OutboxStore, Sender  # noqa: E402
from gateway.outbox.transport import HttpTransport  # noqa: E402
from gateway.protocols import segment  # noqa: E402
from policies.policy import Destination, Retry  # noqa: E402
from tests.support.fake_vendor import FakeVendor  # noqa: E402

BACKOFF = Retry(initial_backoff_s=0.05, max_backoff_s=0.5, jitter=0.0)


def events(n: int, run: str) -> list[Delivery]:
    return [Delivery("vendor", "web", f"{run}-{i}", (orjson.dumps({
        "type": "track", "event": f"Viewed page {i % 97}", "userId": f"user-{run}-{i}", "messageId": f"{run}-{i}",
        "properties": {"path": f"/products/{i}", "price": i * 0.25, "campaign": f"c-{i % 13}-{run}"},
        "timestamp": f"2026-12-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z"}), "event")) for i in range(n)]


async def drain(directory: Path, vendor: FakeVendor, destination: Destination, queued: list[Delivery],
                until: float | None = None) -> float:
    """Seconds until everything queued is delivered (or until `until` seconds have passed)."""
    db = Database(directory / f"{destination.name}-{time.monotonic_ns()}.sqlite3", MIGRATIONS)
    outbox = OutboxStore(db, 10_000_000, 30, [destination.name])
    await outbox.commit(queued, also=None)
    async with httpx.AsyncClient() as client:
        transport = HttpTransport(segment.CODEC, destination, client)
        sender = Sender(destination, transport, outbox, segment.OUTBOUND_LIMITS, Metrics())
        started = time.perf_counter()
        sender.start()
        while outbox.depth()[destination.name] and (until is None or time.perf_counter() - started < until):
            await asyncio.sleep(0.01)
        took = time.perf_counter() - started
        await sender.stop(grace_s=30)
    db.close()
    return took


def throughput(directory: Path, latency: float, n: int, in_flight: int) -> None:
    vendor = FakeVendor().start()
    vendor.delay_s = latency
    base = Destination("vendor", "segment", vendor.url, {"write_key": "w"}, ("analytics",), retry=BACKOFF)
    try:
        one = asyncio.run(drain(directory, vendor, base, events(n, "one")))
        batches_one = len(vendor.received())
        many = asyncio.run(drain(directory, vendor, replace(base, max_in_flight=in_flight), events(n, "many")))
        most = vendor.most_in_flight(vendor.received()[batches_one:])
    finally:
        vendor.stop()
    print(f"throughput, vendor latency {latency:g} s, {n:,} events in batches of Segment's limits "
          f"({batches_one} batches):")
    print(f"  1 batch in flight (before):  {n / one:10,.0f} events/s ({one:.1f} s)")
    print(f"  {in_flight} batches in flight:        {n / many:10,.0f} events/s ({many:.1f} s; "
          f"{most} seen at once at the vendor)")
    print(f"  ratio: {one / many:.2f}x")


def slow_beyond_timeout(directory: Path, window: float) -> None:
    vendor = FakeVendor().start()
    vendor.delay_s = 0.7  # 40 % slower than the first timeout, as 20 s would be against the default 15 s
    growing = Destination("vendor", "segment", vendor.url, {"write_key": "w"}, ("analytics",),
                          retry=replace(BACKOFF, timeout_s=0.5, multiplier=2.0, max_timeout_s=8.0))
    fixed = replace(growing, retry=replace(growing.retry, max_timeout_s=growing.retry.timeout_s))
    try:
        sends = {}
        for name, destination in (("fixed", fixed), ("growing", growing)):
            before = len(vendor.received())
            took = asyncio.run(drain(directory, vendor, destination, events(10, name), until=window))
            time.sleep(max(0.0, window - took))  # a delivered batch is sent no more: the window passes quietly
            sends[name] = (len(vendor.received()) - before, took < window)
    finally:
        vendor.stop()
    print(f"a vendor taking 0.7 s, first timeout 0.5 s: sends of one batch in {window:g} s")
    for name, label in (("fixed", "fixed timeout (before):"), ("growing", "timeouts growing x2:")):
        n, delivered = sends[name]
        print(f"  {label:28} {n:3d} sends, {'delivered' if delivered else 'not delivered'}")
    print(f"  ratio of sends: {sends['fixed'][0] / sends['growing'][0]:.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args()
    logging.getLogger("gateway").setLevel(logging.ERROR)  # the sender's retry warnings are the point here, not news
    with tempfile.TemporaryDirectory() as tmp:
        throughput(Path(tmp), args.latency, args.events, args.in_flight)
        slow_beyond_timeout(Path(tmp), args.window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
