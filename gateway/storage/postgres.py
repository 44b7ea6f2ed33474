"""The shared engine: a PostgreSQL database, through psycopg 3's synchronous client.

Why psycopg and not asyncpg: the writer (gateway.database) is a thread that runs `fn(conn)` for every write queued
and commits once; psycopg's blocking connection is exactly that, while asyncpg would need an event loop per writer
thread and every write function made async. bench/engines.py measures both in this design (docs/storage.md).

Every connection runs in autocommit mode: the writer opens its transactions with BEGIN itself, as on SQLite, and a
read is a statement of its own (no transaction left open between reads, holding back vacuum).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import adapt, pq

from gateway.storage.engine import Engine, StorageUnavailable
from gateway.storage.placeholders import to_format

CONNECT_TIMEOUT_S = 10
ADVISORY_MIGRATIONS = 0x70677700  # the advisory lock key under which migrations run ("pgw"): one node at a time

# SQLSTATE classes that blame the server or its storage, not the write (the same write may succeed later).
_STORAGE_CLASSES = {
    "08": "connection to the database lost",
    "53": "database server out of resources (disk full?)",
    "57": "database server shutting down or restarting",
    "58": "database server I/O error",
}
# SQLite's functions the stores use: instr() to find a subject among an event's space-separated subject hashes;
# json_extract() and json_each() on a JSON object of counts (a replay session's signals), for numbers only.
_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT strpos(haystack, needle) $$""",
    """CREATE OR REPLACE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS NUMERIC
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT CAST(CAST(doc AS jsonb) #>> string_to_array(substr(path, 3), '.') AS NUMERIC) $$""",
    """CREATE OR REPLACE FUNCTION json_each(doc TEXT) RETURNS TABLE (key TEXT, value NUMERIC)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
    $$ SELECT e.key, CAST(e.value AS NUMERIC) FROM jsonb_each_text(CAST(doc AS jsonb)) AS e $$""",
)
_STORAGE_STATES = {"25006": "database is read-only (a standby?)", "40P01": "deadlock", "55P03": "lock not available"}


class _NumberLoader(adapt.Loader):
    """numeric as SQLite gives numbers: an int when whole, else a float. sum() of a BIGINT column is numeric in
    PostgreSQL, and would otherwise come back as a Decimal, which no JSON answer or metric takes."""

    def load(self, data: adapt.Buffer) -> int | float:
        text = bytes(data)
        try:
            return int(text)
        except ValueError:  # a fraction, an exponent, NaN or Infinity
            return float(text)


class PostgresConnection:
    """A psycopg connection that takes the stores' `?` placeholders (gateway.storage.connection.Connection)."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.raw.execute(to_format(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(to_format(sql), parameters)
        return cursor

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def storage_fault(error: BaseException) -> StorageUnavailable | None:
    """`error` as a StorageUnavailable when it blames the server or the connection; None for any other error."""
    if isinstance(error, StorageUnavailable):
        return error
    if not isinstance(error, psycopg.Error):
        return None
    state = error.sqlstate or ""
    reason = _STORAGE_STATES.get(state) or _STORAGE_CLASSES.get(state[:2])
    if reason is None and isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        reason = "cannot reach the database server"
    return StorageUnavailable(reason) if reason is not None else None


_CONFLICT_STATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def lost_conflict(error: BaseException) -> bool:
    """Whether `error` (or the error it was raised from, as the writer wraps faults) says the transaction was chosen
    to roll back in a conflict with another: two nodes' deletions locking the same rows in opposite orders."""
    for candidate in (error, error.__cause__):
        if isinstance(candidate, psycopg.Error) and candidate.sqlstate in _CONFLICT_STATES:
            return True
    return False


def connect(url: str, readonly: bool) -> PostgresConnection:
    raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="privacy-gateway")
    raw.adapters.register_loader("numeric", _NumberLoader)
    if readonly:
        raw.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    return PostgresConnection(raw)


def _outside(conn: PostgresConnection, sql: str | None) -> object:
    # PostgreSQL's WAL is its own to recycle: the SQLite checkpoint has no counterpart to run here.
    if sql is None:
        return (0, 0, 0)
    cursor = conn.execute(sql)
    return cursor.fetchall() if cursor.description else []


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{parts.username + '@' if parts.username else ''}{host}{port}{parts.path}"


def postgres_engine(url: str) -> Engine:
    return Engine(
        name="postgresql", where=redacted(url), connect=lambda readonly: connect(url, readonly),
        begin="BEGIN", fault=storage_fault, usable=lambda conn: not conn.raw.closed, outside=_outside,
        migration_lock=f"SELECT pg_advisory_xact_lock({ADVISORY_MIGRATIONS})", blob_type="BYTEA",
        functions=_FUNCTIONS, conflict=lost_conflict,
    )
