"""The suppression list: subjects (identifier hashes) whose data must not be taken in again after a deletion request.

Kept in memory for the per-event check and in the database for restarts. Ingest drops a suppressed subject's events
and recordings (counted, never stored); the check is repeated inside the commit (`in_commit`), so an event that raced
a deletion cannot slip in behind it.

With several nodes on one PostgreSQL database, a node hears of another's suppression through gateway.invalidation
(topic "suppression") and reads the list again, so its early check follows within a moment. The check inside the
commit does not wait for that: there it reads the table, under a shared advisory lock that recording a suppression
takes exclusively, so an ingest commit and a deletion on two nodes are ordered: either the event is committed first
and the deletion (which removes queued rows after suppressing) sees it, or the commit sees the suppression.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable

from gateway.database import Database, Migration
from gateway.invalidation import Invalidation
from gateway.storage.connection import Connection

TOPIC = "suppression"
LOCK_KEY = 0x70677702  # PostgreSQL advisory lock: ingest commits share it, recording a suppression holds it alone

MIGRATIONS = (
    Migration(
        "suppression-1",
        (
            """CREATE TABLE suppressed_subjects (
                subject TEXT PRIMARY KEY,
                deletion_id TEXT NOT NULL,
                created_at REAL NOT NULL
            ) WITHOUT ROWID""",
        ),
        postgres=(
            """CREATE TABLE suppressed_subjects (
                subject TEXT PRIMARY KEY,
                deletion_id TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL
            )""",
        ),
    ),
)


class Suppression:
    def __init__(self, db: Database, invalidation: Invalidation | None = None) -> None:
        self.db = db
        self.invalidation = invalidation or Invalidation(None)
        self._subjects: set[str] = self._read()
        self.invalidation.subscribe(TOPIC, self.refresh)

    def _read(self) -> set[str]:
        return set(self.db.read_sync(lambda c: [r[0] for r in c.execute("SELECT subject FROM suppressed_subjects")]))

    def refresh(self, subjects: frozenset[str] | None = None) -> None:
        """Read the list again (another node suppressed someone): the rows of `subjects`, or all of it."""
        if subjects is None:
            self._subjects = self._read()
            return
        self._subjects.update(self.db.read_sync(lambda c: [r[0] for r in c.execute(
            "SELECT subject FROM suppressed_subjects WHERE subject = ANY(?)", (list(subjects),))]))

    def __len__(self) -> int:
        return len(self._subjects)

    def suppressed(self, subjects: Iterable[str]) -> bool:
        return not self._subjects.isdisjoint(subjects)

    def in_commit(self, conn: Connection, subjects: Collection[str]) -> set[str]:
        """Inside an ingest write: which of `subjects` are suppressed, as committed (on PostgreSQL read from the table,
        ordered against any node's `add` by the advisory lock; on SQLite the one process's list is the table's)."""
        if not subjects:
            return set()
        if not self.invalidation.shared:
            return self._subjects.intersection(subjects)
        conn.execute("SELECT pg_advisory_xact_lock_shared(?)", (LOCK_KEY,))
        rows = conn.execute("SELECT subject FROM suppressed_subjects WHERE subject = ANY(?)", (list(subjects),))
        return {row[0] for row in rows}

    def add(self, conn: Connection, subjects: Iterable[str], deletion_id: str) -> None:
        """Suppress `subjects` (inside the caller's write); in memory once the rows are written, on other nodes once
        the write commits."""
        rows = [(s, deletion_id, time.time()) for s in subjects]
        if self.invalidation.shared:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
            self.invalidation.announce(conn, TOPIC, [s for s, _, _ in rows])
        conn.executemany(
            "INSERT INTO suppressed_subjects (subject, deletion_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (subject) DO NOTHING", rows
        )
        self._subjects.update(s for s, _, _ in rows)
