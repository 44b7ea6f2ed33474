"""The local sink: a destination that keeps what would have been forwarded, in the gateway's own database.

`make run` on a fresh machine routes the default source here, so a newcomer can read the result of every event through
GET /admin/v1/sink. Only the newest `keep` deliveries per sink are kept.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

import orjson

from gateway.database import Database, Migration
from gateway.outbox.store import Queued
from gateway.outbox.transport import SendResult

MIGRATIONS = (
    Migration(
        "sink-1",
        (
            """CREATE TABLE sink_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                destination TEXT NOT NULL,
                source TEXT NOT NULL,
                message_id TEXT NOT NULL,
                delivered_at REAL NOT NULL,
                body BLOB NOT NULL
            )""",
            "CREATE INDEX sink_events_destination ON sink_events (destination, id)",
        ),
    ),
    # The event's identifier hashes, so a deletion request reaches what the sink keeps too.
    Migration("sink-2", ("ALTER TABLE sink_events ADD COLUMN subjects TEXT NOT NULL DEFAULT ''",)),
)


class SinkTransport:
    def __init__(self, db: Database, destination: str, keep: int = 10_000) -> None:
        self.db, self.destination, self.keep = db, destination, keep

    async def send(self, batch: Sequence[Queued], timeout_s: float) -> SendResult:
        now = time.time()
        rows = [(self.destination, q.source, q.message_id, now, q.body, q.subjects) for q in batch]

        def insert(conn: sqlite3.Connection) -> None:
            conn.executemany(
                """INSERT INTO sink_events (destination, source, message_id, delivered_at, body, subjects)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                rows,
            )
            conn.execute(
                """DELETE FROM sink_events WHERE destination = ? AND id <= (
                       SELECT id FROM sink_events WHERE destination = ? ORDER BY id DESC LIMIT 1 OFFSET ?)""",
                (self.destination, self.destination, self.keep),
            )

        await self.db.write(insert)
        return SendResult("delivered")


def delete_subjects(conn: sqlite3.Connection, subjects: set[str]) -> int:
    """Delete what the sink kept of events carrying any of `subjects` (inside the caller's write)."""
    return sum(conn.execute("DELETE FROM sink_events WHERE instr(subjects, ?) > 0", (s,)).rowcount for s in subjects)


async def read_sink(db: Database, destination: str | None, limit: int) -> list[dict[str, Any]]:
    """The newest deliveries to the sink(s), newest first, each with its event as JSON."""

    def select(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        where, args = ("WHERE destination = ?", [destination]) if destination else ("", [])
        cursor = conn.execute(
            f"""SELECT destination, source, message_id, delivered_at, body FROM sink_events {where}
                ORDER BY id DESC LIMIT ?""",
            (*args, limit),
        )
        return [
            {"destination": d, "source": s, "message_id": m, "delivered_at": t, "event": orjson.loads(b)}
            for d, s, m, t, b in cursor
        ]

    return await db.read(select)
