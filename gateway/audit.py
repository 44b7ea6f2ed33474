"""The audit log: append-only and hash-chained; every admin action and every read of subject data is written here.

Each row's `hash` is HMAC-SHA256, under the gateway's audit key, of the previous row's hash and this row's content.
Changing, inserting or deleting a row breaks the chain from that row on, and without the key it cannot be recomputed.
`verify` walks the chain. The entry is committed before the data it describes is returned to the reader.

Whoever holds the data directory and the key could still rewrite the log and recompute the chain, or cut off its newest
rows. Against that, the chain's head is signed into checkpoints kept elsewhere (gateway.audit_checkpoints).

Appending reads the head and writes the next row, so two writers must not interleave or the chain forks (two rows
chained to one predecessor). On SQLite the single write lock (BEGIN IMMEDIATE) already serialises them. On PostgreSQL
many nodes write at once under READ COMMITTED, so an append first updates the anchor row (`audit_anchor`, id 1, put
there at migration): that row lock is held to the end of the transaction, so the next node's append waits, then reads
the head this one committed. A row lock rather than an advisory lock keeps the SQL one text on both engines (on SQLite
the statement touches at most that row, or none in a database from before), and is released on rollback with the
rest of the write; retention's purge takes the same row, so a purge and an append never pass each other.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.audit_values import AuditValues
from gateway.database import Database, Migration
from gateway.storage.connection import Connection
from policies.keyed_hash import KeyedHash

GENESIS = "0" * 64

MIGRATIONS = (
    Migration(
        "audit-1",
        (
            """CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at REAL NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                details TEXT NOT NULL,
                prev TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_action ON audit_log (action, id)",
        ),
        postgres=(
            # Ids are given by the append (the head's id + 1, chained into the hash), never by a sequence.
            """CREATE TABLE audit_log (
                id BIGINT PRIMARY KEY,
                at DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                details TEXT NOT NULL,
                prev TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_action ON audit_log (action, id)",
        ),
    ),
    Migration(
        "audit-2",
        (
            # When retention purges the oldest entries, the chain goes on from here: the last purged id and hash.
            """CREATE TABLE audit_anchor (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                through_id INTEGER NOT NULL,
                hash TEXT NOT NULL
            )""",
        ),
        postgres=(
            """CREATE TABLE audit_anchor (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                through_id BIGINT NOT NULL,
                hash TEXT NOT NULL
            )""",
            # The row every append locks (see the module's docstring); (0, GENESIS) is where an empty chain starts.
            f"INSERT INTO audit_anchor (id, through_id, hash) VALUES (1, 0, '{GENESIS}')",
        ),
    ),
)

COLUMNS = ("id", "at", "actor", "role", "action", "target", "details", "prev", "hash")


@dataclass(frozen=True)
class Verification:
    ok: bool
    rows: int
    first_bad_id: int | None = None
    last_id: int = 0  # the newest row's id (the anchor's when no row is left)
    hashes: Mapping[int, str] = field(default_factory=dict)  # of the rows asked for, up to where the chain holds


def _digest(key: KeyedHash, prev: str, row_id: int, at: float, actor: str, role: str, action: str, target: str,
            details: str) -> str:
    content = orjson.dumps([prev, row_id, repr(at), actor, role, action, target, details])
    return key.hexdigest(content)  # HMAC-SHA256 under the audit key


def head(conn: Connection) -> tuple[int, str]:
    """The chain's newest row: its id and hash (the anchor's when no row is left)."""
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else anchor(conn)


def anchor(conn: Connection) -> tuple[int, str]:
    """Where the chain starts: the id and hash of the last row retention purged, or (0, GENESIS)."""
    row = conn.execute("SELECT through_id, hash FROM audit_anchor WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def lock_chain(conn: Connection) -> None:
    """Hold the chain until the caller's transaction ends: other nodes' appends and purges wait (module docstring)."""
    conn.execute("UPDATE audit_anchor SET through_id = through_id WHERE id = 1")


def purge_before(conn: Connection, cutoff: float, limit: int) -> int:
    """Delete up to `limit` of the oldest entries older than `cutoff`, moving the anchor to the last one deleted so
    that the rest of the chain still verifies. Returns how many were deleted."""
    lock_chain(conn)
    rows = conn.execute("SELECT id, hash FROM audit_log WHERE at < ? ORDER BY id LIMIT ?", (cutoff, limit)).fetchall()
    if not rows:
        return 0
    through_id, last_hash = rows[-1]
    conn.execute("DELETE FROM audit_log WHERE id <= ?", (through_id,))
    conn.execute("INSERT INTO audit_anchor (id, through_id, hash) VALUES (1, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET through_id = excluded.through_id, hash = excluded.hash",
                 (through_id, last_hash))
    return len(rows)


def verify_chain(conn: Connection, key: bytes, keep: frozenset[int] = frozenset()) -> Verification:
    """Walk the chain from its anchor, recomputing each row's hash under the audit `key`. `keep`: ids whose hashes to
    return (checkpoints compare them)."""
    through_id, prev = anchor(conn)
    keyed = KeyedHash(key)  # one key for every row of the chain
    expected_id, rows = through_id + 1, 0
    kept: dict[int, str] = {}
    for row_id, at, actor, role, action, target, details, row_prev, digest in _rows_in_order(conn, VERIFY_PAGE_ROWS):
        rows += 1
        recomputed = _digest(keyed, prev, row_id, at, actor, role, action, target, details)
        if row_id != expected_id or row_prev != prev or not hmac.compare_digest(recomputed, digest):
            return Verification(False, rows, row_id, row_id, kept)
        if row_id in keep:
            kept[row_id] = digest
        prev, expected_id = digest, row_id + 1
    return Verification(True, rows, last_id=expected_id - 1, hashes=kept)


VERIFY_PAGE_ROWS = 5_000


def _rows_in_order(conn: Connection, page_rows: int) -> Iterator[tuple[Any, ...]]:
    """The log in id order, a page at a time: PostgreSQL's driver would otherwise hold the whole result in memory
    (an audit log grows for years), and SQLite keeps no read open across pages. Ids above the last page's continue
    it, whatever the gaps."""
    after: int | None = None
    select = f"SELECT {', '.join(COLUMNS)} FROM audit_log"
    while True:
        if after is None:
            page = conn.execute(f"{select} ORDER BY id LIMIT ?", (page_rows,)).fetchall()
        else:
            page = conn.execute(f"{select} WHERE id > ? ORDER BY id LIMIT ?", (after, page_rows)).fetchall()
        yield from page
        if len(page) < page_rows:
            return
        after = page[-1][0]


class AuditLog:
    def __init__(self, db: Database, key: bytes, values_key: bytes) -> None:
        """`key` chains the entries; `values_key` hashes the personal values they name (gateway.audit_values)."""
        self.db, self._key, self._keyed = db, key, KeyedHash(key)
        self.values = AuditValues(values_key)

    def append(self, conn: Connection, actor: str, role: str, action: str, target: str,
               details: dict[str, Any] | None = None) -> int:
        """Add an entry inside the caller's write. The previous hash is read in the same transaction, so the chain
        holds whatever else commits around it; on PostgreSQL the chain is locked first (module docstring)."""
        lock_chain(conn)
        last_id, prev = head(conn)
        row_id = last_id + 1
        at = time.time()
        target = self.values.target(target)
        text = orjson.dumps(self.values.details(details or {}), option=orjson.OPT_SORT_KEYS).decode()
        digest = _digest(self._keyed, prev, row_id, at, actor, role, action, target, text)
        conn.execute(
            "INSERT INTO audit_log (id, at, actor, role, action, target, details, prev, hash) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (row_id, at, actor, role, action, target, text, prev, digest),
        )
        return row_id

    async def record(
        self, actor: str, role: str, action: str, target: str, details: dict[str, Any] | None = None
    ) -> int:
        return await self.db.write(lambda conn: self.append(conn, actor, role, action, target, details))

    def verify(self, conn: Connection) -> Verification:
        return verify_chain(conn, self._key)

    async def query(self, *, action: str | None = None, actor: str | None = None, target: str | None = None,
                    since: float | None = None, until: float | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Entries newest first. `target`: entries about that value, whether kept as it is or hashed, as their
        target or in the filters they record."""
        clauses: list[str] = []
        args: list[str | float] = []
        for column, value in (("action", action), ("actor", actor)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if target is not None:
            plain, hashed = self.values.searched(target)
            clauses.append("(target IN (?, ?) OR instr(details, ?) > 0)")
            args.extend((plain, hashed, hashed))
        if since is not None:
            clauses.append("at >= ?")
            args.append(since)
        if until is not None:
            clauses.append("at < ?")
            args.append(until)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""

        def select(conn: Connection) -> list[dict[str, Any]]:
            cursor = conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM audit_log {where} ORDER BY id DESC LIMIT ?", (*args, limit)
            )
            return [{**dict(zip(COLUMNS, row, strict=True)), "details": orjson.loads(row[6])} for row in cursor]

        return await self.db.read(select)
