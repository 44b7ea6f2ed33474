"""The gateway's SQLite file: one writer thread with group commit, read connections for everyone else.

Why one writer: SQLite allows one writing transaction at a time, and a durable commit costs an fsync. Every write is a
function of a connection, queued to the writer thread; the writer runs all the functions waiting at that moment inside
one transaction (each in its own savepoint, so one failure rolls back only itself) and commits once. Concurrent requests
therefore share one fsync, and a caller's future resolves only after its rows are on disk (WAL, synchronous=FULL).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], Any]

Waiter = concurrent.futures.Future[Any] | asyncio.Future[Any]  # who waits for a write: a thread or a coroutine
Outcome = tuple[Waiter, Any, BaseException | None]  # (waiter, result, error)

_STOP = object()
_OUTSIDE = object()  # marks a write that must run outside any transaction (a WAL checkpoint)


@dataclass(frozen=True)
class Migration:
    """A named schema step. Applied once, in order, inside one transaction; its name is recorded in `migrations`."""

    name: str
    statements: Sequence[str]


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a WAL commit is fsynced before it returns, so an acknowledged event survives power loss, not just kill -9.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    # Deleted rows are overwritten, so data removed by delivery, retention or a deletion request does not linger.
    conn.execute("PRAGMA secure_delete=ON")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    return conn


class Database:
    """Owns the SQLite file. `await write(fn)` is group-committed; `await read(fn)` runs on a read connection."""

    def __init__(self, path: Path, migrations: Sequence[Migration] = ()) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = connect(self.path)
        self._migrate(migrations)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run_writer, name="sqlite-writer", daemon=True)
        self._thread.start()
        self._readers = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()
        self.commits = 0  # transactions committed: with group commit, fewer than writes

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        conn = self._writer
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        for migration in migrations:
            if migration.name in done:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute("INSERT INTO migrations VALUES (?, ?)", (migration.name, time.time()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # -- writes -------------------------------------------------------------------------------------------------

    def submit(self, fn: WriteFn) -> concurrent.futures.Future[Any]:
        """Queue `fn(conn)` for the next group commit. The future resolves after the commit (or with fn's exception)."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((fn, future))
        return future

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        # An asyncio future, settled from the writer thread with one loop callback per commit (not one per write,
        # as wrapping a concurrent future would: each costs a wake-up of the loop).
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put((fn, future))
        return await future

    def write_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self.submit(fn).result()

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

    def _run_writer(self) -> None:
        conn = self._writer
        while True:
            item = self._queue.get()
            batch = []
            outside = []
            stop = False
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
            if batch:
                self._commit(conn, batch)
            for future, *sql in outside:
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(conn.execute(sql[0]).fetchall() if sql else self._checkpoint(conn))
                except Exception as exc:  # noqa: BLE001 - the caller gets it
                    future.set_exception(exc)
            if stop:
                conn.close()
                return

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection, attempts: int = 50) -> tuple[int, int, int]:
        # A reader in the middle of a read makes TRUNCATE report busy: try again briefly rather than leave the WAL.
        for _ in range(attempts):
            result = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if result[0] == 0:
                return result
            time.sleep(0.02)
        return result

    def _commit(self, conn: sqlite3.Connection, batch: list[tuple[WriteFn, Waiter]]) -> None:
        outcomes: list[Outcome] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, future in batch:
                conn.execute("SAVEPOINT op")
                try:
                    result = fn(conn)
                except Exception as exc:  # noqa: BLE001 - the caller gets it through its future
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE op")
                    outcomes.append((future, result, None))
            conn.execute("COMMIT")
            self.commits += 1
        except Exception as exc:  # noqa: BLE001 - the commit itself failed (disk full, I/O error): nothing was stored
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(future, None, exc) for _, future in batch]
        _settle(outcomes)

    # -- reads --------------------------------------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._readers.conn = conn
            with self._reader_lock:
                self._reader_conns.append(conn)
        return conn

    def read_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return fn(self._reader())

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
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
