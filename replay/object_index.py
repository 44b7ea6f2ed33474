"""The index of chunk objects (the S3 backend), and the sweeper that removes the objects nothing needs any more.

`replay_spans` names each chunk's object and offset (its length is the chunk's `stored_bytes`); `replay_objects`
counts, per object, the chunks the index still points into. An object's life:

1. a flush writes it whole (replay.batching), before the index rows that point into it are committed;
2. in that commit it gets its row, counting the chunks stored in it (a duplicate or refused chunk takes bytes in the
   object but no row, as nothing will ever read it);
3. retention and deletion remove chunk rows and count them off; a deletion request (a person's data) also lists the
   chunks' ranges in `replay_erasures`, and the sweeper rewrites the object with those ranges zeroed, so the person's
   bytes do not wait for the object's end. Retention does not rewrite: an expired chunk's bytes stay, unreachable,
   until the last chunk of its object expires (objects are written in a few seconds, so that is the longest
   recording's span at most after its own expiry);
4. at zero chunks the sweeper deletes the object, then its row.

An object the index never named is an orphan: a crash between 1 and 2, or a commit that failed. The sweeper deletes
one once it is older than `orphan_after_s`: a younger one may be a flush still in flight in another process (this
process's own are in `Batching.in_flight`). Keys begin with the hour their flush began (replay.objects.new_key), so a
sweep lists only the keys from a few hours before its previous one's cutoff (older objects were dealt with then), not
the whole bucket; a process's first sweep lists all. Every step is idempotent and ordered store-after-index for
removal, as it is index-after-store for writing, so a crash at any point leaves nothing readable lost and nothing
unswept for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from replay.database import Connection, Database
from replay.objects import ObjectStore, Span, keys_from, written_at

if TYPE_CHECKING:
    from replay.batching import Batching

log = logging.getLogger("replay.objects")

_IDS_PER_QUERY = 500  # under SQLite's limit on bound parameters in older builds (999)
SWEEP_BATCH = 1000  # objects dealt with per step of a sweep

SCHEMA = (
    """CREATE TABLE replay_objects (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        bytes INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX replay_objects_empty ON replay_objects (id) WHERE chunks <= 0",
    "CREATE TABLE replay_spans (chunk_id INTEGER PRIMARY KEY, object INTEGER NOT NULL, object_offset INTEGER NOT NULL)",
    """CREATE TABLE replay_erasures (
        object INTEGER NOT NULL,
        object_offset INTEGER NOT NULL,
        length INTEGER NOT NULL,
        PRIMARY KEY (object, object_offset)
    ) WITHOUT ROWID""",
)


def _batches(items: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(items)
    while batch := list(islice(iterator, _IDS_PER_QUERY)):
        yield batch


def _marks(batch: list[int]) -> str:
    return ", ".join("?" * len(batch))


# -- inside the index's transactions ---------------------------------------------------------------------------------

def add_object(conn: Connection, key: str, size: int, now: float) -> int:
    row = conn.execute("INSERT INTO replay_objects (key, bytes, chunks, created_at) VALUES (?, ?, 0, ?) RETURNING id",
                       (key, size, now)).fetchone()
    return int(row[0])


def add_span(conn: Connection, chunk_id: int, object_id: int, offset: int) -> None:
    """Index a chunk stored at `offset` of the object, and count it."""
    conn.execute("INSERT INTO replay_spans (chunk_id, object, object_offset) VALUES (?, ?, ?)",
                 (chunk_id, object_id, offset))
    conn.execute("UPDATE replay_objects SET chunks = chunks + 1 WHERE id = ?", (object_id,))


def spans_of(conn: Connection, chunk_ids: list[int]) -> dict[int, Span]:
    """Where the chunks among `chunk_ids` that live in objects are."""
    found: dict[int, Span] = {}
    for batch in _batches(chunk_ids):
        for chunk_id, key, offset, length in conn.execute(
            f"""SELECT s.chunk_id, o.key, s.object_offset, c.stored_bytes FROM replay_spans s
                JOIN replay_objects o ON o.id = s.object JOIN replay_chunks c ON c.id = s.chunk_id
                WHERE s.chunk_id IN ({_marks(batch)})""", batch
        ):
            found[chunk_id] = Span(key, offset, length)
    return found


def release(conn: Connection, chunk_ids: list[int], erase: bool) -> None:
    """Count chunks off their objects, before their rows in replay_chunks go; with `erase`, list their ranges for the
    sweeper to zero."""
    for batch in _batches(chunk_ids):
        rows = conn.execute(
            f"""SELECT s.object, s.object_offset, c.stored_bytes FROM replay_spans s
                JOIN replay_chunks c ON c.id = s.chunk_id WHERE s.chunk_id IN ({_marks(batch)})""", batch
        ).fetchall()
        counts: dict[int, int] = {}
        for object_id, _, _ in rows:
            counts[object_id] = counts.get(object_id, 0) + 1
        conn.executemany("UPDATE replay_objects SET chunks = chunks - ? WHERE id = ?",
                         [(n, object_id) for object_id, n in counts.items()])
        if erase:
            conn.executemany("INSERT INTO replay_erasures (object, object_offset, length) VALUES (?, ?, ?) "
                             "ON CONFLICT DO NOTHING", rows)
        conn.execute(f"DELETE FROM replay_spans WHERE chunk_id IN ({_marks(batch)})", batch)


def objects_in_use(conn: Connection) -> int:
    """Objects the index still points into (0 where the S3 backend was never used)."""
    count: int = conn.execute("SELECT count(*) FROM replay_objects WHERE chunks > 0").fetchone()[0]
    return count


# -- the sweeper -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Swept:
    erased: int = 0  # objects rewritten with a deleted person's ranges zeroed
    emptied: int = 0  # objects deleted as no chunk of them is left
    orphans: int = 0  # objects deleted as the index never named them

    def __bool__(self) -> bool:
        return bool(self.erased or self.emptied or self.orphans)


async def sweep(db: Database, batching: Batching, now: float | None = None) -> Swept:
    """One pass: erasures, then emptied objects, then orphans. Store calls run on worker threads."""
    erased = await _erase(db, batching.objects)
    emptied = await _remove_emptied(db, batching.objects)
    cutoff = (time.time() if now is None else now) - batching.orphan_after_s
    orphans = await asyncio.to_thread(_remove_orphans, db, batching.objects, batching.in_flight, cutoff,
                                      batching.orphans_after)
    batching.orphans_after = _next_listing(batching, cutoff)
    return Swept(erased, emptied, orphans)


def _next_listing(batching: Batching, cutoff: float) -> str:
    """Where the next sweep's listing starts. Every object last written before `cutoff` was dealt with now (deleted,
    or named by the index, which it stays until the sweeper deletes it), but for this process's flushes in flight. A
    later orphan was put after `cutoff`, by a flush that began (and named its key) at most `orphan_after_s` earlier,
    as every flush in flight anywhere is assumed to; this process's own may have begun earlier still."""
    earliest = min([cutoff - batching.orphan_after_s,
                    *(written_at(batching.prefix, key) for key in list(batching.in_flight))])
    return keys_from(batching.prefix, earliest)


async def _erase(db: Database, objects: ObjectStore) -> int:
    def pending(conn: Connection) -> list[tuple[int, str, int, int, int]]:
        return conn.execute(
            """SELECT e.object, o.key, o.bytes, e.object_offset, e.length FROM replay_erasures e
               JOIN replay_objects o ON o.id = e.object WHERE o.chunks > 0 ORDER BY e.object LIMIT ?""",
            (SWEEP_BATCH,),
        ).fetchall()

    by_object: dict[tuple[int, str, int], list[tuple[int, int]]] = {}
    for object_id, key, size, offset, length in await db.read(pending):
        by_object.setdefault((object_id, key, size), []).append((offset, length))
    for (object_id, key, size), ranges in by_object.items():
        await asyncio.to_thread(_rewrite_zeroed, objects, key, size, ranges)
        await db.write(lambda conn, object_id=object_id, ranges=ranges: conn.executemany(
            "DELETE FROM replay_erasures WHERE object = ? AND object_offset = ?",
            [(object_id, offset) for offset, _ in ranges]))
    return len(by_object)


def _rewrite_zeroed(objects: ObjectStore, key: str, size: int, ranges: list[tuple[int, int]]) -> None:
    """The object again under its key, the same length, `ranges` zeroed: the other chunks' offsets stay valid."""
    whole = Span(key, 0, size)
    data = objects.read([whole]).get(whole)
    if data is None:
        return  # already gone
    buffer = bytearray(data)
    for offset, length in ranges:
        buffer[offset : offset + length] = bytes(length)
    objects.put(key, bytes(buffer))


async def _remove_emptied(db: Database, objects: ObjectStore) -> int:
    removed = 0
    while True:
        rows: list[tuple[int, str]] = await db.read(lambda conn: conn.execute(
            "SELECT id, key FROM replay_objects WHERE chunks <= 0 LIMIT ?", (SWEEP_BATCH,)).fetchall())
        if not rows:
            return removed
        await asyncio.to_thread(objects.delete, [key for _, key in rows])
        ids = [object_id for object_id, _ in rows]

        def forget(conn: Connection, ids: list[int] = ids) -> None:
            conn.execute(f"DELETE FROM replay_erasures WHERE object IN ({_marks(ids)})", ids)
            conn.execute(f"DELETE FROM replay_objects WHERE id IN ({_marks(ids)})", ids)

        await db.write(forget)
        removed += len(rows)


def _remove_orphans(db: Database, objects: ObjectStore, in_flight: set[str], cutoff: float, start_after: str) -> int:
    """(On a worker thread.) Objects under the prefix after `start_after` that no index row names, last written
    before `cutoff`."""
    removed = 0
    listing = objects.listing(start_after)
    while page := list(islice(listing, SWEEP_BATCH)):
        old = [key for key, modified in page if modified < cutoff and key not in in_flight]
        known: set[str] = set()
        for start in range(0, len(old), _IDS_PER_QUERY):
            batch = old[start : start + _IDS_PER_QUERY]
            known.update(db.read_sync(lambda conn, batch=batch: [row[0] for row in conn.execute(
                f"SELECT key FROM replay_objects WHERE key IN ({', '.join('?' * len(batch))})", batch)]))
        orphans = [key for key in old if key not in known]
        if orphans:
            objects.delete(orphans)
            removed += len(orphans)
    return removed


async def sweep_periodically(sweep_once: Callable[[], Awaitable[Swept]], interval_s: float,
                             stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            swept = await sweep_once()
            if swept:
                log.info("replay objects: %d rewritten without deleted chunks, %d emptied and %d orphans deleted",
                         swept.erased, swept.emptied, swept.orphans)
        except Exception:  # the store or the database is down: the next pass tries again
            log.exception("replay objects: sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
