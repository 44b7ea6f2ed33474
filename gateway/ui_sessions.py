"""The web UI's signed-in sessions, kept server-side: a session is live while its row is here, so signing out ends it
for good (a copy of the cookie taken before no longer works), whatever the signed cookie itself still says.

A row holds a keyed reference to the session's random id (never the id, which is in the cookie), who signed in, and
when the session expires; expired rows go at the next sign-in. Rows survive restarts, as the cookies do.
"""

from __future__ import annotations

import time

from gateway.database import Database, Migration
from gateway.storage.connection import Connection

MIGRATIONS = (
    Migration(
        "ui-sessions-1",
        (
            """CREATE TABLE ui_sessions (
                ref TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                expires REAL NOT NULL
            )""",
        ),
        postgres=(
            """CREATE TABLE ui_sessions (
                ref TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                expires DOUBLE PRECISION NOT NULL
            )""",
        ),
    ),
)


class UiSessions:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(self, ref: str, name: str, role: str, expires: float) -> None:
        def insert(conn: Connection) -> None:
            conn.execute("DELETE FROM ui_sessions WHERE expires <= ?", (time.time(),))
            conn.execute("INSERT INTO ui_sessions (ref, name, role, expires) VALUES (?, ?, ?, ?) ON CONFLICT (ref) "
                         "DO UPDATE SET name = excluded.name, role = excluded.role, expires = excluded.expires",
                         (ref, name, role, expires))

        await self.db.write(insert)

    def live(self, ref: str) -> bool:
        """Whether the session is signed in (a primary-key lookup on every UI request)."""
        return self.db.read_sync(lambda conn: conn.execute(
            "SELECT 1 FROM ui_sessions WHERE ref = ? AND expires > ?", (ref, time.time())).fetchone()) is not None

    async def end(self, ref: str) -> None:
        await self.db.write(lambda conn: conn.execute("DELETE FROM ui_sessions WHERE ref = ?", (ref,)))
