"""The gateway's database as an operator sees it (`privacy-gateway db`): the file or PostgreSQL database, each table
with its rows, columns, indexes and schema, and which migrations are applied, pending (the next start applies them)
or unknown to this version (the database was last opened by a newer gateway).

SQLite is read through sqlite-utils' introspection on a read-only connection, so it is safe while the gateway runs
(WAL: readers never block the writer) and never changes the file; PostgreSQL through its catalog, in a read-only
session. It shows structure and counts only, never a row's contents: those are personal data, read through the
audited admin API.
"""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from gateway.database import PROBE_TABLE, Migration

MIGRATIONS_TABLE = "migrations"  # where gateway.database records what it applied
# Shown as migrations; the writer's tries while writes fail (gateway.database); SQLite's own bookkeeping.
INTERNAL_TABLES = (MIGRATIONS_TABLE, PROBE_TABLE, "sqlite_sequence")


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int
    columns: tuple[str, ...]
    indexes: tuple[str, ...]
    schema: str


@dataclass(frozen=True)
class Inspection:
    where: str  # the file, or the server and database without credentials
    engine: str  # "SQLite 3.45.1", "PostgreSQL 15.18"
    size_bytes: int
    wal_bytes: int  # SQLite's write-ahead log not yet checkpointed (0 on PostgreSQL)
    tables: tuple[TableInfo, ...]
    applied: tuple[tuple[str, float], ...]  # (name, applied at, epoch seconds), in the order applied
    pending: tuple[str, ...]
    unknown: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.where,
            "engine": self.engine,
            "size_bytes": self.size_bytes,
            "wal_bytes": self.wal_bytes,
            "tables": [table.__dict__ for table in self.tables],
            "migrations": {"applied": [{"name": n, "applied_at": at} for n, at in self.applied],
                           "pending": list(self.pending), "unknown": list(self.unknown)},
        }


def inspect(path: Path, known: Sequence[Migration]) -> Inspection:
    """Look at the database at `path`; `known` are the migrations this version of the gateway has."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        db = sqlite_utils.Database(conn)
        tables = tuple(
            TableInfo(table.name, table.count, tuple(c.name for c in table.columns),
                      tuple(i.name for i in table.indexes), table.schema)
            for table in db.tables if table.name not in INTERNAL_TABLES
        )
        applied: tuple[tuple[str, float], ...] = ()
        if MIGRATIONS_TABLE in db.table_names():
            rows = db[MIGRATIONS_TABLE].rows_where(order_by="rowid")
            applied = tuple((row["name"], row["applied_at"]) for row in rows)
        version = ".".join(map(str, db.sqlite_version))
    finally:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    return _inspection(str(path), f"SQLite {version}", path.stat().st_size, wal.stat().st_size if wal.exists() else 0,
                       tables, applied, known)


def inspect_postgres(url: str, known: Sequence[Migration]) -> Inspection:
    """Look at the PostgreSQL database of `url` (its current schema), in a read-only session."""
    from gateway.storage.postgres import connect, redacted

    conn = connect(url, readonly=True)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        tables = tuple(_postgres_table(conn, name) for name in names if name not in INTERNAL_TABLES)
        applied: tuple[tuple[str, float], ...] = ()
        if MIGRATIONS_TABLE in names:
            applied = tuple((name, at) for name, at in conn.execute(
                f"SELECT name, applied_at FROM {MIGRATIONS_TABLE} ORDER BY applied_at, name").fetchall())
        [(version, size)] = conn.execute("SELECT current_setting('server_version'), "
                                         "pg_database_size(current_database())").fetchall()
    finally:
        conn.close()
    return _inspection(redacted(url), f"PostgreSQL {version}", int(size), 0, tables, applied, known)


def _postgres_table(conn: Any, name: str) -> TableInfo:
    columns = conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                           "current_schema() AND table_name = ? ORDER BY ordinal_position", (name,)).fetchall()
    indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                           "AND tablename = ? ORDER BY indexname", (name,)).fetchall()
    rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    schema = f"CREATE TABLE {name} (\n" + ",\n".join(f"    {column} {kind}" for column, kind in columns) + "\n)"
    return TableInfo(name, int(rows), tuple(column for column, _ in columns), tuple(i for i, _ in indexes), schema)


def _inspection(where: str, engine: str, size: int, wal: int, tables: tuple[TableInfo, ...],
                applied: tuple[tuple[str, float], ...], known: Sequence[Migration]) -> Inspection:
    names = {name for name, _ in applied}
    known_names = [m.name for m in known]
    return Inspection(
        where=where, engine=engine, size_bytes=size, wal_bytes=wal, tables=tables, applied=applied,
        pending=tuple(n for n in known_names if n not in names),
        unknown=tuple(n for n, _ in applied if n not in set(known_names)),
    )


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_inspection(inspection: Inspection, *, schema: bool = False) -> str:
    """The inspection as text for a terminal; `schema` adds each table's CREATE statement and indexes."""
    wal = f" (WAL {_megabytes(inspection.wal_bytes)})" if inspection.engine.startswith("SQLite") else ""
    lines = [f"{inspection.where}: {_megabytes(inspection.size_bytes)}{wal}, {inspection.engine}", ""]
    width = max((len(t.name) for t in inspection.tables), default=5)
    lines.append(f"{'table':<{width}}  {'rows':>10}  columns")
    for table in inspection.tables:
        lines.append(f"{table.name:<{width}}  {table.rows:>10}  {', '.join(table.columns)}")
        if schema:
            first, _, rest = table.schema.partition("\n")
            lines.append("    " + first)
            if rest:
                lines.append(textwrap.indent(textwrap.dedent(rest), "      "))
            lines.extend(f"    index {name}" for name in table.indexes)
    lines.append("")
    last = f" (last: {inspection.applied[-1][0]} at {_when(inspection.applied[-1][1])})" if inspection.applied else ""
    lines.append(f"migrations: {len(inspection.applied)} applied{last}")
    if inspection.pending:
        lines.append(f"pending (applied at the next start): {', '.join(inspection.pending)}")
    if inspection.unknown:
        lines.append(f"unknown to this version (a newer gateway applied them): {', '.join(inspection.unknown)}")
    return "\n".join(lines)
