"""Replay storage: a session index, and compressed chunks of rrweb events per session window.

A chunk is one ingest batch of one window's events (scrubbed), stored as a JSON array compressed with zstd (see
replay.compression). A session is bound at its first write to its source and to the identifiers it was opened with
(their keyed hashes): a later chunk must name one of them, or only identifiers linked to them (posthog-js switches its
distinct id to the user id on identify, mid-session); a chunk naming other identifiers, or none for a session opened
with some, is refused whole (SessionConflict) and stores nothing, so that nobody appends to someone else's recording.

A batch sent twice (SDK retries) has the same digest and is stored once. Chunks may arrive out of order; reading merges
every chunk of the session by event timestamp, so the result is in time order whatever the arrival order was, and
exact duplicate events at the same instant are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any, NamedTuple

import orjson
import zstandard
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from replay import blobs, compaction, generic_dictionary, object_index, segment_codec, shredding
from replay.batching import Batching, pack, take
from replay.blobs import ChunkStore
from replay.compression import Compressor
from replay.database import Connection, Database
from replay.merge import ChunkSpan, in_time_order
from replay.objects import Span, new_key
from replay.shredding import DataKey, KeyRing
from replay.summary import MAX_URLS, Summary

log = logging.getLogger("replay.store")

SESSION_COLUMNS = (
    "session_id", "source", "windows", "first_ts", "last_ts", "urls", "events", "clicks", "inputs", "mutations",
    "chunks", "raw_bytes", "stored_bytes", "signals", "score", "created_at", "updated_at", "analyzed_at",
)
SIGNAL_KINDS = ("rage_click", "dead_click", "form_abandonment", "error_click", "thrashed_cursor")
# A PostgreSQL btree entry holds at most ~2.7 KB: the `subjects` of a session bound to ~80 identifiers would not fit
# in the index on it, and its write would fail. Only a session of one identifier is found by that index (several:
# through replay_session_subjects), so it holds `subjects` up to a length no one identifier hash reaches
# (replay-search-5), and every query by it says so: both engines use a partial index only for a query that repeats
# its condition.
INDEXED_SUBJECTS = "length(subjects) <= 1000"
CLICK_KINDS = ("rage_click", "dead_click", "error_click")  # the kinds placed on an element (the report's elements)

SCHEMA = (
    """CREATE TABLE replay_sessions (
        session_id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        subjects TEXT NOT NULL DEFAULT '',
        windows TEXT NOT NULL DEFAULT '[]',
        first_ts INTEGER,
        last_ts INTEGER,
        urls TEXT NOT NULL DEFAULT '[]',
        events INTEGER NOT NULL DEFAULT 0,
        clicks INTEGER NOT NULL DEFAULT 0,
        inputs INTEGER NOT NULL DEFAULT 0,
        mutations INTEGER NOT NULL DEFAULT 0,
        chunks INTEGER NOT NULL DEFAULT 0,
        raw_bytes INTEGER NOT NULL DEFAULT 0,
        stored_bytes INTEGER NOT NULL DEFAULT 0,
        signals TEXT NOT NULL DEFAULT '{}',
        score REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        analyzed_at REAL
    )""",
    "CREATE INDEX replay_sessions_first_ts ON replay_sessions (first_ts)",
    "CREATE INDEX replay_sessions_updated_at ON replay_sessions (updated_at)",
    # `digest` (16 bytes of keyed BLAKE2b over window id and events, replay.shredding.KeyRing.chunk_digest) makes a
    # resent batch a no-op; the unique index on (session_id, digest) also serves reading a session's chunks, so the
    # table needs no other index. Rows from before the key keep their unkeyed digest (it is their seal's associated
    # data) until retention or a deletion removes them.
    """CREATE TABLE replay_chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        window_id TEXT NOT NULL,
        digest BLOB NOT NULL,
        first_ts INTEGER NOT NULL,
        last_ts INTEGER NOT NULL,
        events INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        dictionary_id INTEGER,
        created_at REAL NOT NULL,
        UNIQUE (session_id, digest)
    )""",
    """CREATE TABLE replay_dictionaries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        created_at REAL NOT NULL,
        samples INTEGER NOT NULL,
        data BLOB NOT NULL
    )""",
    """CREATE TABLE replay_windows (
        session_id TEXT NOT NULL,
        window_id TEXT NOT NULL,
        unmasked_nodes TEXT NOT NULL,
        PRIMARY KEY (session_id, window_id)
    ) WITHOUT ROWID""",
    *blobs.SCHEMA,
)


class SessionConflict(Exception):
    """A chunk for a session bound to another source, or to other identifiers."""

    def __init__(self, session_id: str, reason: str) -> None:
        super().__init__(f"session {session_id} {reason}")
        self.session_id, self.reason = session_id, reason


# Whether every one of some identifier hashes is linked to one of others (the gateway's identity graph), read on the
# writer's connection (typed Any: the gateway's stores type it as their engine's connection).
Linked = Callable[[Any, Iterable[str], Iterable[str]], bool]


@dataclass
class ChunkIn:
    session_id: str
    window_id: str
    subjects: tuple[str, ...]
    events: list[dict[str, Any]]
    summary: Summary
    unmasked_nodes: set[int] | None = None  # fields whose input may be kept, when the policy names any
    # The events encoded (encode_chunk), when they were already (replay.preparing): then `events` may be left empty.
    raw: bytes | None = None


@dataclass
class _Pending:
    """A request's chunks, encoded, waiting to be written; `done` gets what `add` returns."""

    source: str
    received: float
    chunks: list[tuple[ChunkIn, bytes]]
    done: asyncio.Future[list[Stored]]

    @property
    def size(self) -> int:
        return sum(len(raw) for _, raw in self.chunks)


@dataclass(frozen=True)
class _Compressed:
    """A chunk ready to be indexed: its JSON, digest, dictionary, its bytes compressed, the key it is sealed under,
    and its bytes as stored (compressed, then sealed)."""

    raw: bytes
    digest: bytes
    dict_id: int | None
    compressed: bytes
    key: DataKey
    data: bytes


class _Reseal(Exception):
    """A request's chunks were sealed for an object under a data key that was destroyed (or its session's binding
    changed) before the object's index commit: nothing of it was indexed, and it goes back in the queue to be sealed
    again (under the key its chunks have now) and written by the next flush. (Chunks whose bytes go in the database
    are sealed again in their write instead: `_write`.)"""


Outcome = list["Stored"] | SessionConflict | _Reseal


class _ChunkRow(NamedTuple):
    """What opening a stored chunk needs of its index row."""

    id: int
    dictionary_id: int | None
    session_id: str
    digest: bytes
    key_id: str | None  # None: stored before chunks were sealed


_CHUNK_ROW = "c.id, c.dictionary_id, c.session_id, c.digest, c.key_id"

# A read's data keys by key id: unwrapped, or None when destroyed.
_Keys = dict[str, AESGCM | None]


@dataclass
class _SessionMeta:
    source: str
    subjects: set[str]  # the identifiers it was opened with: its binding
    windows: list[str]
    urls: list[str]
    joined: set[str] = field(default_factory=set)  # identifiers found linked to the binding (memory only)


ACTIVE_SESSIONS = 10_000  # sessions whose index metadata is kept in memory while they are being recorded
# Writes of chunks in the database under way at once: one committing, the next one prepared (compressed and sealed
# off the writer thread) and queued behind it, so that the writer commits group after group with no wait between
# them, and compression overlaps the previous group's fsync (`_flush`).
INLINE_WRITES_IN_FLIGHT = 2


@dataclass(frozen=True)
class Stored:
    duplicate: bool
    raw_bytes: int
    stored_bytes: int
    digest: bytes = b""  # KeyRing.chunk_digest: names the chunk (forwarded recordings take their dedup ids from it)


def encode_chunk(events: list[dict[str, Any]]) -> bytes:
    """Events as one JSON array: one serializer call per chunk at ingest (reading, which is rarer, splits it)."""
    return orjson.dumps(events)


def _encoded(chunk: ChunkIn) -> bytes:
    return chunk.raw if chunk.raw is not None else encode_chunk(chunk.events)


class ReplayStore:
    """Sessions' index in the database; their chunks' bytes in the database too (`chunk_store`, by default), or in
    objects of many chunks each (`batching`: the S3 backend, replay.batching)."""

    def __init__(self, db: Database, compressor: Compressor, keys: KeyRing, chunk_store: ChunkStore | None = None,
                 linked: Linked | None = None, batching: Batching | None = None,
                 compact_after_s: float = 3600.0, compact_level: int = 19) -> None:
        self.db = db
        # PostgreSQL's writes run side by side: compaction and deletions lock sessions' rows (lock_sessions).
        self.row_locks = db.engine.name == "postgresql"
        self.linked = linked
        self.compressor = compressor
        self.compact_after_s = compact_after_s
        # Idle sessions' segments (replay.compaction), in bare frames (compression.Compressor; earlier ones read too).
        self.segment_compressor = Compressor(compact_level, bare=True)
        self.segment_layout = segment_codec.LAYOUT  # PLAIN: as before segment_codec (bench/replay_store.py compares)
        self._uncompactable: set[str] = set()  # sessions a pass found unreadable (a key destroyed meanwhile)
        self._compacted_from = 0.0  # last written time of the last session a compaction pass dealt with
        self.keys = keys
        db.read_sync(keys.check)
        self.blobs = chunk_store or blobs.DatabaseChunkStore()
        self.batching = batching
        self._sweeping = asyncio.Lock()  # one sweep at a time: a rewrite must not race the object's deletion
        self._full = asyncio.Event()  # set when `batch_bytes` of events wait: a linger ends at once
        if batching is None and db.read_sync(object_index.objects_in_use):
            raise RuntimeError("recordings are stored in objects ([replay.storage] backend = \"s3\" wrote them), "
                               "but no object store is configured: set [replay.storage] as it was")
        self.current_dictionary: dict[str, int] = {}  # source -> newest dictionary id
        self.current_segment_dictionary: dict[str, int] = {}  # source -> newest dictionary id of segments' layout
        self.generic_dictionary: int | None = db.write_sync(
            partial(_stored_generic_dictionary, generic_dictionary.load(), segment_codec.PLAIN))
        self.generic_segment_dictionary: int | None = db.write_sync(
            partial(_stored_generic_dictionary, generic_dictionary.load_segments(), segment_codec.LAYOUT))
        self._sessions: OrderedDict[str, _SessionMeta] = OrderedDict()
        self._pending: list[_Pending] = []  # requests waiting for the next write
        self._flusher: asyncio.Task[None] | None = None
        self._committing: set[asyncio.Task[None]] = set()  # writes under way (objects, and inline ones)
        self._inline_slots = asyncio.Semaphore(INLINE_WRITES_IN_FLIGHT)
        # The number of the writer's transaction that ran the last write storing chunks (which may have changed
        # `_sessions` and the data key cache), until it commits (None then): a later write that finds it set, in
        # another transaction, knows that one was rolled back (on the writer thread only; see `_begin_write`). A
        # write that failed alone (its savepoint rolled back) leaves it set too: the next transaction then forgets
        # every session and key, a cache miss only.
        self._unconfirmed: int | None = None
        # Compresses and seals the database backend's chunks before their write (`_write_inline`): a thread of its
        # own, not the default executor's, so that ingest does not queue behind reads, analysis or S3 calls (and
        # zstd's contexts, one set per thread, stay one set). Prepares are one at a time: the flusher awaits each.
        self._preparer = ThreadPoolExecutor(1, thread_name_prefix="replay-prepare")
        self._object_slots = asyncio.Semaphore(batching.puts_in_flight if batching is not None else 1)
        self._object_writers = ThreadPoolExecutor(batching.puts_in_flight if batching is not None else 1,
                                                  thread_name_prefix="replay-object-writer")
        self._pending_bytes = 0  # of events in `_pending`
        self._last_stamp = 0.0  # the last session's created_at given (_session_stamp)
        self._stamping = threading.Lock()  # object flushes index on several threads
        for dict_id, source, data, layout in db.read_sync(
            lambda c: c.execute("SELECT id, source, data, layout FROM replay_dictionaries ORDER BY id").fetchall()
        ):
            self._load_dictionary(dict_id, source, data, layout)
        self._loading = threading.Lock()
        compressor.on_miss = self.segment_compressor.on_miss = self._load_missing_dictionary

    # -- writing -----------------------------------------------------------------------------------------------------

    async def add(self, source: str, chunks: list[ChunkIn]) -> list[Stored]:
        """Store batches of (already scrubbed) events, committed before this returns. A request's chunks are stored
        whole or not at all; a session bound to another source or other identifiers refuses it (SessionConflict).

        Requests that arrive while a write is being committed are written together by the next one: one write and
        one transaction for all of them, instead of one each (see _flush)."""
        pending = _Pending(source, time.time(), [(chunk, _encoded(chunk)) for chunk in chunks],
                           asyncio.get_running_loop().create_future())
        self._enqueue(pending)
        return await pending.done

    def _enqueue(self, pending: _Pending) -> None:
        self._pending.append(pending)
        self._pending_bytes += pending.size
        if self.batching is not None and self._pending_bytes >= self.batching.batch_bytes:
            self._full.set()
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush(), name="replay-store-flush")

    async def _flush(self) -> None:
        """Write what is pending, then what arrived meanwhile, until nothing is left. In the database, up to
        INLINE_WRITES_IN_FLIGHT writes are under way at once: while one commits, what arrived meanwhile is compressed
        and sealed, and its write queued behind it. For objects, up to `puts_in_flight` objects are under way at once
        (each compressed, put and indexed on a worker thread): a request that arrives while one is being put starts
        the next at once instead of waiting for it. A flush of fewer than `inline_below` bytes of events is no
        object: it is written as the database backend writes."""
        try:
            while self._pending:
                if self.batching is None:
                    await self._inline_slots.acquire()
                    batch, self._pending, self._pending_bytes = self._pending, [], 0
                    await self._write_inline(batch)
                    continue
                await self._object_slots.acquire()
                await self._linger(self.batching)
                batch, self._pending = take(self._pending, lambda p: p.size, self.batching.batch_bytes)
                size = sum(p.size for p in batch)
                self._pending_bytes -= size
                if size < self.batching.inline_below:
                    self._object_slots.release()
                    await self._inline_slots.acquire()
                    await self._write_inline(batch)
                    continue
                self._under_way(self._settle(batch, self._write_object(self.batching, batch)), self._object_slots)
        finally:
            self._flusher = None

    async def _write_inline(self, batch: list[_Pending]) -> None:
        """(Holding an inline slot, which the write gives back.) Requests' chunks with their bytes in the database, in
        one transaction: the database backend's write, and the S3 backend's for a flush under `inline_below` (a small
        object costs a PUT and a wait for it, and is billed as a larger one by some storage classes; compaction moves
        these chunks into an object once their session is idle). Returns once the write is queued (its requests are
        answered when it commits): requests arriving meanwhile are prepared while it commits, and written next.

        Compressed and sealed first on a worker thread (zstd lets go of the GIL), not in the write: on the writer
        thread, in the transaction, each group's compression and its commit's fsync came one after the other, and
        the next group waited for both."""
        try:
            prepared = await asyncio.get_running_loop().run_in_executor(self._preparer, self._prepare, batch)
        except Exception as exc:  # noqa: BLE001 - nothing of this batch was stored; each request is told
            self._inline_slots.release()
            self._answer(batch, [exc] * len(batch))
            return
        self._under_way(self._settle(batch, self.db.write(partial(self._write_inline_sync, batch, prepared))),
                        self._inline_slots)

    def _write_inline_sync(self, batch: list[_Pending], prepared: list[list[_Compressed]],
                           conn: Connection) -> list[Outcome]:
        """(The write of `_write_inline`, on the writer thread.)"""
        self._begin_write()
        compacted = _compacted(conn, batch)
        return self._guarded(lambda: [self._write(conn, p, compacted, items)
                                      for p, items in zip(batch, prepared, strict=True)])

    def _begin_write(self) -> None:
        """(First thing in a write that stores chunks, on the writer thread.) Writes are queued while the one before
        commits: if that one's transaction was rolled back (a full disk, say), what it remembered of its sessions
        (`_sessions`) and the data keys it made are not so, and are forgotten before this write reads them."""
        if self._unconfirmed is not None and self._unconfirmed != self.db.transaction:
            self._sessions.clear()
            self.keys.forget()
        self._unconfirmed = transaction = self.db.transaction

        def committed() -> None:
            if self._unconfirmed == transaction:
                self._unconfirmed = None

        self.db.after_commit(committed)

    def _guarded(self, write: Callable[[], list[Outcome]]) -> list[Outcome]:
        """`write()`, forgetting what it remembered of its sessions if it fails (its savepoint is rolled back, and
        the transaction, with a later write in it, may still commit)."""
        try:
            return write()
        except BaseException:
            self._sessions.clear()
            raise

    def _under_way(self, write: Coroutine[Any, Any, None], slots: asyncio.Semaphore) -> None:
        """Run a write as a task of its own, which gives `slots` back when it ends."""
        task = asyncio.get_running_loop().create_task(write, name="replay-store-write")
        self._committing.add(task)
        task.add_done_callback(partial(self._write_done, slots))

    def _write_done(self, slots: asyncio.Semaphore, task: asyncio.Task[None]) -> None:
        self._committing.discard(task)
        slots.release()

    async def _settle(self, batch: list[_Pending], write: Awaitable[list[Outcome]]) -> None:
        """Await a batch's write and answer each of its requests."""
        try:
            outcomes: list[Outcome] | list[Exception] = await write
        except Exception as exc:  # noqa: BLE001 - nothing of this batch was stored; each request is told
            # What the rolled-back write remembered of its sessions and keys is forgotten by the next write
            # (`_begin_write`); a key proposed for an object that was never indexed, here.
            outcomes = [exc] * len(batch)
            self.keys.forget()
        self._answer(batch, outcomes)

    def _answer(self, batch: list[_Pending], outcomes: list[Outcome] | list[Exception]) -> None:
        for pending, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, _Reseal):
                self._enqueue(pending)  # answered when the next flush has stored it
            elif pending.done.done():
                continue  # its request went away; what it sent is stored all the same
            elif isinstance(outcome, Exception):
                pending.done.set_exception(outcome)
            else:
                pending.done.set_result(outcome)

    async def _linger(self, batching: Batching) -> None:
        """Wait until the oldest waiting request has waited `linger_s`, or `batch_bytes` of events wait."""
        deadline = self._pending[0].received + batching.linger_s
        while not self._full.is_set() and (left := deadline - time.time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), left)
        self._full.clear()

    def _prepare(self, batch: list[_Pending]) -> list[list[_Compressed]]:
        """(On a worker thread.) Requests' chunks compressed and sealed under the keys a read finds for them; the
        write that stores them checks that those are still their keys (`_still_sealed`)."""
        keys = self.db.read_sync(partial(self._proposed_keys, batch))
        return [self._compress(p, k) for p, k in zip(batch, keys, strict=True)]

    def _compress(self, pending: _Pending, keys: list[DataKey]) -> list[_Compressed]:
        """A request's chunks compressed, then each sealed under its data key (replay.shredding): what either backend
        stores is ciphertext."""
        dict_id = self.dictionary_for(pending.source)
        compressed = []
        for (chunk, raw), key in zip(pending.chunks, keys, strict=True):
            digest = self.keys.chunk_digest(chunk.window_id, raw)
            data = self.compressor.compress(raw, dict_id)
            compressed.append(_Compressed(raw, digest, dict_id, data, key,
                                          shredding.seal_chunk(key, chunk.session_id, digest, dict_id, data)))
        return compressed

    def _resealed(self, conn: Connection, pending: _Pending, items: list[_Compressed]) -> list[_Compressed]:
        """(In the write that stores them in the database.) A request's chunks sealed again under their keys as this
        write finds them: a deletion destroyed one since they were sealed, or another request opened one of their
        sessions with other identifiers, or a write before was rolled back with a key it made."""
        self._withdraw(items)
        return [replace(item, key=key, data=shredding.seal_chunk(
                    key, chunk.session_id, item.digest, item.dict_id, item.compressed))
                for (chunk, _), item, key in zip(pending.chunks, items, self._sealing_keys(conn, pending),
                                                 strict=True)]

    def _withdraw(self, items: list[_Compressed]) -> None:
        """The new keys that chunks not stored as sealed were sealed under, withdrawn: else each would stay
        proposed for the life of the process (`KeyRing.propose`)."""
        for item in items:
            self.keys.withdraw(item.key)

    def _bindings(self, pending: _Pending, binding_of: Callable[[str], set[str] | None],
                  opened: dict[str, set[str]]) -> list[tuple[str, set[str]]]:
        """(data key id, binding) of each of a request's chunks: its session's binding (`binding_of`), or, for a
        session not stored yet, the identifiers of the first chunk seen for it (`opened`, shared by requests that
        will be written one after the other)."""
        bindings = []
        for chunk, _ in pending.chunks:
            subjects = binding_of(chunk.session_id)
            if subjects is None:
                subjects = opened.setdefault(chunk.session_id, set(chunk.subjects))
            bindings.append((shredding.binding_key_id(chunk.session_id, subjects), subjects))
        return bindings

    def _binding(self, conn: Connection, session_id: str) -> set[str] | None:
        """A stored session's binding, as the writer knows it (on the writer thread)."""
        meta = self._session_meta(conn, session_id)
        return None if meta is None else meta.subjects

    def _sealing_keys(self, conn: Connection, pending: _Pending) -> list[DataKey]:
        """The data key of each of a request's chunks, made where none is stored (on the writer thread, in the write
        that stores the chunks in the database)."""
        return [self.keys.for_sealing(conn, key_id, subjects)
                for key_id, subjects in self._bindings(pending, partial(self._binding, conn), {})]

    def _proposed_keys(self, batch: list[_Pending], conn: Connection) -> list[list[DataKey]]:
        """The data key of each chunk of `batch` (on a read connection, before the put or the write). A key not stored
        yet is stored by the index commit, which checks that every key is still its binding's (`_still_sealed`): the
        sessions and keys read here may change before it."""
        session_ids = list({chunk.session_id for p in batch for chunk, _ in p.chunks})
        stored: dict[str, set[str]] = {}
        for start in range(0, len(session_ids), 500):  # bound parameters per query, as SQLite's older builds allow
            ids = session_ids[start : start + 500]
            stored.update((sid, set(subjects.split())) for sid, subjects in conn.execute(
                f"SELECT session_id, subjects FROM replay_sessions WHERE session_id IN ({', '.join('?' * len(ids))})",
                ids))
        opened: dict[str, set[str]] = {}
        bindings = [self._bindings(p, stored.get, opened) for p in batch]
        keys = self.keys.propose(conn, [b for request in bindings for b in request])
        return [[keys[key_id] for key_id, _ in request] for request in bindings]

    def _still_sealed(self, conn: Connection, pending: _Pending, compressed: list[_Compressed]) -> bool:
        """Whether the keys a request's chunks were sealed under before their write (or their object's put) are their
        sessions' bindings' keys now, in the index commit (storing those that were new): a deletion may have
        destroyed one meanwhile, or another request opened one of the sessions with other identifiers."""
        bindings = self._bindings(pending, partial(self._binding, conn), {})
        return all(key_id == item.key.key_id and self.keys.settle(conn, item.key)
                   for (key_id, _), item in zip(bindings, compressed, strict=True))

    async def _write_object(self, batching: Batching, batch: list[_Pending]) -> list[Outcome]:
        """Requests' chunks as one object, put before the index rows that point into it are committed."""
        key = new_key(batching.prefix)
        batching.in_flight.add(key)
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._object_writers, self._put_and_index, batching, key, batch)
        finally:
            batching.in_flight.discard(key)

    def _put_and_index(self, batching: Batching, key: str, batch: list[_Pending]) -> list[Outcome]:
        """(On an object writer thread, from the keys' read to the index commit: one hand-over from the event loop
        and one back per object. A hop back to the loop between the put and the commit waited behind whatever else
        the loop had queued, as long as the commit itself at 9 sessions in flight.)"""
        compressed = self._prepare(batch)
        data, offsets = pack([c.data for chunks in compressed for c in chunks])
        batching.objects.put(key, data)

        def index(conn: Connection) -> list[Outcome]:
            self._begin_write()
            object_id = object_index.add_object(conn, key, len(data), time.time())
            places, compacted = iter(offsets), _compacted(conn, batch)
            return self._guarded(lambda: [
                self._write(conn, p, compacted, chunks, [(object_id, next(places)) for _ in chunks])
                for p, chunks in zip(batch, compressed, strict=True)])

        try:
            outcomes: list[Outcome] = self.db.write_sync(index)
        except Exception:
            with contextlib.suppress(Exception):  # else the sweeper finds it, an orphan
                batching.objects.delete([key])
            raise
        return outcomes

    def _write(self, conn: Connection, pending: _Pending, compacted: set[compaction.Compacted],
               compressed: list[_Compressed], places: list[tuple[int, int]] | None = None) -> Outcome:
        """One request's chunks (on the writer thread), compressed and sealed before this write (`_prepare`). Its
        sessions are checked first, so that a refused request writes nothing and needs no savepoint of its own.
        `places`: the object each chunk was put in, and where; None: their bytes go in the database, in this
        transaction (sealed again here if their keys changed since). `compacted`: the digests of chunks already
        compacted in the write's sessions (`_compacted`)."""
        for chunk, _ in pending.chunks:
            meta = self._session_meta(conn, chunk.session_id)
            if meta is None:
                continue
            if meta.source != pending.source:
                self._withdraw(compressed)
                return SessionConflict(chunk.session_id, "belongs to another source")
            if not self._may_join(conn, meta, chunk.subjects):
                self._withdraw(compressed)
                return SessionConflict(chunk.session_id, "was opened by other identifiers: nothing stored")
        if self._still_sealed(conn, pending, compressed):
            items = compressed
        elif places is None:
            items = self._resealed(conn, pending, compressed)
        else:
            return _Reseal()
        where: list[tuple[int, int] | None] = list(places) if places is not None else [None] * len(items)
        return [Stored(True, len(item.raw), 0, item.digest)
                if compaction.is_compacted(compacted, chunk.session_id, chunk.window_id, chunk.summary.first_ts,
                                           chunk.summary.last_ts, item.digest)  # resent after compaction
                else self._add_one(conn, pending.source, pending.received, chunk, item, place)
                for (chunk, _), item, place in zip(pending.chunks, items, where, strict=True)]

    def _add_one(self, conn: Connection, source: str, now: float, chunk: ChunkIn, item: _Compressed,
                 place: tuple[int, int] | None) -> Stored:
        """One chunk's index rows; its bytes in the database, or (`place`) its span of an object."""
        session_id, window_id, summary = chunk.session_id, chunk.window_id, chunk.summary
        raw, digest, dict_id, sealed = item.raw, item.digest, item.dict_id, item.data
        if chunk.unmasked_nodes is not None:
            conn.execute(
                """INSERT INTO replay_windows (session_id, window_id, unmasked_nodes) VALUES (?, ?, ?)
                   ON CONFLICT (session_id, window_id) DO UPDATE SET unmasked_nodes = excluded.unmasked_nodes""",
                (session_id, window_id, orjson.dumps(sorted(chunk.unmasked_nodes)).decode()),
            )
        meta = self._session_meta(conn, session_id)
        # A new session's created_at (unique: _session_stamp); an existing session's row keeps its own (ON CONFLICT).
        created_at = self._session_stamp(now) if meta is None else now
        cursor = conn.execute(
            """INSERT INTO replay_chunks (session_id, window_id, digest, first_ts, last_ts, events, raw_bytes,
                                          stored_bytes, dictionary_id, created_at, key_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, digest) DO NOTHING RETURNING id""",
            (session_id, window_id, digest, summary.first_ts, summary.last_ts, summary.events, len(raw),
             len(sealed), dict_id, now, item.key.key_id),
        )
        inserted = cursor.fetchone()
        if inserted is None:
            return Stored(True, len(raw), 0, digest)  # the same batch again: an SDK retry
        if place is None:
            self.blobs.put(conn, inserted[0], sealed)
        else:
            object_index.add_span(conn, inserted[0], *place)
        if meta is None:
            meta = _SessionMeta(source, set(chunk.subjects), [], [])
        if window_id not in meta.windows:
            meta.windows.append(window_id)
        meta.urls += [u for u in summary.urls if u not in meta.urls][: max(0, MAX_URLS - len(meta.urls))]
        conn.execute(
            """INSERT INTO replay_sessions AS s (session_id, source, subjects, windows, first_ts, last_ts, urls, events,
                                            clicks, inputs, mutations, chunks, raw_bytes, stored_bytes,
                                            created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
               ON CONFLICT (session_id) DO UPDATE SET
                   subjects = excluded.subjects, windows = excluded.windows, urls = excluded.urls,
                   first_ts = CASE WHEN excluded.first_ts < s.first_ts THEN excluded.first_ts ELSE s.first_ts END,
                   last_ts = CASE WHEN excluded.last_ts > s.last_ts THEN excluded.last_ts ELSE s.last_ts END,
                   events = s.events + excluded.events, clicks = s.clicks + excluded.clicks,
                   inputs = s.inputs + excluded.inputs, mutations = s.mutations + excluded.mutations,
                   chunks = s.chunks + 1, raw_bytes = s.raw_bytes + excluded.raw_bytes,
                   stored_bytes = s.stored_bytes + excluded.stored_bytes, updated_at = excluded.updated_at""",
            (session_id, source, " ".join(sorted(meta.subjects)), orjson.dumps(meta.windows).decode(),
             summary.first_ts, summary.last_ts, orjson.dumps(meta.urls).decode(), summary.events, summary.clicks,
             summary.inputs, summary.mutations, len(raw), len(sealed), created_at, now),
        )
        self._remember(session_id, meta)
        return Stored(False, len(raw), len(sealed), digest)

    def _session_stamp(self, now: float) -> float:
        """A new session's `created_at`: `now`, or a microsecond after the last one given if that is not earlier, so
        that sessions first stored by one request (one receipt time) do not share it: the queue's orders break ties of
        first_ts by it (replay.search.ORDERS), and "next" steps over sessions that tie on both."""
        with self._stamping:
            self._last_stamp = max(now, self._last_stamp + 1e-6)
            return self._last_stamp

    def _may_join(self, conn: Connection, meta: _SessionMeta, subjects: Iterable[str]) -> bool:
        """Whether a chunk naming `subjects` may be added to the session of `meta`: it names one of the identifiers
        the session is bound to, or only identifiers linked to them; a session opened without identifiers takes
        chunks without any."""
        named = set(subjects)
        bound = meta.subjects
        if not bound or not named:
            return not bound and not named
        if named & bound or named <= meta.joined:
            return True
        if self.linked is not None and self.linked(conn, named - meta.joined, bound):
            meta.joined |= named
            return True
        return False

    def _session_meta(self, conn: Connection, session_id: str) -> _SessionMeta | None:
        """A session's source, subjects, windows and URLs: from memory while it is being recorded, else the table.
        (Only ever touched by the writer thread, inside writes.)"""
        meta = self._sessions.get(session_id)
        if meta is not None:
            self._sessions.move_to_end(session_id)
            return meta
        row = conn.execute(
            "SELECT source, subjects, windows, urls FROM replay_sessions WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        return _SessionMeta(row[0], set(row[1].split()), orjson.loads(row[2]), orjson.loads(row[3]))

    def _remember(self, session_id: str, meta: _SessionMeta) -> None:
        self._sessions[session_id] = meta
        if len(self._sessions) > ACTIVE_SESSIONS:
            self._sessions.popitem(last=False)

    def delete_subjects(self, conn: Connection, subjects: Iterable[str], limit: int) -> list[str]:
        """Delete up to `limit` sessions recorded for any of `subjects`, with their chunks, blobs, signals, forms and
        pages (inside the caller's write): found by the index on `replay_sessions.subjects` or through
        `replay_session_subjects` (replay.search.subject_match), never by reading every session. Returns the ids of
        the sessions deleted (none once none is left). Their ranges of shared objects are zeroed by the next sweep
        (`sweep`)."""
        sessions: list[str] = []
        for subject in subjects:
            sessions += [row[0] for row in conn.execute(
                f"SELECT session_id FROM replay_sessions WHERE subjects = ? AND {INDEXED_SUBJECTS} UNION "
                "SELECT session_id FROM replay_session_subjects WHERE subject = ? LIMIT ?",
                (subject, subject, limit - len(sessions))) if row[0] not in sessions]
            if len(sessions) >= limit:
                break
        self.delete_sessions(conn, sessions, erase=True)
        return sessions

    def delete_sessions(self, conn: Connection, sessions: list[str], erase: bool = False) -> int:
        """Delete sessions with everything stored for them (inside the caller's write), and the data keys no other
        session's chunks are sealed under: an anonymous session's key ends with it. Chunks in objects are counted off
        them (the sweeper deletes an object when none is left) and, with `erase`, listed to be zeroed (their keys are
        destroyed already: zeroing is a second line of defence); segments' ranges always are (see
        compaction.delete_for_session)."""
        key_ids: set[str] = set()
        lock_sessions(conn, sessions, self.row_locks)  # first, as compaction does: neither waits on what the other has
        for session_id in sessions:
            rows = conn.execute("SELECT id, key_id FROM replay_chunks WHERE session_id = ?", (session_id,)).fetchall()
            chunk_ids = [chunk_id for chunk_id, _ in rows]
            key_ids.update(key_id for _, key_id in rows if key_id is not None)
            self.blobs.delete(conn, chunk_ids)
            if self.batching is not None:
                object_index.release(conn, chunk_ids, erase)
            key_ids |= compaction.delete_for_session(conn, session_id)  # (its session's row names them)
            for table in ("replay_chunks", "replay_windows", "replay_signals", "replay_forms", "replay_pages",
                          "replay_heat", "replay_sessions"):
                conn.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))
        self.keys.destroy_unused(conn, key_ids - compaction.keys_in_use(conn, key_ids))
        self.forget(sessions)
        return len(sessions)

    def shred_subjects(self, conn: Connection, subjects: Iterable[str], limit: int) -> int:
        """Destroy up to `limit` data keys of bindings that name one of `subjects` (inside the caller's write): their
        chunks, wherever a copy of them is, can no longer be opened. Returns the number of keys destroyed (none once
        none is left)."""
        return self.keys.destroy_for_subjects(conn, subjects, limit)

    def forget(self, session_ids: Iterable[str]) -> None:
        """Drop cached metadata of sessions deleted from the table (deletion requests, retention)."""
        for session_id in session_ids:
            self._sessions.pop(session_id, None)
            self._uncompactable.discard(session_id)

    def unmasked_nodes(self, session_id: str, window_id: str) -> set[int]:
        row = self.db.read_sync(
            lambda c: c.execute(
                "SELECT unmasked_nodes FROM replay_windows WHERE session_id = ? AND window_id = ?",
                (session_id, window_id),
            ).fetchone()
        )
        return set(orjson.loads(row[0])) if row else set()

    # -- dictionaries ------------------------------------------------------------------------------------------------

    def dictionary_for(self, source: str) -> int | None:
        """The dictionary a source's chunks are compressed with: its own newest, or the shipped generic one until it
        has sent enough chunks to train its own."""
        return self.current_dictionary.get(source, self.generic_dictionary)

    def segment_dictionary_for(self, source: str) -> int | None:
        """The dictionary a source's segments are compressed with (trained on chunks in segment_codec.LAYOUT)."""
        return self.current_segment_dictionary.get(source, self.generic_segment_dictionary)

    def _load_dictionary(self, dict_id: int, source: str, data: bytes, layout: int) -> None:
        self.segment_compressor.add_dictionary(dict_id, data)  # segments written before the layout use chunks' ones
        if layout == segment_codec.PLAIN:
            self.compressor.add_dictionary(dict_id, data)
        current = self.current_dictionary if layout == segment_codec.PLAIN else self.current_segment_dictionary
        # A segment dictionary trained on an older layout still opens the segments written with it, but is no
        # source's current one: until the source's own in today's layout is trained, the shipped one (trained on it)
        # compresses better, and the source's count of chunks since its dictionary starts over, so it trains soon.
        mine = layout in (segment_codec.PLAIN, segment_codec.LAYOUT)
        if source != GENERIC_SOURCE and mine and dict_id > current.get(source, 0):
            current[source] = dict_id

    def _load_missing_dictionary(self, dict_id: int) -> None:
        """A dictionary this process has not seen: another node sharing the database trained it after this one
        started. Loaded once from its row, and made its source's current one if it is the newest."""
        with self._loading:
            if self.segment_compressor.knows(dict_id):  # it holds both layouts' dictionaries
                return  # another thread loaded it meanwhile
            row = self.db.read_sync(lambda c: c.execute(
                "SELECT source, data, layout FROM replay_dictionaries WHERE id = ?", (dict_id,)).fetchone())
            if row is not None:
                self._load_dictionary(dict_id, *row)

    def chunks_since_dictionary(self, source: str, segments: bool = False) -> int:
        """What a source has stored since its newest dictionary: for chunks (compressed with it, or compacted with it
        or its segment one); or, with `segments` (compaction on: a source trains a segment dictionary only), chunks
        stored after its newest segment dictionary and chunks compacted with it."""
        dict_id = self.segment_dictionary_for(source) if segments else self.dictionary_for(source)
        dict_ids = (dict_id, dict_id) if segments else (dict_id, self.segment_dictionary_for(source))
        # Loose chunks are compressed with the shipped chunk dictionary while a source trains segment ones: those
        # stored since its segment dictionary are told apart by time.
        loose_since = ("c.created_at > coalesce((SELECT created_at FROM replay_dictionaries WHERE id = ?), 0)"
                       if segments else "c.dictionary_id IS NOT DISTINCT FROM ?")

        def count(conn: Connection) -> int:
            loose: int = conn.execute(
                f"""SELECT count(*) FROM replay_chunks c JOIN replay_sessions s USING (session_id)
                    WHERE s.source = ? AND {loose_since}""",
                (source, dict_id),
            ).fetchone()[0]
            return loose + compaction.chunks_with_dictionary(conn, source, dict_ids)

        return self.db.read_sync(count)

    def recent_raw_chunks(self, source: str, limit: int) -> list[bytes]:
        """The newest chunks of a source, decompressed: the samples a dictionary is trained on."""

        def select(conn: Connection) -> tuple[list[_ChunkRow], _Keys, dict[int, bytes], dict[int, Span]]:
            rows = [_ChunkRow(*row) for row in conn.execute(
                f"""SELECT {_CHUNK_ROW} FROM replay_chunks c JOIN replay_sessions s USING (session_id)
                    WHERE s.source = ? ORDER BY c.id DESC LIMIT ?""",
                (source, limit),
            )]
            return rows, self._keys_of(conn, rows), *self._chunks_in(conn, [row.id for row in rows])

        rows, keys, data, spans = self.db.read_sync(select)
        data.update(self._fetch(spans))
        chunks = [self.compressor.decompress(self._open(keys, row, data[row.id]), row.dictionary_id) for row in rows
                  if _readable(row, keys, data)]
        return chunks + self._compacted_chunks(source, limit - len(chunks)) if len(chunks) < limit else chunks

    def _compacted_chunks(self, source: str, limit: int) -> list[bytes]:
        """The newest chunks of a source that are in segments now (each part of a segment is a chunk's JSON as it
        was stored), up to `limit`."""
        def select(conn: Connection) -> tuple[list[tuple[str, compaction.Segment]], _Keys, dict[int, bytes]]:
            segments = compaction.recent_segments(conn, source, limit)
            keys = {s.key_id: self.keys.key(conn, s.key_id) for _, s in segments}
            return segments, keys, compaction.blobs_of(conn, [s for _, s in segments])

        segments, keys, data = self.db.read_sync(select)
        data.update(self._fetch_segments([segment for _, segment in segments]))
        chunks: list[bytes] = []
        for session_id, segment in segments:
            if segment.id in data and keys[segment.key_id] is not None:
                opened = _OpenedSegment(self, keys, session_id, segment, data[segment.id])
                chunks += [segment_codec.decode(opened.plain[part.start : part.end], segment.layout)
                           for part in reversed(segment.parts)]
        return chunks[:limit]

    async def add_dictionary(self, source: str, data: bytes, samples: int, layout: int = segment_codec.PLAIN) -> int:
        """Store a source's new dictionary for chunks (`layout` PLAIN) or for segments (segment_codec.LAYOUT)."""
        def insert(conn: Connection) -> int:
            row = conn.execute(
                "INSERT INTO replay_dictionaries (source, created_at, samples, data, layout) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id", (source, time.time(), samples, data, layout),
            ).fetchone()
            return int(row[0])

        dict_id = await self.db.write(insert)
        self._load_dictionary(dict_id, source, data, layout)
        return dict_id

    # -- reading -----------------------------------------------------------------------------------------------------

    async def session(self, session_id: str) -> dict[str, Any] | None:
        def select(conn: Connection) -> dict[str, Any] | None:
            row = conn.execute(
                f"SELECT {', '.join(SESSION_COLUMNS)} FROM replay_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
            return session_row(row) if row else None

        return await self.db.read(select)

    def read_events(self, session_id: str, window_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every stored event of the session (or of one window), parsed once, merged across chunks and windows in
        timestamp order (replay.merge). The chunks are fetched in one read; each is decompressed and parsed when its
        events are due."""

        def select(conn: Connection) -> tuple[list[tuple[_ChunkRow, int, int]], _Keys, dict[int, bytes],
                                                      dict[int, Span], list[compaction.Segment], dict[int, bytes]]:
            rows = [(_ChunkRow(*row[:5]), row[5], row[6]) for row in conn.execute(
                f"""SELECT {_CHUNK_ROW}, c.first_ts, c.last_ts FROM replay_chunks c
                    WHERE c.session_id = ? AND (CAST(? AS TEXT) IS NULL OR c.window_id = ?)
                    ORDER BY c.first_ts, c.id""",
                (session_id, window_id, window_id),
            )]
            chunk_rows = [row for row, _, _ in rows]
            segments = compaction.segments_of(conn, session_id)
            keys = self._keys_of(conn, chunk_rows)
            keys.update((s.key_id, self.keys.key(conn, s.key_id)) for s in segments if s.key_id not in keys)
            return (rows, keys, *self._chunks_in(conn, [row.id for row in chunk_rows]), segments,
                    compaction.blobs_of(conn, segments))

        rows, keys, data, spans, segments, segment_data = self.db.read_sync(select)
        data.update(self._fetch(spans))
        segment_data.update(self._fetch_segments(segments))
        loose = [ChunkSpan(first_ts, last_ts, partial(self._parse_chunk, keys, row, data[row.id]))
                 for row, first_ts, last_ts in rows if _readable(row, keys, data)]
        compacted = [ChunkSpan(part.first_ts, part.last_ts, partial(opened.events, part))
                     for segment in segments if segment.id in segment_data and keys[segment.key_id] is not None
                     for opened in [_OpenedSegment(self, keys, session_id, segment, segment_data[segment.id])]
                     for part in segment.parts if window_id is None or part.window_id == window_id]
        # Segments hold the older chunks: stable on first_ts, their events come first at the same instant.
        return in_time_order(sorted(compacted + loose, key=lambda span: span.first_ts))

    def _fetch_segments(self, segments: list[compaction.Segment]) -> dict[int, bytes]:
        """The bytes of segments kept in objects (each a range of one)."""
        spans = {s.id: Span(s.object_key, s.object_offset, s.stored_bytes)
                 for s in segments if s.object_key is not None}
        if not spans or self.batching is None:
            return {}
        found = self.batching.objects.read(list(spans.values()))
        return {segment_id: found[span] for segment_id, span in spans.items() if span in found}

    def _chunks_in(self, conn: Connection, chunk_ids: list[int]) -> tuple[dict[int, bytes], dict[int, Span]]:
        """The bytes of chunks kept in the database, and where the others are in objects (fetched by `_fetch`, after
        the database read, so that no read connection waits on the object store)."""
        spans = object_index.spans_of(conn, chunk_ids) if self.batching is not None else {}
        return self.blobs.get_many(conn, [i for i in chunk_ids if i not in spans]), spans

    def _fetch(self, spans: dict[int, Span]) -> dict[int, bytes]:
        if not spans or self.batching is None:
            return {}
        found = self.batching.objects.read(list(spans.values()))
        return {chunk_id: found[span] for chunk_id, span in spans.items() if span in found}

    # -- compaction (replay.compaction) -------------------------------------------------------------------------------

    async def compact(self, now: float | None = None) -> int:
        """Rewrite sessions idle for `compact_after_s` as segments, up to COMPACT_BATCH of them, and on the S3 backend
        the chunks written more than `compact_after_s` ago of sessions that still go on, if some of those are inline
        (else a session that never goes idle would keep them in the database); returns the number of segments
        written."""
        cutoff = (time.time() if now is None else now) - self.compact_after_s
        written = await self._compact_idle(cutoff)
        if self.batching is not None:  # inline chunks of sessions that go on: their older chunks become a segment
            busy = await self.db.read(partial(compaction.busy_with_old_inline, cutoff, compaction.COMPACT_BATCH))
            made = []
            for session_id, source in busy:
                if session_id not in self._uncompactable:
                    made += await self._compact_session(session_id, source, cutoff)
            written += await self._store_segments(made)
        return written

    async def _compact_idle(self, cutoff: float) -> int:
        """The sessions idle since `cutoff` after where the last pass ended, their segments stored each time they
        would fill an object (at once on the database backend): a pass holds at most an object's worth in memory.
        The cursor moves past sessions only once their segments are stored (sessions skipped too: no stall), so a
        failed put or commit leaves them to the next pass."""
        idle = await self.db.read(partial(compaction.idle_sessions, self._compacted_from, cutoff,
                                          compaction.COMPACT_BATCH))
        limit = 0 if self.batching is None else self.batching.batch_bytes
        made: list[_NewSegment] = []
        written = size = 0
        dealt_with = self._compacted_from  # last written time of the last session whose segments are in `made`
        for session_id, source, updated_at in idle:
            new = [] if session_id in self._uncompactable else await self._compact_session(session_id, source)
            new_size = sum(len(n.segment.data) for n in new)
            if made and size + new_size > limit:
                written += await self._store_segments(made)
                self._compacted_from, made, size = dealt_with, [], 0
            made += new
            size += new_size
            dealt_with = updated_at
        written += await self._store_segments(made)
        self._compacted_from = dealt_with  # the next pass starts here
        return written

    async def _compact_session(self, session_id: str, source: str, written_before: float | None = None
                               ) -> list[_NewSegment]:
        """A session's chunks (those written before `written_before`, if given) rewritten as segments, not stored
        yet."""
        older = "" if written_before is None else " AND c.created_at < ?"
        params = (session_id,) if written_before is None else (session_id, written_before)

        def select(conn: Connection) -> tuple[list[tuple[_ChunkRow, str, int, int]], _Keys, dict[str, bytes],
                                              dict[int, bytes], dict[int, Span]]:
            rows = [(_ChunkRow(*row[:5]), row[5], row[6], row[7]) for row in conn.execute(
                f"""SELECT {_CHUNK_ROW}, c.window_id, c.first_ts, c.last_ts FROM replay_chunks c
                    WHERE c.session_id = ? AND c.key_id IS NOT NULL{older} ORDER BY c.first_ts, c.id""", params)]
            chunk_rows = [row for row, _, _, _ in rows]
            wrapped = {key_id: conn.execute("SELECT wrapped FROM replay_keys WHERE key_id = ?", (key_id,)).fetchone()
                       for key_id in {row.key_id for row in chunk_rows if row.key_id is not None}}
            return (rows, self._keys_of(conn, chunk_rows), {k: w[0] for k, w in wrapped.items() if w is not None},
                    *self._chunks_in(conn, [row.id for row in chunk_rows]))

        rows, keys, wrapped, data, spans = await self.db.read(select)
        data.update(await asyncio.to_thread(self._fetch, spans))
        groups: dict[str, list[tuple[_ChunkRow, str, int, int]]] = {}
        for row in rows:
            groups.setdefault(str(row[0].key_id), []).append(row)  # (the query took only sealed chunks)
        made = []
        for key_id, group in groups.items():
            aead = keys.get(key_id)
            if aead is None or key_id not in wrapped or not all(_readable(row, keys, data) for row, *_ in group):
                self._uncompactable.add(session_id)  # deleted or shredded meanwhile: its deletion removes it
                continue
            key = DataKey(key_id, aead, wrapped[key_id])
            try:
                segment = await asyncio.to_thread(self._segment, session_id, source, key, group, data)
            except (ValueError, zstandard.ZstdError) as error:  # its stored bytes, not the store: no pass would do
                log.error("replay compaction: session %s left as chunks, a chunk does not open: %s", session_id,
                          type(error).__name__)  # the message may quote stored bytes
                self._uncompactable.add(session_id)  # else every pass would stop at it and compact nothing after
                return []
            made.append(_NewSegment(segment, key, [row.id for row, *_ in group]))
        return made

    def _segment(self, session_id: str, source: str, key: DataKey, group: list[tuple[_ChunkRow, str, int, int]],
                 data: dict[int, bytes]) -> compaction.NewSegment:
        """(On a worker thread.) The chunks of `group` opened and rewritten as one sealed segment."""
        keys: _Keys = {key.key_id: key.aead}
        raws = [self.compressor.decompress(self._open(keys, row, data[row.id]), row.dictionary_id)
                for row, _, _, _ in group]
        layout, raws = segment_codec.encode_all(raws, self.segment_layout)  # PLAIN holds any JSON
        # A segment dictionary is trained on segment_codec.LAYOUT; it serves a weaker layout too, only less well.
        dict_id = self.dictionary_for(source) if layout == segment_codec.PLAIN else self.segment_dictionary_for(source)
        ends = list(itertools.accumulate(map(len, raws)))
        parts = [compaction.Part(window_id, first_ts, last_ts, end - len(raw), end,
                                 row.digest[: compaction.DIGEST_BYTES])
                 for (row, window_id, first_ts, last_ts), raw, end in zip(group, raws, ends, strict=True)]
        seal_id, bound_to = compaction.seal_binding(parts)
        compressed = self.segment_compressor.compress(b"".join(raws), dict_id)
        return compaction.NewSegment(session_id, key.key_id, dict_id, seal_id, parts,
                                     shredding.seal_chunk(key, session_id, bound_to, dict_id, compressed), layout)

    async def _store_segments(self, made: list[_NewSegment]) -> int:
        """Store segments: on S3, those of a pass in as few objects as `batch_bytes` allows (an object row per
        segment would cost more than the segment's own index row's chunk table); returns how many were stored."""
        if self.batching is None:
            return sum([await self._store_together(made[i : i + 1]) for i in range(len(made))])
        together: list[_NewSegment] = []
        written = size = 0
        for new in made:
            if together and size + len(new.segment.data) > self.batching.batch_bytes:
                written += await self._store_together(together)
                together, size = [], 0
            together.append(new)
            size += len(new.segment.data)
        return written + (await self._store_together(together) if together else 0)

    async def _store_together(self, made: list[_NewSegment]) -> int:
        """Write segments (on S3 one object holding them all, first), then in one transaction index each of them and
        drop the chunks it replaces, if they and their key are all still there (else that segment is left out: its
        range is listed for the sweeper to zero, or the object is removed, now or as an orphan, if all are)."""
        key = None
        offsets = list(itertools.accumulate((len(new.segment.data) for new in made), initial=0))
        if self.batching is not None:
            key = new_key(self.batching.prefix)
            self.batching.in_flight.add(key)
            await asyncio.to_thread(self.batching.objects.put, key, b"".join(new.segment.data for new in made))

        def commit(conn: Connection) -> int:
            now, object_id, stored = time.time(), None, 0
            left_out: list[tuple[int, int]] = []
            alive = lock_sessions(conn, [new.segment.session_id for new in made], self.row_locks)
            for new, offset in zip(made, offsets[:-1], strict=True):
                old_bytes = _held_bytes(conn, new) if new.segment.session_id in alive else None
                if old_bytes is None:  # deleted, shredded (or the key made again) meanwhile
                    left_out.append((offset, len(new.segment.data)))
                    continue
                if key is not None and object_id is None:
                    object_id = object_index.add_object(conn, key, offsets[-1], now)
                compaction.insert(conn, new.segment, object_id, offset)
                self.blobs.delete(conn, new.chunk_ids)
                if self.batching is not None:
                    object_index.release(conn, new.chunk_ids, erase=False)
                conn.executemany("DELETE FROM replay_chunks WHERE id = ?", [(i,) for i in new.chunk_ids])
                conn.execute("UPDATE replay_sessions SET stored_bytes = stored_bytes - ? + ? WHERE session_id = ?",
                             (old_bytes, len(new.segment.data), new.segment.session_id))
                stored += 1
            if object_id is not None:  # zeroed by the sweeper, as a deleted person's chunks are
                conn.executemany("INSERT INTO replay_erasures (object, object_offset, length) VALUES (?, ?, ?)",
                                 [(object_id, offset, length) for offset, length in left_out])
            return stored

        try:
            written: int = await self.db.write(commit)
        finally:
            if key is not None and self.batching is not None:
                self.batching.in_flight.discard(key)
        # Only a returned 0 says the index never named the object. On an exception (a cancelled waiter among them)
        # the queued commit may still land: the orphan sweep decides from the index, once the object is old enough.
        if key is not None and self.batching is not None and not written:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.batching.objects.delete, [key])
        return written

    async def sweep(self) -> object_index.Swept:
        """Zero deleted people's ranges in objects, delete objects no chunk is left in, and orphans (see
        replay.object_index). Nothing to do for the database backend."""
        if self.batching is None:
            return object_index.Swept()
        async with self._sweeping:
            return await object_index.sweep(self.db, self.batching)

    async def close(self) -> None:
        """Let the write under way finish (its requests are answered), then let go of the object store."""
        while self._flusher is not None or self._committing:  # a commit may put a request back in the queue
            await asyncio.gather(*filter(None, (self._flusher, *self._committing)), return_exceptions=True)
        self._object_writers.shutdown(wait=False)
        self._preparer.shutdown(wait=False)
        if self.batching is not None:
            self.batching.objects.close()

    def iter_events(self, session_id: str, window_id: str | None = None) -> Iterator[bytes]:
        """`read_events` as JSON bytes, one per event: what the events API streams."""
        return map(orjson.dumps, self.read_events(session_id, window_id))

    def _keys_of(self, conn: Connection, rows: list[_ChunkRow]) -> _Keys:
        """The data keys of chunk rows, unwrapped while the read sees them; None for a key that was destroyed."""
        return {key_id: self.keys.key(conn, key_id) for key_id in {row.key_id for row in rows} if key_id is not None}

    def _open(self, keys: _Keys, row: _ChunkRow, data: bytes) -> bytes:
        if row.key_id is None:
            return data  # stored before chunks were sealed
        return shredding.open_chunk(keys[row.key_id], row.id, row.session_id, row.digest, row.dictionary_id, data)

    def _parse_chunk(self, keys: _Keys, row: _ChunkRow, data: bytes) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = orjson.loads(
            self.compressor.decompress(self._open(keys, row, data), row.dictionary_id))
        return events


class _OpenedSegment:
    """A segment being read: opened and decompressed once, when the first of its parts is due."""

    def __init__(self, store: ReplayStore, keys: _Keys, session_id: str, segment: compaction.Segment,
                 data: bytes) -> None:
        self.store, self.keys, self.session_id, self.segment, self.data = store, keys, session_id, segment, data

    @cached_property
    def plain(self) -> bytes:
        segment = self.segment
        compressed = shredding.open_chunk(self.keys[segment.key_id], segment.id, self.session_id, segment.bound_to,
                                          segment.dictionary_id, self.data)
        return self.store.segment_compressor.decompress(compressed, segment.dictionary_id)

    def events(self, part: compaction.Part) -> list[dict[str, Any]]:
        return segment_codec.decode_events(self.plain[part.start : part.end], self.segment.layout)


GENERIC_SOURCE = ""  # the source named by the shipped dictionary's row


def _compacted(conn: Connection, batch: list[_Pending]) -> set[compaction.Compacted]:
    """The chunks already compacted in the sessions a write's requests name: one query
    per write (a write takes every request waiting), not per request."""
    return compaction.compacted_digests(conn, (chunk.session_id for p in batch for chunk, _ in p.chunks))


def _stored_generic_dictionary(data: bytes, layout: int, conn: Connection) -> int:
    """The id of the row of the shipped generic dictionary for `layout` (chunks or segments), stored on first start
    (and again when a release ships another; chunks and segments keep naming the one they were compressed with)."""
    row = conn.execute("SELECT id, data FROM replay_dictionaries WHERE source = ? AND layout = ? ORDER BY id DESC "
                       "LIMIT 1", (GENERIC_SOURCE, layout)).fetchone()
    if row is not None and row[1] == data:
        return int(row[0])
    inserted = conn.execute("INSERT INTO replay_dictionaries (source, created_at, samples, data, layout) "
                            "VALUES (?, ?, 0, ?, ?) RETURNING id",
                            (GENERIC_SOURCE, time.time(), data, layout)).fetchone()
    return int(inserted[0])


@dataclass
class _NewSegment:
    """A segment made of a session's chunks, to be stored in place of them (`chunk_ids`, sealed under `key`)."""

    segment: compaction.NewSegment
    key: DataKey
    chunk_ids: list[int]


def lock_sessions(conn: Connection, session_ids: Iterable[str], row_locks: bool) -> set[str]:
    """Return those of `session_ids` still there, with `row_locks` (PostgreSQL) locking their rows until the caller's
    write ends, in one order (no deadlock between two writes that both lock first): a write that deleted one and has
    not committed yet is waited for, and its row is then gone. Compaction's write must not index a segment of a session
    deleted after compaction read its chunks (the segment, named by no session, would outlive its subject's deletion).
    On SQLite the write transaction excludes every other writer already, so a read answers: rewriting each row to lock
    it would only cost a page write per session (secure_delete)."""
    ids = sorted(set(session_ids))
    if row_locks:
        return {session_id for session_id in ids if conn.execute(
            "UPDATE replay_sessions SET session_id = session_id WHERE session_id = ?", (session_id,)).rowcount}
    return {session_id for session_id in ids if conn.execute(
        "SELECT 1 FROM replay_sessions WHERE session_id = ?", (session_id,)).fetchone() is not None}


def _held_bytes(conn: Connection, new: _NewSegment) -> int | None:
    """(In the write indexing `new`.) The stored bytes of the chunks it replaces if they and the key it is sealed
    under are all still stored; None if not (a deletion or retention in between: they stay, the segment unused)."""
    present, old_bytes = compaction.chunks_held(conn, new.chunk_ids, new.segment.key_id)
    sealed_under = conn.execute("SELECT wrapped FROM replay_keys WHERE key_id = ?", (new.segment.key_id,)).fetchone()
    if present != len(new.chunk_ids) or sealed_under is None or sealed_under[0] != new.key.wrapped:
        return None
    return old_bytes


def _readable(row: _ChunkRow, keys: _Keys, data: dict[int, bytes]) -> bool:
    """Whether a chunk the index named is still there to open: its bytes or its key gone means it was deleted (or
    shredded) while the index was read."""
    return row.id in data and (row.key_id is None or keys[row.key_id] is not None)


def session_row(row: tuple[Any, ...]) -> dict[str, Any]:
    session = dict(zip(SESSION_COLUMNS, row, strict=True))
    for key in ("windows", "urls", "signals"):
        session[key] = orjson.loads(session[key])
    first, last = session["first_ts"], session["last_ts"]
    session["duration_ms"] = (last - first) if first is not None and last is not None else 0
    return session
