"""The suppression list: subjects (identifier hashes) whose data must not be taken in again after a deletion request.

Kept in memory for the per-event check and in the database for restarts. Ingest drops a suppressed subject's events
and recordings (counted, never stored); the check is repeated inside the commit, so an event that raced a deletion
cannot slip in behind it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from gateway.database import Database, Migration
from gateway.storage.connection import Connection

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
    def __init__(self, db: Database) -> None:
        self._subjects: set[str] = set(
            db.read_sync(lambda c: [row[0] for row in c.execute("SELECT subject FROM suppressed_subjects")])
        )

    def __len__(self) -> int:
        return len(self._subjects)

    def suppressed(self, subjects: Iterable[str]) -> bool:
        return not self._subjects.isdisjoint(subjects)

    def add(self, conn: Connection, subjects: Iterable[str], deletion_id: str) -> None:
        """Suppress `subjects` (inside the caller's write); in memory once the rows are written."""
        rows = [(s, deletion_id, time.time()) for s in subjects]
        conn.executemany(
            "INSERT INTO suppressed_subjects (subject, deletion_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (subject) DO NOTHING", rows
        )
        self._subjects.update(s for s, _, _ in rows)
