"""Versioned schema steps, applied once each, in order, by `privacy-gateway migrate` and at every start.

A migration is a name and its statements for SQLite; a part of the gateway that has moved onto PostgreSQL gives its
statements there too (`postgres`). Each database records the names it has applied, in the `migrations` table, so a
step is never applied twice; names are never reused. Migrating is safe at start: it runs under a lock that
serialises the processes migrating (SQLite's write lock, a PostgreSQL advisory lock), one transaction per step, so
two nodes starting together apply each step once, and a step that fails leaves nothing of itself.

On PostgreSQL the steps without `postgres` statements are not applied: `unported` names them, and the gateway refuses
to serve there until they have moved.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.storage.connection import Connection
from gateway.storage.ddl import postgres_tables
from gateway.storage.engine import Engine

MIGRATIONS_TABLE = "migrations"
PROBE_TABLE = "writer_probe"  # where the writer tries a write while writes fail (gateway.database)


@dataclass(frozen=True)
class Migration:
    """A named schema step. Applied once, in order, inside one transaction; its name is recorded in `migrations`."""

    name: str
    statements: Sequence[str]  # SQLite
    postgres: Sequence[str] | None = None  # PostgreSQL; None: this step has not moved there yet

    def statements_for(self, engine: str) -> Sequence[str] | None:
        return self.statements if engine == "sqlite" else self.postgres


def tables(name: str, statements: Sequence[str]) -> Migration:
    """A step of plain table definitions, for both engines: its PostgreSQL statements are the SQLite ones with their
    types translated (gateway.storage.ddl)."""
    return Migration(name, statements, postgres=postgres_tables(statements))


def unported(migrations: Sequence[Migration]) -> list[str]:
    """The steps with no PostgreSQL statements yet, by name."""
    return [m.name for m in migrations if m.postgres is None]


def applied(conn: Connection) -> set[str]:
    return {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}


def migrate(engine: Engine, conn: Connection, migrations: Sequence[Migration]) -> list[str]:
    """Apply the steps `conn`'s database lacks (those this engine has statements for); returns their names."""
    time_type = "REAL" if engine.name == "sqlite" else "DOUBLE PRECISION"
    _locked(engine, conn, (f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at "
                           f"{time_type} NOT NULL)",
                           f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} (data {engine.blob_type})", *engine.functions))
    done = applied(conn)
    names = []
    for migration in migrations:
        statements = migration.statements_for(engine.name)
        if migration.name in done or statements is None:
            continue
        if _locked(engine, conn, statements, migration.name):
            names.append(migration.name)
    return names


def _locked(engine: Engine, conn: Connection, statements: Sequence[str], name: str | None = None) -> bool:
    """Run `statements` in one transaction under the migration lock, recording `name`; False if another process
    applied `name` while this one waited for the lock."""
    conn.execute(engine.begin)
    try:
        if engine.migration_lock is not None:
            conn.execute(engine.migration_lock)
        if name is not None and name in applied(conn):
            conn.execute("COMMIT")
            return False
        for statement in statements:
            conn.execute(statement)
        if name is not None:
            conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)", (name, time.time()))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True
