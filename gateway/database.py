"""The gateway's database: one writer thread with group commit, read connections for everyone else, on either engine
(gateway.storage: the SQLite file in the data directory, or PostgreSQL).

Why one writer: SQLite allows one writing transaction at a time, and a durable commit costs an fsync (on PostgreSQL,
a WAL flush and a round trip per transaction: one writer per process shares them the same way). Every write is a
function of a connection, queued to the writer thread; the writer runs all the functions waiting at that moment inside
one transaction (each in its own savepoint, so one failure rolls back only itself) and commits once. Concurrent requests
therefore share one fsync, and a caller's future resolves only after its rows are on disk (WAL, synchronous=FULL).

When the storage itself fails (the disk is full, an I/O error, the file locked past the busy timeout, the PostgreSQL
server gone), the engine may have rolled the whole transaction back already: every write of that commit gets
`StorageUnavailable`, nothing of them is stored, and `health` says the writer is failing. The writer thread never dies
of it: while failing it tries a write of its own every `PROBE_INTERVAL_S`, so `health` turns good again by itself once
space returns, traffic or not. Writes queued meanwhile are still tried (each commits if it can); ingest does not send
any (gateway.health). A PostgreSQL connection that broke is opened again before the next commit or read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gateway.storage.connection import Connection
from gateway.storage.engine import Engine, StorageUnavailable
from gateway.storage.migrations import PROBE_TABLE, Migration, migrate
from gateway.storage.sqlite import sqlite_engine
from gateway.throttled_log import ThrottledLog

T = TypeVar("T")
WriteFn = Callable[[Any], Any]  # a function of the engine's Connection (gateway.storage.connection)

Waiter = concurrent.futures.Future[Any] | asyncio.Future[Any]  # who waits for a write: a thread or a coroutine
Outcome = tuple[Waiter, Any, BaseException | None]  # (waiter, result, error)

_STOP = object()
_OUTSIDE = object()  # marks a write that must run outside any transaction (a WAL checkpoint)

PROBE_INTERVAL_S = 1.0  # while writes fail, how often the idle writer tries whether they work again
CONFLICT_RETRIES = 3  # a transaction that lost a conflict with another node's runs again at most this often
PROBE_BYTES = 64 * 1024  # a try needs new pages and log space, as real writes do: a header rewrite would not
CHECKPOINT_RETRY_S = 0.2  # between checkpoints that a reader held back (checkpoint_fully)

__all__ = ["PROBE_TABLE", "Database", "Migration", "StorageUnavailable", "WriterHealth"]

log = logging.getLogger("gateway.database")


@dataclass
class WriterHealth:
    """Whether writes commit. Changed by the writer thread only; read by anyone (single attribute reads)."""

    failing_since: float | None = None  # time of the first failed commit of the current run of failures
    reason: str = ""  # the storage's complaint, as StorageUnavailable gives it
    failed_commits: int = 0  # failed commits in the current run
    faults_total: int = 0  # failed commits since start (for /metrics)

    @property
    def failing(self) -> bool:
        return self.failing_since is not None


class Database:
    """Owns the database. `await write(fn)` is group-committed; `await read(fn)` runs on a read connection.

    `where`: the SQLite file, or an engine (gateway.storage.postgres.postgres_engine). Write and read functions get the
    engine's connection, which takes the same SQL on both (gateway.storage.connection)."""

    def __init__(self, where: Path | Engine, migrations: Sequence[Migration] = ()) -> None:
        self.engine = where if isinstance(where, Engine) else sqlite_engine(Path(where))
        self.path = None if isinstance(where, Engine) else Path(where)  # the SQLite file
        self._writer: Connection = self.engine.open()
        self.migrated = migrate(self.engine, self._writer, migrations)  # names of the steps applied now
        self.commits = 0  # transactions committed: with group commit, fewer than writes
        # Transactions begun: a write function tells by it whether an earlier write it depends on is in its own
        # transaction still, or in one that ended (committed, which `after_commit` says, or rolled back).
        self.transaction = 0
        self.conflicts_retried = 0  # transactions run again after losing a conflict with another node's
        self.health = WriterHealth()
        self._after_commit: list[Callable[[], None]] = []  # registered by the write functions of the open transaction
        self._log = ThrottledLog(log)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run_writer, name="sqlite-writer", daemon=True)
        self._thread.start()
        self._readers = threading.local()
        self._reader_conns: list[Connection] = []
        self._reader_lock = threading.Lock()

    # -- writes -------------------------------------------------------------------------------------------------

    def submit(self, fn: WriteFn) -> concurrent.futures.Future[Any]:
        """Queue `fn(conn)` for the next group commit. The future resolves after the commit (or with fn's exception)."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((fn, future))
        return future

    async def write(self, fn: Callable[[Any], T]) -> T:
        # An asyncio future, settled from the writer thread with one loop callback per commit (not one per write,
        # as wrapping a concurrent future would: each costs a wake-up of the loop).
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put((fn, future))
        return await future

    def write_sync(self, fn: Callable[[Any], T]) -> T:
        return self.submit(fn).result()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the writer thread once the calling write function's transaction has committed; never if
        that write or its commit fails. For state kept beside the database (a counter of rows) that must follow
        what is committed, not what was tried. Call it only from inside a write function."""
        self._after_commit.append(callback)

    def write_outside(self, sql: str) -> None:
        """Run one statement outside any transaction on the writer thread (VACUUM), waiting for it."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((_OUTSIDE, future, sql))
        future.result()

    async def checkpoint(self) -> tuple[int, int, int]:
        """Copy the WAL into the database file and truncate the WAL to zero bytes, so that pages holding deleted
        data do not linger in it (the data file's own free pages are zeroed by secure_delete). Returns SQLite's
        (busy, log frames, checkpointed frames)."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((_OUTSIDE, future))
        return await asyncio.wrap_future(future)

    async def checkpoint_fully(self, within_s: float) -> bool:
        """`checkpoint` again until no reader holds it back, for up to `within_s`: whether the log was emptied. A read
        under way (a session being analysed, a backup) keeps the pages it began with, and the database file keeps
        their old contents, deleted data included, until it ends. Between tries the writer serves other writes."""
        deadline = time.monotonic() + within_s
        while (await self.checkpoint())[0] != 0:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(CHECKPOINT_RETRY_S)
        return True

    def _run_writer(self) -> None:
        next_probe = 0.0
        while True:
            if self.health.failing and time.monotonic() >= next_probe:
                self._probe()
                next_probe = time.monotonic() + PROBE_INTERVAL_S
            try:
                item = (self._queue.get(timeout=max(0.0, next_probe - time.monotonic())) if self.health.failing
                        else self._queue.get())
            except queue.Empty:
                continue
            batch, outside, stop = self._drain(item)
            # Whatever happens here, the thread must live on: every later write would wait for it forever.
            try:
                if batch:
                    self._commit(batch)
                for future, *sql in outside:
                    self._run_outside(future, sql)
            except Exception as exc:  # a bug in the writer itself; its waiters learn of it
                log.exception("database writer: unexpected failure")
                _settle([(waiter, None, exc) for _, waiter in batch if not waiter.done()])
            if stop:
                self._writer.close()
                return

    def _drain(self, item: Any) -> tuple[list[tuple[WriteFn, Waiter]], list[tuple[Any, ...]], bool]:
        """`item` and everything queued behind it: (writes for one transaction, work outside one, stop?)."""
        batch, outside, stop = [], [], False
        while item is not None:
            if item is _STOP:
                stop = True
            elif item[0] is _OUTSIDE:
                outside.append(item[1:])
            else:
                batch.append(item)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                item = None
        return batch, outside, stop

    def _run_outside(self, future: concurrent.futures.Future[Any], sql: list[str]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(self.engine.outside(self._connected(), sql[0] if sql else None))
        except Exception as exc:  # noqa: BLE001 - the caller gets it
            future.set_exception(self.engine.fault(exc) or exc)

    def _connected(self) -> Connection:
        """The writer's connection, opened again if it broke (a PostgreSQL restart); raises when it cannot be."""
        if not self.engine.usable(self._writer):
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = self.engine.open()
        return self._writer

    def _probe(self) -> None:
        """While writes fail: one real write of PROBE_BYTES, deleted in the same transaction, to find out whether the
        storage takes writes again. Only this ends a failure: a small write that happens to fit in pages the file
        already has proves little, and readiness would flap with every one."""

        def probe(c: Connection) -> None:
            c.execute(f"INSERT INTO {PROBE_TABLE} (data) VALUES (?)", (bytes(PROBE_BYTES),))
            c.execute(f"DELETE FROM {PROBE_TABLE}")

        if self._commit([(probe, concurrent.futures.Future())]):
            self._recovered()

    def _commit(self, batch: list[tuple[WriteFn, Waiter]]) -> bool:
        """Run `batch` in one transaction and settle its waiters; whether it committed. A transaction that lost a
        conflict with another node's (PostgreSQL chose it as a deadlock's victim) was rolled back whole and runs
        again, up to CONFLICT_RETRIES times: the write functions see the database as it is then."""
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                outcomes = self._transaction(batch)
            except Exception as exc:  # noqa: BLE001 - the commit failed (disk full, I/O error): nothing was stored
                self._roll_back()
                if self.engine.conflict(exc) and attempt < CONFLICT_RETRIES:
                    self.conflicts_retried += 1
                    continue
                self._refuse(batch, exc)
                return False
            self.commits += 1
            for callback in self._after_commit:
                callback()
            self._after_commit.clear()
            _settle(outcomes)
            return True
        raise AssertionError("unreachable: the last attempt returns")

    def _transaction(self, batch: list[tuple[WriteFn, Waiter]]) -> list[Outcome]:
        self._after_commit.clear()
        conn = self._connected()
        conn.execute(self.engine.begin)
        self.transaction += 1
        outcomes = [self._run_in_savepoint(conn, fn, waiter) for fn, waiter in batch]
        conn.execute("COMMIT")
        return outcomes

    def _roll_back(self) -> None:
        with contextlib.suppress(Exception):  # the engine may have rolled back by itself already, or be gone
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
        self._after_commit.clear()

    def _refuse(self, batch: list[tuple[WriteFn, Waiter]], exc: Exception) -> None:
        """Every waiter of a batch that did not commit learns why; a fault of the storage (not a lost conflict, which
        says nothing about it) turns health to failing until a probe write succeeds."""
        fault = self.engine.fault(exc)
        if fault is not None and not self.engine.conflict(exc):
            self._failed(fault)
        elif fault is None:
            log.error("database writer: a commit failed: %s", type(exc).__name__)
        _settle([(waiter, None, fault or exc) for _, waiter in batch])

    def _run_in_savepoint(self, conn: Connection, fn: WriteFn, waiter: Waiter) -> Outcome:
        """One write function in its own savepoint: its own failure rolls back only itself; a storage fault (after
        which SQLite may have rolled back the whole transaction) is raised, failing the whole commit."""
        conn.execute("SAVEPOINT op")
        mark = len(self._after_commit)
        try:
            result = fn(conn)
        except Exception as exc:  # the caller gets it through its waiter
            fault = self.engine.fault(exc)
            if fault is not None:
                raise fault from exc
            del self._after_commit[mark:]
            conn.execute("ROLLBACK TO op")
            conn.execute("RELEASE op")
            return (waiter, None, exc)
        conn.execute("RELEASE op")
        return (waiter, result, None)

    def _failed(self, fault: StorageUnavailable) -> None:
        health = self.health
        if health.failing_since is None:
            health.failing_since = time.time()
        health.reason = fault.reason
        health.failed_commits += 1
        health.faults_total += 1
        self._log.warning("writes", "database writes fail: %s; ingest answers 503 until they work again",
                          fault.reason)

    def _recovered(self) -> None:
        health = self.health
        if health.failing_since is None:
            return
        log.warning("database writes work again after %.1f s (%d failed commits: %s)",
                    time.time() - health.failing_since, health.failed_commits, health.reason)
        health.failing_since, health.reason, health.failed_commits = None, "", 0
        self._log.reset("writes")

    # -- reads --------------------------------------------------------------------------------------------------

    def _reader(self) -> Connection:
        conn: Connection | None = getattr(self._readers, "conn", None)
        if conn is None or not self.engine.usable(conn):
            conn = self.engine.open(readonly=True)
            self._readers.conn = conn
            with self._reader_lock:
                self._reader_conns.append(conn)
        return conn

    def read_sync(self, fn: Callable[[Any], T]) -> T:
        conn = self._reader()
        try:
            return fn(conn)
        except Exception as exc:
            if self.engine.usable(conn) or self.engine.fault(exc) is None:
                raise
        # The connection broke since its last use (a PostgreSQL restart): a read changes nothing, so once more on a
        # new one.
        return fn(self._reader())

    async def read(self, fn: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(self.read_sync, fn)

    def close(self) -> None:
        """Commit what is queued, then close every connection."""
        self._queue.put(_STOP)
        self._thread.join()
        with self._reader_lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()


def _settle(outcomes: list[Outcome]) -> None:
    """Hand each waiter its write's result: concurrent futures directly, asyncio futures on their own loop, in one
    callback per loop. A waiter cancelled meanwhile (its request went away) is skipped; the write stays committed."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        waiter = outcome[0]
        if isinstance(waiter, asyncio.Future):
            by_loop.setdefault(waiter.get_loop(), []).append(outcome)
        elif waiter.set_running_or_notify_cancel():
            _set(waiter, outcome)
    for loop, waiting in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody is waiting any more
            loop.call_soon_threadsafe(_settle_on_loop, waiting)


def _settle_on_loop(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if not outcome[0].done():
            _set(outcome[0], outcome)


def _set(waiter: Any, outcome: Outcome) -> None:
    if outcome[2] is None:
        waiter.set_result(outcome[1])
    else:
        waiter.set_exception(outcome[2])
