"""The embedded engine: the SQLite file in the data directory, in WAL mode, every commit fsynced."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gateway.storage.engine import Engine, StorageUnavailable

# SQLite's primary result codes that say the storage, not the write, is at fault: the same write may succeed later.
_STORAGE_FAULTS = {
    13: "disk full",  # SQLITE_FULL (also a full max_page_count)
    10: "I/O error",  # SQLITE_IOERR and its extended codes
    5: "database busy",  # SQLITE_BUSY: locked by another process past the busy timeout
    6: "database locked",  # SQLITE_LOCKED
    14: "cannot open the database file",  # SQLITE_CANTOPEN
    8: "database is read-only",  # SQLITE_READONLY
    7: "out of memory",  # SQLITE_NOMEM
}


BUSY_TIMEOUT_MS = 30_000  # another process (a CLI command) holding the lock: wait this long before failing
CHECKPOINT_WAIT_MS = 50  # a checkpoint's wait for readers to move on (see _checkpoint)
# The page cache of a connection that writes, in KiB (SQLite's default is 2,000: 500 pages). Ingest inserts rows of
# random keyed-hash keys (identity links, the outbox's subject index): each lands on a page of its own, and with the
# default every one of them was read again from the file (bench/writer_cost.py). Allocated as pages are read, so a
# small database costs no more; the single writer keeps its cache between transactions (nobody else writes). 64 MiB
# did no better in all: delivery's deletes cost more with it.
WRITER_CACHE_KIB = 16 * 1024


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a WAL commit is fsynced before it returns, so an acknowledged event survives power loss, not just kill -9.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Deleted rows are overwritten, so data removed by delivery, retention or a deletion request does not linger.
    conn.execute("PRAGMA secure_delete=ON")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    else:
        conn.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
    return conn


def storage_fault(error: BaseException) -> StorageUnavailable | None:
    """`error` as a StorageUnavailable when SQLite blames the storage for it; None for any other error."""
    if isinstance(error, StorageUnavailable):
        return error
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(error, sqlite3.Error) or code is None:
        return None
    reason = _STORAGE_FAULTS.get(code & 0xFF)
    return StorageUnavailable(reason) if reason is not None else None


def _outside(conn: sqlite3.Connection, sql: str | None) -> object:
    return conn.execute(sql).fetchall() if sql is not None else _checkpoint(conn)


def _checkpoint(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Copy the WAL into the database file and truncate it to zero bytes, so that pages holding deleted data do not
    linger in it. A reader in the middle of a read holds TRUNCATE back, and SQLite would wait for it in the busy
    handler (30 s) with the writer, so every write, stalled: one short try here, and the caller tries again later
    (Database.checkpoint_fully)."""
    conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
    try:
        result: tuple[int, int, int] = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return result


def sqlite_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    return Engine(
        name="sqlite", where=str(path), connect=lambda readonly: connect(path, readonly=readonly),
        begin="BEGIN IMMEDIATE", fault=storage_fault, usable=lambda conn: True, outside=_outside,
        migration_lock=None, blob_type="BLOB",
    )
