"""What the multi-node drain costs (issue 15) on PostgreSQL: one owner draining a destination, batch after batch
(read a batch, settle it delivered), as the sender does against an instant vendor.

    .venv/bin/python bench/outbox_drain.py [--rows 20000] [--batch 100] [--rounds 3]

- cursor (the drain before, one writer only): each batch read after the last id taken, settled without a fence;
- lowest rows (now, SQLite): each batch read from the lowest undelivered rows, settled without a fence;
- lowest rows + fence (now, PostgreSQL): read under the owner's epoch, settled with the epoch checked in the same
  transaction (gateway.outbox.ownership).
Settling is `OutboxStore.delivered` in all three (delete, delivery log, subject index).
The rows (~800-byte events, none alike) are queued afresh for each turn; the two take turns within each round (the
machine is shared, its load drifts). Prints rows/s per turn, the medians and the ratio now / before, and the load
average. PostgreSQL is a throwaway cluster (tests/support/postgres.py, fsync on).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.database import Database  # noqa: E402
from gateway.outbox import MIGRATIONS, Delivery, OutboxStore, Queued  # noqa: E402
from gateway.outbox import ownership as ownership_module  # noqa: E402
from gateway.outbox.ownership import Ownership  # noqa: E402
from gateway.storage.connection import Connection  # noqa: E402
from gateway.storage.postgres import postgres_engine  # noqa: E402
from tests.support import postgres as postgres_server  # noqa: E402


def events(n: int) -> list[Delivery]:
    out = []
    for _ in range(n):
        message_id = str(uuid.uuid4())
        body = orjson.dumps({"type": "track", "event": "Viewed", "messageId": message_id, "userId": str(uuid.uuid4()),
                             "properties": {"note": uuid.uuid4().hex * 20}})
        out.append(Delivery("segment", "web", message_id, (body, "event")))
    return out


async def queue(outbox: OutboxStore, rows: int) -> None:
    for start in range(0, rows, 500):
        await outbox.commit(events(min(500, rows - start)), also=None)


async def drain_cursor(outbox: OutboxStore, batch: int) -> int:
    after, done = 0, 0

    def select(conn: Connection) -> list[Queued]:
        return [Queued(*row) for row in conn.execute(
            """SELECT id, source, message_id, attempts, body, kind, subjects FROM outbox
               WHERE destination = ? AND id > ? ORDER BY id LIMIT ?""", ("segment", after, batch))]

    while rows := await outbox.db.read(select):
        after = rows[-1].id
        await outbox.delivered("segment", rows)
        done += len(rows)
    return done


async def drain_lowest(outbox: OutboxStore, batch: int, epoch: int | None) -> int:
    done = 0
    while rows := await outbox.next_batch("segment", batch, 10_000_000, (), epoch):
        await outbox.delivered("segment", rows, epoch)
        done += len(rows)
    return done


async def main(args: argparse.Namespace) -> None:
    server = postgres_server.launch()
    try:
        engine = postgres_engine(server.url(server.create_database()))
        db = Database(engine, (*MIGRATIONS, *ownership_module.MIGRATIONS))
        outbox = OutboxStore(db, 10_000_000, 30, ["segment"])
        owner = Ownership(engine, "bench", ["segment"])
        await owner.round()
        epoch = owner.epoch("segment")
        assert epoch is not None
        rates: dict[str, list[float]] = {"cursor": [], "lowest rows": [], "lowest rows + fence": []}
        drains = {"cursor": lambda: drain_cursor(outbox, args.batch),
                  "lowest rows": lambda: drain_lowest(outbox, args.batch, None),
                  "lowest rows + fence": lambda: drain_lowest(outbox, args.batch, epoch)}
        for round_ in range(args.rounds):
            for name in (list(rates) if round_ % 2 == 0 else list(reversed(rates))):
                await queue(outbox, args.rows)
                started = time.perf_counter()
                done = await drains[name]()
                rate = done / (time.perf_counter() - started)
                rates[name].append(rate)
                print(f"round {round_ + 1} {name:>20}: {done} rows, {rate:,.0f} rows/s "
                      f"(load {os.getloadavg()[0]:.1f})")
        medians = {name: statistics.median(values) for name, values in rates.items()}
        for name, value in medians.items():
            print(f"median {name:>20}: {value:,.0f} rows/s")
        print(f"lowest rows / cursor: {medians['lowest rows'] / medians['cursor']:.2f}x, lowest rows + fence / "
              f"cursor: {medians['lowest rows + fence'] / medians['cursor']:.2f}x (load {os.getloadavg()[0]:.1f})")
        await asyncio.to_thread(owner._close)
        db.close()
    finally:
        server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
