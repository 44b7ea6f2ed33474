"""What the outbox's subject index costs ingest: enqueueing with it (gateway.outbox.store.queue_rows) against the
same rows inserted without it (the INSERT the outbox used before the index), in one run.

    .venv/bin/python bench/outbox_index_cost.py [--batches 300] [--events 100] [--preload 200000]

Each side has its own real SQLite file opened as the gateway opens it (WAL, synchronous=FULL, secure_delete), with
`--preload` rows already queued (an index that no longer fits in the page cache is the case that matters: a vendor
outage), then commits `--batches` transactions of `--events` rows, each row with two subjects of its own (random
keyed-hash-shaped values, never repeated). The sides alternate batch by batch (A B B A ...), so the machine's load
falls on both alike. Prints wall time and CPU time per event of each and the ratios.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.database import Migration, connect  # noqa: E402
from gateway.outbox.store import MIGRATIONS, queue_rows  # noqa: E402

Row = tuple[object, ...]
PLAIN = """INSERT INTO outbox (destination, source, message_id, enqueued_at, body, kind, subjects)
           VALUES (?, ?, ?, ?, ?, ?, ?)"""


def rows(count: int, start: int) -> list[Row]:
    return [("segment", "bench", f"m-{start + i}", time.time(),
             b'{"type":"track","event":"Viewed","messageId":"m-%d"}' % (start + i), "event",
             f"{secrets.token_hex(16)} {secrets.token_hex(16)}") for i in range(count)]


def migrate(path: Path, migrations: tuple[Migration, ...]) -> None:
    conn = connect(path)
    for migration in migrations:
        for statement in migration.statements:
            conn.execute(statement)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--preload", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain_path, indexed_path = Path(tmp) / "plain.sqlite3", Path(tmp) / "indexed.sqlite3"
        migrate(plain_path, MIGRATIONS[:-1])  # every outbox migration but the index
        migrate(indexed_path, MIGRATIONS)
        plain, indexed = connect(plain_path), connect(indexed_path)

        def with_index(batch: list[Row]) -> None:
            indexed.execute("BEGIN IMMEDIATE")
            queue_rows(indexed, batch)
            indexed.execute("COMMIT")

        def without_index(batch: list[Row]) -> None:
            plain.execute("BEGIN IMMEDIATE")
            plain.executemany(PLAIN, batch)
            plain.execute("COMMIT")

        for start in range(0, args.preload, 10_000):
            with_index(rows(10_000, start))
            without_index(rows(10_000, start))
        spent = {"without index": [0.0, 0.0], "with index": [0.0, 0.0]}
        sides = {"without index": without_index, "with index": with_index}
        for i in range(args.batches):
            order = ["without index", "with index"] if i % 2 == 0 else ["with index", "without index"]
            for name in order:
                batch = rows(args.events, args.preload + i * args.events)
                wall, cpu = time.perf_counter(), time.process_time()
                sides[name](batch)
                spent[name][0] += time.perf_counter() - wall
                spent[name][1] += time.process_time() - cpu
        plain.close()
        indexed.close()
    events = args.batches * args.events
    print(f"{args.batches} commits of {args.events} rows (2 subjects each) over {args.preload:,} queued, "
          "WAL synchronous=FULL")
    for name, (wall, cpu) in spent.items():
        print(f"  {name:>13}: {wall / events * 1e6:7.1f} us wall, {cpu / events * 1e6:6.1f} us CPU per event")
    (wall_a, cpu_a), (wall_b, cpu_b) = spent["without index"], spent["with index"]
    print(f"  ratio with/without: wall {wall_b / wall_a:.2f}x, CPU {cpu_b / cpu_a:.2f}x")


if __name__ == "__main__":
    main()
