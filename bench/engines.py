"""Which PostgreSQL client and which S3 client the storage backends use (issues 15, 16), measured side by side.

    .venv/bin/python bench/engines.py [--rounds 5] [--batches 200] [--objects 16] [--reads 400] [--skip-s3]

PostgreSQL (a throwaway cluster started by tests/support/postgres.py: Debian's PostgreSQL, fsync on): durable enqueue
of 100-event batches, one transaction per request as ingest commits them, into a table shaped like the outbox, with
1 and 16 requests in flight, each on a connection of its own:
- asyncpg: `executemany` inside `connection.transaction()`;
- psycopg 3 (AsyncConnection): `executemany` inside `connection.transaction()` (psycopg pipelines it);
- SQLite, the gateway's outbox today: `OutboxStore.commit` through the group-committing writer (WAL, synchronous=FULL);
and the client in the gateway's design (issue 15: one writer thread runs every queued `fn(conn)` and commits once):
- gateway writer, psycopg 3: gateway.database.Database on gateway.storage.postgres (sync psycopg, group commit, each
  write in a savepoint), each request's rows by `executemany`;
- gateway writer, asyncpg: the same writer, with an asyncpg connection behind a synchronous facade that runs an
  event loop of the connection's own for each call (what the writer needs to use asyncpg with its `fn(conn)`).
Every event is ~800 bytes of JSON, no two alike. The configurations take turns within each round (the machine is
shared: its load drifts); each prints its median events/s over the rounds, and the ratios.

S3 (SeaweedFS from tests/support/seaweedfs.py, on loopback, signed requests): puts of 1 MB objects (random bytes) at
1 and 8 in flight, then reads of 6 KB ranges (a replay chunk's size) at random offsets at 1 and 16 in flight:
- aiobotocore: native asyncio;
- boto3: synchronous, called through `asyncio.to_thread`, as an async server would call it.
Prints MB/s for puts and reads/s for ranges, medians over the rounds, and the ratio aiobotocore / boto3.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.database import Database  # noqa: E402
from gateway.outbox.store import MIGRATIONS, Delivery, OutboxStore  # noqa: E402
from gateway.storage.engine import Engine  # noqa: E402
from gateway.storage.postgres import postgres_engine as gateway_postgres  # noqa: E402
from tests.support import postgres as postgres_engine  # noqa: E402
from tests.support import seaweedfs as seaweedfs_engine  # noqa: E402

EVENTS_PER_BATCH = 100
MB = 1 << 20
RANGE_BYTES = 6 * 1024
OUTBOX = """CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination text NOT NULL,
    source text NOT NULL,
    message_id text NOT NULL,
    enqueued_at double precision NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    body bytea NOT NULL,
    subjects text NOT NULL DEFAULT ''
)"""
INSERT = "INSERT INTO outbox (destination, source, message_id, enqueued_at, body, subjects) VALUES "
Row = tuple[str, str, str, float, bytes, str]
Batch = list[Row]


# -- data -----------------------------------------------------------------------------------------------------------

def batches(count: int, rng: random.Random) -> list[Batch]:
    """`count` batches of unique ~800-byte Segment-like events (ids, user ids and texts never repeat)."""
    made: list[Batch] = []
    for _ in range(count):
        batch: Batch = []
        for _ in range(EVENTS_PER_BATCH):
            message_id = str(uuid.uuid4())
            event = {
                "type": "track", "event": f"Checkout step {rng.randrange(10**9)}", "messageId": message_id,
                "userId": f"user-{uuid.uuid4().hex}", "timestamp": "2026-11-01T12:00:00.000Z",
                "properties": {"cart": rng.randbytes(150).hex(), "total": rng.random() * 500},
                "context": {"library": {"name": "analytics-python", "version": "2.4.0"},
                            "page": {"url": f"https://shop.example/checkout/{uuid.uuid4().hex}"}},
            }
            subjects = f"{rng.randbytes(16).hex()} {rng.randbytes(16).hex()}"
            batch.append(("segment", "bench", message_id, time.time(), orjson.dumps(event), subjects))
        made.append(batch)
    return made


# -- PostgreSQL and SQLite ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU, all threads (the client's cost; SQLite's writer thread included)


async def in_flight(work: Sequence[Any], concurrency: int, one: Callable[[Any, int], Awaitable[None]]) -> Timing:
    """Run `one(item, worker)` over `work` with `concurrency` workers, timed."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)

    async def worker(index: int) -> None:
        while not queue.empty():
            await one(queue.get_nowait(), index)

    start, start_cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return Timing(time.perf_counter() - start, time.process_time() - start_cpu)


async def warm_up(connections: Sequence[Any], one: Callable[[Batch, int], Awaitable[None]], batch: Batch) -> None:
    """Untimed: each connection inserts a batch (the client prepares its statement, learns the types) and the table
    is emptied again, so the timed runs start alike."""
    for worker in range(len(connections)):
        await one(batch, worker)
    await connections[0].execute("TRUNCATE outbox")


async def asyncpg_enqueue(url: str, work: list[Batch], concurrency: int) -> Timing:
    import asyncpg

    connections = [await asyncpg.connect(url) for _ in range(concurrency)]
    try:
        sql = INSERT + "($1, $2, $3, $4, $5, $6)"

        async def one(batch: Batch, worker: int) -> None:
            connection = connections[worker]
            async with connection.transaction():
                await connection.executemany(sql, batch)

        await warm_up(connections, one, work[0])
        return await in_flight(work, concurrency, one)
    finally:
        for connection in connections:
            await connection.close()


async def psycopg_enqueue(url: str, work: list[Batch], concurrency: int) -> Timing:
    import psycopg

    connections = [await psycopg.AsyncConnection.connect(url, autocommit=True) for _ in range(concurrency)]
    try:
        sql = INSERT + "(%s, %s, %s, %s, %s, %s)"

        async def one(batch: Batch, worker: int) -> None:
            connection = connections[worker]
            async with connection.transaction(), connection.cursor() as cursor:
                await cursor.executemany(sql, batch)

        await warm_up(connections, one, work[0])
        return await in_flight(work, concurrency, one)
    finally:
        for connection in connections:
            await connection.close()


async def sqlite_enqueue(directory: Path, work: list[Batch], concurrency: int) -> Timing:
    db = Database(Path(tempfile.mkdtemp(dir=directory)) / "gateway.sqlite", MIGRATIONS)
    try:
        store = OutboxStore(db, max_events=10**9, full_retry_after_s=1, destinations=["segment"])

        async def one(batch: Batch, worker: int) -> None:
            await store.commit([Delivery(row[0], row[1], row[2], (row[4], "event"), row[5]) for row in batch], None)

        return await in_flight(work, concurrency, one)
    finally:
        db.close()


class AsyncpgConnection:
    """asyncpg behind the writer's synchronous `fn(conn)`: an event loop of the connection's own, run for each call
    (what the writer would need to use asyncpg without making every write function async)."""

    def __init__(self, url: str) -> None:
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.raw = self.loop.run_until_complete(asyncpg.connect(url))

    @staticmethod
    def numbered(sql: str) -> str:
        parts = sql.split("?")
        return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        return self.loop.run_until_complete(self.raw.execute(self.numbered(sql), *parameters))

    def executemany(self, sql: str, parameters: Sequence[Sequence[Any]], /) -> Any:
        return self.loop.run_until_complete(self.raw.executemany(self.numbered(sql), parameters))

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.is_in_transaction())

    def close(self) -> None:
        self.loop.run_until_complete(self.raw.close())
        self.loop.close()


def asyncpg_engine(url: str) -> Engine:
    return dataclasses.replace(gateway_postgres(url), connect=lambda readonly: AsyncpgConnection(url),
                               fault=lambda error: None, usable=lambda conn: True)


async def writer_enqueue(engine: Engine, work: list[Batch], concurrency: int) -> Timing:
    # Opened on a thread of its own: the asyncpg facade runs its loop, which it cannot inside this running one.
    db = await asyncio.to_thread(Database, engine)
    try:
        sql = INSERT + "(?, ?, ?, ?, ?, ?)"

        async def one(batch: Batch, worker: int) -> None:
            await db.write(lambda conn: conn.executemany(sql, batch))

        await one(work[0], 0)  # untimed warm-up, as for the others
        await db.write(lambda conn: conn.execute("TRUNCATE outbox"))
        return await in_flight(work, concurrency, one)
    finally:
        await asyncio.to_thread(db.close)


async def count_rows(url: str) -> int:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM outbox"))
    finally:
        await connection.close()


def bench_postgres(args: argparse.Namespace, rng: random.Random, scratch: Path) -> None:
    server = postgres_engine.launch()
    try:
        url = server.url(server.create_database())
        server.sql(OUTBOX, url.rsplit("/", 1)[1])
        runs: dict[tuple[str, int], Callable[[list[Batch]], Coroutine[Any, Any, Timing]]] = {}
        for concurrency in (1, 16):
            runs[("asyncpg", concurrency)] = functools.partial(asyncpg_enqueue, url, concurrency=concurrency)
            runs[("psycopg 3", concurrency)] = functools.partial(psycopg_enqueue, url, concurrency=concurrency)
            runs[("SQLite outbox", concurrency)] = functools.partial(sqlite_enqueue, scratch, concurrency=concurrency)
            runs[("gateway writer, psycopg 3", concurrency)] = functools.partial(
                writer_enqueue, gateway_postgres(url), concurrency=concurrency)
            runs[("gateway writer, asyncpg", concurrency)] = functools.partial(
                writer_enqueue, asyncpg_engine(url), concurrency=concurrency)
        results = {key: Measured() for key in runs}
        for _ in range(args.rounds):
            for key, run in runs.items():
                work = batches(args.batches, rng)
                timing = asyncio.run(run(work))
                if key[0] != "SQLite outbox":
                    assert asyncio.run(count_rows(url)) == len(work) * EVENTS_PER_BATCH
                results[key].add(len(work) * EVENTS_PER_BATCH, timing)
    finally:
        server.close()

    print(f"durable enqueue, {args.batches} batches of {EVENTS_PER_BATCH} events per run, median of {args.rounds}:")
    for (client, concurrency), measured in results.items():
        print(f"  {client:>25}, {concurrency:>2} in flight: {measured.report('events/s', 'µs', 1e6)}")
    for concurrency in (1, 16):
        asyncpg, psycopg, sqlite = (results[client, concurrency].rate for client in ("asyncpg", "psycopg 3",
                                                                                      "SQLite outbox"))
        print(f"  ratio at {concurrency:>2} in flight: asyncpg / psycopg 3 = {asyncpg / psycopg:.2f}; "
              f"asyncpg / SQLite = {asyncpg / sqlite:.2f}; psycopg 3 / SQLite = {psycopg / sqlite:.2f}")
        design, design_asyncpg = (results[client, concurrency].rate for client in ("gateway writer, psycopg 3",
                                                                                   "gateway writer, asyncpg"))
        print(f"  in the writer's design at {concurrency:>2} in flight: psycopg 3 writer / asyncpg writer = "
              f"{design / design_asyncpg:.2f}; psycopg 3 writer / SQLite = {design / sqlite:.2f}")


@dataclass
class Measured:
    """One configuration's runs: units per second, and this process's CPU per unit."""

    rates: list[float] = field(default_factory=list)
    cpu_per_unit: list[float] = field(default_factory=list)

    def add(self, units: int, timing: Timing) -> None:
        self.rates.append(units / timing.seconds)
        self.cpu_per_unit.append(timing.cpu_seconds / units)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    def report(self, unit: str, cpu_unit: str, cpu_scale: float) -> str:
        cpu = statistics.median(self.cpu_per_unit) * cpu_scale
        return (f"{_figure(self.rate):>7} {unit} (runs {_figure(min(self.rates))}–{_figure(max(self.rates))}); "
                f"client CPU {cpu:.1f} {cpu_unit} per {unit.split('/')[0].rstrip('s')}")


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


# -- S3 -------------------------------------------------------------------------------------------------------------

class S3Client:
    """put(key, body) and read(key, offset, length), the two calls a chunk store makes, on either library."""

    def __init__(self, put: Callable[[str, bytes], Awaitable[None]],
                 read: Callable[[str, int, int], Awaitable[bytes]]) -> None:
        self.put = put
        self.read = read


def boto3_client(bucket: seaweedfs_engine.S3Bucket) -> S3Client:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=bucket.endpoint_url, region_name=bucket.region,
                          aws_access_key_id=bucket.access_key, aws_secret_access_key=bucket.secret_key,
                          config=Config(s3={"addressing_style": "path"}, max_pool_connections=32))

    def get(key: str, offset: int, length: int) -> bytes:
        answer = client.get_object(Bucket=bucket.name, Key=key, Range=f"bytes={offset}-{offset + length - 1}")
        return bytes(answer["Body"].read())

    async def put(key: str, body: bytes) -> None:
        await asyncio.to_thread(client.put_object, Bucket=bucket.name, Key=key, Body=body)

    async def read(key: str, offset: int, length: int) -> bytes:
        return await asyncio.to_thread(get, key, offset, length)

    return S3Client(put, read)


async def with_aiobotocore(bucket: seaweedfs_engine.S3Bucket, use: Callable[[S3Client], Awaitable[Timing]]) -> Timing:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    config = AioConfig(s3={"addressing_style": "path"}, max_pool_connections=32)
    async with get_session().create_client(
        "s3", endpoint_url=bucket.endpoint_url, region_name=bucket.region, aws_access_key_id=bucket.access_key,
        aws_secret_access_key=bucket.secret_key, config=config,
    ) as client:

        async def put(key: str, body: bytes) -> None:
            await client.put_object(Bucket=bucket.name, Key=key, Body=body)

        async def read(key: str, offset: int, length: int) -> bytes:
            answer = await client.get_object(Bucket=bucket.name, Key=key,
                                             Range=f"bytes={offset}-{offset + length - 1}")
            async with answer["Body"] as stream:
                return bytes(await stream.read())

        return await use(S3Client(put, read))


async def with_boto3(bucket: seaweedfs_engine.S3Bucket, use: Callable[[S3Client], Awaitable[Timing]]) -> Timing:
    return await use(boto3_client(bucket))


def put_objects(keys: list[str], rng: random.Random, concurrency: int) -> Callable[[S3Client], Awaitable[Timing]]:
    bodies = {key: rng.randbytes(MB) for key in keys}

    async def use(client: S3Client) -> Timing:
        async def one(key: str, worker: int) -> None:
            await client.put(key, bodies[key])

        # Untimed: one small put per worker, so the client has its connections open when the clock starts.
        await in_flight([f"{key}-warm-up" for key in keys[:concurrency]], concurrency,
                        lambda key, worker: client.put(key, b"warm-up"))
        return await in_flight(keys, concurrency, one)

    return use


def read_ranges(keys: list[str], reads: int, rng: random.Random, concurrency: int,
                expected: dict[str, bytes]) -> Callable[[S3Client], Awaitable[Timing]]:
    wanted = [(rng.choice(keys), rng.randrange(MB - RANGE_BYTES)) for _ in range(reads)]

    async def use(client: S3Client) -> Timing:
        async def one(item: tuple[str, int], worker: int) -> None:
            key, offset = item
            data = await client.read(key, offset, RANGE_BYTES)
            assert data == expected[key][offset:offset + RANGE_BYTES]

        await in_flight(wanted[:concurrency], concurrency, one)  # untimed: connections open, as for the puts
        return await in_flight(wanted, concurrency, one)

    return use


def bench_s3(args: argparse.Namespace, rng: random.Random) -> None:
    store = seaweedfs_engine.launch()
    libraries = {"aiobotocore": with_aiobotocore, "boto3": with_boto3}
    results: dict[tuple[str, str, int], Measured] = {}
    try:
        bucket = store.create_bucket()
        for round_number in range(args.rounds):
            for concurrency in (1, 8):
                for library, run in libraries.items():
                    keys = [f"{library}/{round_number}/{concurrency}/{i}" for i in range(args.objects)]
                    timing = asyncio.run(run(bucket, put_objects(keys, rng, concurrency)))
                    results.setdefault(("put", library, concurrency), Measured()).add(len(keys), timing)
            stored = {key: bytes(store.client().get_object(Bucket=bucket.name, Key=key)["Body"].read())
                      for key in (f"{library}/{round_number}/1/{i}" for library in libraries for i in range(4))}
            for concurrency in (1, 16):
                for library, run in libraries.items():
                    timing = asyncio.run(run(bucket, read_ranges(list(stored), args.reads, rng, concurrency, stored)))
                    results.setdefault(("read", library, concurrency), Measured()).add(args.reads, timing)
    finally:
        store.close()

    print(f"S3 on SeaweedFS, median of {args.rounds}: puts of {args.objects} 1 MB objects, "
          f"{args.reads} reads of {RANGE_BYTES // 1024} KB ranges")
    for (operation, library, concurrency), measured in results.items():
        unit = "MB/s" if operation == "put" else "reads/s"
        print(f"  {operation:>4} {library:>11}, {concurrency:>2} in flight: {measured.report(unit, 'ms', 1e3)}")
    for operation, concurrency in (("put", 1), ("put", 8), ("read", 1), ("read", 16)):
        ratio = results[operation, "aiobotocore", concurrency].rate / results[operation, "boto3", concurrency].rate
        print(f"  ratio {operation:>4} at {concurrency:>2} in flight: aiobotocore / boto3 = {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, default=200, help="100-event batches per PostgreSQL/SQLite run")
    parser.add_argument("--objects", type=int, default=16, help="1 MB objects per S3 put run")
    parser.add_argument("--reads", type=int, default=400, help="ranged reads per S3 read run")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-s3", action="store_true")
    args = parser.parse_args()
    rng = random.Random(int.from_bytes(os.urandom(8)))  # fresh data every run: nothing repeats across runs either
    with tempfile.TemporaryDirectory() as scratch:
        if not args.skip_postgres:
            bench_postgres(args, rng, Path(scratch))
        if not args.skip_s3:
            bench_s3(args, rng)


if __name__ == "__main__":
    main()
