"""CPU per event of the ingest commit path and of delivery's settlement, on the real stores and writer thread:
this tree against a git revision's (default main), in alternating processes, in one run.

    .venv/bin/python bench/writer_cost.py [--before main] [--rounds 3] [--requests 300] [--events 100] [--preload 0]

Each process opens a fresh gateway database (gateway.schema's migrations, the SQLite file opened as the gateway
opens it: WAL, synchronous=FULL, secure_delete) and drives what a request of `--events` Segment-sized events costs
the writer: `OutboxStore.commit` of the deliveries with the identity links they reveal (every event a new user: a
user id and an anonymous id never seen before, so two new subjects and one new link, with the keyed hashes made by
gateway.identity), 8 requests in flight at once (group commit), then the sender's side: `next_batch` and `delivered`
(rows out of the outbox and its subject index, into the delivery log) until the outbox is empty. Bodies are ~600
bytes of fresh random text (nothing repeats). The first 10 % of the requests warm up and are not counted. With
`--preload N`, N identity links of random keys (both directions, as gateway.identity stores them) are put in the
table first, in one sorted insert: a gateway that has seen many users (the table never shrinks but by deletions).

Printed per process: CPU of the whole process (every thread: the writer's included) per event, for ingest and for
delivery, and wall time; then the medians of each tree and the ratios. None of these modules is compiled (mypyc), so
the revision's tree runs as extracted (`git archive`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IN_FLIGHT = 8


def preload(path: Path, links: int) -> None:
    """`links` random links in the identity table, as a gateway that has seen that many new users has them."""
    from gateway.storage.sqlite import connect

    conn, now = connect(path), time.time()
    rows = sorted(row for _ in range(links) for a, b in [(secrets.token_hex(16), secrets.token_hex(16))]
                  for row in ((a, b, now), (b, a, now)))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO identity_links (a, b, first_seen) VALUES (?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def child(requests: int, events: int, links: int) -> dict[str, float]:
    """Run the writer's work in this process (the tree on sys.path is the one measured) and return its costs."""
    from gateway.database import Database
    from gateway.identity import Identity
    from gateway.outbox.store import Delivery, OutboxStore
    from gateway.schema import MIGRATIONS

    async def run(directory: Path) -> dict[str, float]:
        Database(directory / "gateway.sqlite3", MIGRATIONS).close()  # the schema
        preload(directory / "gateway.sqlite3", links)
        db = Database(directory / "gateway.sqlite3", MIGRATIONS)
        outbox = OutboxStore(db, 10_000_000, 1, ["segment"])
        identity = Identity(secrets.token_bytes(32))

        def request() -> tuple[list[Delivery], list[tuple[str, str]]]:
            deliveries, subjects = [], []
            for _ in range(events):
                user, anonymous = identity.hash(secrets.token_hex(12)), identity.hash(secrets.token_hex(16))
                subjects.append((user, anonymous))
                body = b'{"type":"track","event":"%s","properties":{"text":"%s"}}' % (
                    secrets.token_hex(8).encode(), secrets.token_urlsafe(400).encode())
                deliveries.append(Delivery("segment", "web", secrets.token_hex(16), (body, "event"),
                                           f"{user} {anonymous}"))
            return deliveries, identity.new_links(subjects)

        async def ingest(deliveries: list[Delivery], links: list[tuple[str, str]]) -> None:
            await outbox.commit(deliveries, also=lambda conn: identity.record_links(conn, links))

        async def deliver() -> None:
            while batch := await outbox.next_batch("segment", 100, 500_000):
                await outbox.delivered("segment", batch)

        warm = max(1, requests // 10)
        totals = {"ingest": 0.0, "deliver": 0.0, "wall": 0.0}
        done = 0
        while done < requests:
            made = [request() for _ in range(min(IN_FLIGHT, requests - done))]  # made outside the timing
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(ingest(*r) for r in made))
            between = time.process_time()
            await deliver()
            if done >= warm:
                totals["ingest"] += between - cpu
                totals["deliver"] += time.process_time() - between
                totals["wall"] += time.perf_counter() - started
            done += len(made)
        db.close()
        counted = (requests - warm) * events
        return {key: value / counted * 1e6 for key, value in totals.items()}

    with tempfile.TemporaryDirectory() as directory:
        return asyncio.run(run(Path(directory)))


def archive(revision: str) -> Path:
    """The tree of `revision`, extracted under the temp directory (kept by commit)."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", revision], check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"privacy-gateway-writer-{commit[:12]}"
    if not tree.is_dir():
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit], check=True,
                             capture_output=True).stdout
        tree.mkdir()
        subprocess.run(["tar", "-x", "-C", str(tree)], input=tar, check=True)
    return tree


def measure(tree: Path, requests: int, events: int, links: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(ROOT / "bench" / "writer_cost.py"), "--child", "--requests", str(requests),
               "--events", str(events), "--preload", str(links)]
    out = subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="main", help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--preload", type=int, default=0, help="identity links in the table before the run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.requests, args.events, args.preload)))
        return
    trees = {"this tree": ROOT, args.before: archive(args.before)}
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.rounds} rounds of {args.requests} requests of "
          f"{args.events} events, {IN_FLIGHT} in flight, {args.preload:,} links preloaded; us of process CPU per "
          "event", flush=True)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for round_ in range(args.rounds):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            result = measure(trees[name], args.requests, args.events, args.preload)
            results[name].append(result)
            print(f"  round {round_ + 1} {name:>10}: ingest {result['ingest']:6.1f}  deliver {result['deliver']:6.1f}"
                  f"  total {result['ingest'] + result['deliver']:6.1f}  wall {result['wall']:6.1f}", flush=True)
    median = {name: {key: statistics.median(r[key] for r in runs) for key in ("ingest", "deliver", "wall")}
              for name, runs in results.items()}
    now, then = median["this tree"], median[args.before]
    for key in ("ingest", "deliver"):
        print(f"{key}: this tree {now[key]:.1f} us/event, {args.before} {then[key]:.1f}: "
              f"{then[key] / now[key]:.2f}x less")
    total_now, total_then = now["ingest"] + now["deliver"], then["ingest"] + then["deliver"]
    print(f"total: this tree {total_now:.1f} us/event, {args.before} {total_then:.1f}: {total_then / total_now:.2f}x "
          f"less; wall {now['wall']:.1f} vs {then['wall']:.1f} us/event")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
