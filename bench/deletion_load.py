"""Ingest latency while a deletion request runs: does deleting one subject stall everyone else's events?

    .venv/bin/python bench/deletion_load.py [--outbox 1000000] [--sessions 100000] [--idle-seconds 10]
                                            [--database-url postgresql://...]

Builds a real data directory: the real server creates it (migrations), then `--outbox` queued deliveries and
`--sessions` replay sessions are bulk-loaded into its SQLite file (executemany; every row has its own subjects, two
random keyed-hash-shaped values, and its own message id), among them `--subject-rows` deliveries and
`--subject-sessions` sessions of one subject, whose hash is the real keyed hash of its user id. The destination is a
closed port with a long backoff, so the rows stay queued, as behind a vendor outage. With `--database-url` (an empty
PostgreSQL database) the same is done there: the server migrates it, the rows are loaded through the gateway's own
PostgreSQL connection, and ANALYZE gives the planner the tables' sizes, as autovacuum would on a live database.

Then the real `privacy-gateway serve` on that directory takes Segment batches (`--batch` events, each event with its
own ids, never a repeated one) on `--concurrency` keep-alive connections: first `--idle-seconds` with nothing else
going on (the baseline), then from a deletion request for the subject until its status says it completed. Prints
p50 and p99 of the ingest latency in both phases and the ratio during/idle, the deletion's duration, and the load
average beside them (the machine is shared: figures move with the neighbours).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import socket
import sqlite3
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

from gateway import keys  # noqa: E402 - after the path: the bench runs from a checkout
from gateway.identity import Identity  # noqa: E402
from gateway.outbox.store import queue_rows  # noqa: E402
from gateway.schema import DATABASE_FILE  # noqa: E402
from gateway.storage import postgres  # noqa: E402
from gateway.storage.connection import Connection  # noqa: E402

WRITE_KEY = "bench-write-key"
COMPLIANCE = "bench-compliance-token"
SUBJECT = "deleted-subject-4711"

POLICY = f"""
[[sources]]
name = "bench"
write_keys = ["{WRITE_KEY}"]
consent_model = "opt-out"
destinations = ["segment"]

[[destinations]]
name = "segment"
protocol = "segment"
endpoint = "http://127.0.0.1:9"
credentials = {{ write_key = "vendor-key" }}
retry = {{ initial_backoff_s = 600, max_backoff_s = 600 }}

[outbox]
max_events = 100000000

[[access.tokens]]
name = "dpo"
role = "compliance"
sha256 = "{hashlib.sha256(COMPLIANCE.encode()).hexdigest()}"
"""


def start_server(policy: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--policy", str(policy), "--data-dir", str(data_dir),
         "--fd", str(listener.fileno())],
        pass_fds=[listener.fileno()], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    listener.close()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise SystemExit("the gateway exited while starting")
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the gateway did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(60)


def random_hash() -> str:
    return secrets.token_hex(16)


def load(data_dir: Path, database_url: str | None, outbox: int, sessions: int, subject_rows: int,
         subject_sessions: int) -> None:
    """Bulk-load the queued deliveries and replay sessions, the subject's spread evenly among everyone's."""
    if database_url is None:
        conn = sqlite3.connect(data_dir / DATABASE_FILE)
        with conn:
            _load(conn, data_dir, outbox, sessions, subject_rows, subject_sessions)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return
    pg = postgres.connect(database_url, readonly=False)
    pg.execute("BEGIN")
    _load(pg, data_dir, outbox, sessions, subject_rows, subject_sessions)
    pg.execute("COMMIT")
    pg.execute("ANALYZE")
    pg.close()


def _load(conn: Connection, data_dir: Path, outbox: int, sessions: int, subject_rows: int,
          subject_sessions: int) -> None:
    secret = (data_dir / keys.KEY_FILE).read_text().strip().encode()
    subject = Identity(keys.derive(secret, "identity")).hash(SUBJECT)
    now = time.time()
    every = max(1, outbox // max(1, subject_rows))

    def outbox_rows(start: int, end: int) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for i in range(start, end):
            subjects = f"{subject} {random_hash()}" if i % every == 0 and i // every < subject_rows \
                else f"{random_hash()} {random_hash()}"
            body = orjson.dumps({"type": "track", "event": "Viewed", "messageId": f"m-{i}", "userId": f"u-{i}"})
            rows.append(("segment", "bench", f"m-{i}", now, body, "event", subjects))
        return rows

    for start in range(0, outbox, 100_000):
        queue_rows(conn, outbox_rows(start, min(outbox, start + 100_000)))  # as ingest queues them, indexed
    every_session = max(1, sessions // max(1, subject_sessions))
    conn.executemany(
        """INSERT INTO replay_sessions (session_id, source, subjects, first_ts, last_ts, created_at, updated_at)
           VALUES (?, 'bench', ?, ?, ?, ?, ?)""",
        [(f"s-{i}", f"{subject} {random_hash()}" if i % every_session == 0 and i // every_session
          < subject_sessions else f"{random_hash()} {random_hash()}", i, i + 1, now, now)
         for i in range(sessions)])


def batch_request(n: int, counter: list[int]) -> bytes:
    events = []
    for _ in range(n):
        counter[0] += 1
        events.append({"type": "track", "event": "Product Viewed", "messageId": str(uuid.uuid4()),
                       "userId": f"bench-user-{counter[0]}", "anonymousId": str(uuid.uuid4()),
                       "properties": {"product_id": f"sku-{counter[0]}", "price": 12.5}})
    body = orjson.dumps({"writeKey": WRITE_KEY, "batch": events})
    return (b"POST /v1/batch HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


async def ingest(url: str, until: asyncio.Event, concurrency: int, batch: int, counter: list[int]) -> list[float]:
    """Post batches until `until` is set; the latency of each acknowledged one, in seconds."""
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        while not until.is_set():
            request = batch_request(batch, counter)
            started = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status.split()[1] != b"200":
                raise SystemExit(f"ingest answered {status.decode().strip()}")
            latencies.append(time.perf_counter() - started)
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def phases(url: str, args: argparse.Namespace) -> tuple[list[float], list[float], float]:
    counter = [0]
    idle_done = asyncio.Event()
    asyncio.get_running_loop().call_later(args.idle_seconds, idle_done.set)
    idle = await ingest(url, idle_done, args.concurrency, args.batch, counter)

    deletion_done = asyncio.Event()
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {COMPLIANCE}"},
                                 timeout=120) as admin:
        async def delete() -> float:
            started = time.perf_counter()
            answer = await admin.post("/admin/v1/privacy/deletions", json={
                "identifiers": {"userId": SUBJECT}, "reason": "bench", "destinations": "all"})
            deletion_id = answer.json()["id"]
            while (status := (await admin.get(f"/admin/v1/privacy/deletions/{deletion_id}")).json())[
                    "status"] != "completed":
                await asyncio.sleep(0.05)
            deletion_done.set()
            deleted = (status["stores"]["outbox"]["deleted"], status["stores"]["replay"]["deleted"])
            if deleted != (args.subject_rows, args.subject_sessions):
                raise SystemExit(f"the deletion deleted {deleted} (queued deliveries, sessions), not "
                                 f"{(args.subject_rows, args.subject_sessions)}")
            return time.perf_counter() - started

        during, took = await asyncio.gather(ingest(url, deletion_done, args.concurrency, args.batch, counter),
                                            delete())
    return idle, during, took


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1] if len(values) > 1 \
        else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outbox", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--subject-rows", type=int, default=10_000)
    parser.add_argument("--subject-sessions", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--database-url", help="an empty PostgreSQL database to run on instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        policy, data_dir = Path(tmp) / "policy.toml", Path(tmp) / "data"
        policy.write_text(POLICY if args.database_url is None else
                          f'{POLICY}\n[storage]\ndatabase_url = "{args.database_url}"\n')
        stop_server(start_server(policy, data_dir)[0])  # creates the database (migrations) and the key
        started = time.perf_counter()
        load(data_dir, args.database_url, args.outbox, args.sessions, args.subject_rows, args.subject_sessions)
        print(f"loaded {args.outbox:,} queued deliveries and {args.sessions:,} replay sessions "
              f"({args.subject_rows:,} and {args.subject_sessions:,} of the subject) in "
              f"{time.perf_counter() - started:.1f} s")
        proc, url = start_server(policy, data_dir)
        try:
            idle, during, took = asyncio.run(phases(url, args))
        finally:
            stop_server(proc)
    engine = "SQLite" if args.database_url is None else f"PostgreSQL ({postgres.redacted(args.database_url)})"
    print(f"{engine}; ingest: batches of {args.batch} events on {args.concurrency} connections; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"  idle:            p50 {quantile(idle, 0.5) * 1000:7.1f} ms  p99 {quantile(idle, 0.99) * 1000:7.1f} ms"
          f"  ({len(idle)} requests)")
    print(f"  during deletion: p50 {quantile(during, 0.5) * 1000:7.1f} ms  p99 {quantile(during, 0.99) * 1000:7.1f}"
          f" ms  ({len(during)} requests; the deletion of {args.subject_rows:,} deliveries and "
          f"{args.subject_sessions:,} sessions took {took:.2f} s)")
    print(f"  ratio during/idle: p50 {quantile(during, 0.5) / quantile(idle, 0.5):.2f}x  "
          f"p99 {quantile(during, 0.99) / quantile(idle, 0.99):.2f}x")


if __name__ == "__main__":
    main()
