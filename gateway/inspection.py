"""The gateway's database as an operator sees it (`privacy-gateway db`): the file, each table with its rows, columns,
indexes and schema, and which migrations are applied, pending (the next start applies them) or unknown to this
version (the file was last opened by a newer gateway).

Read through sqlite-utils' introspection on a read-only connection, so it is safe while the gateway runs (WAL: readers
never block the writer) and never changes the file. It shows structure and counts only, never a row's contents:
those are personal data, read through the audited admin API.
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
    path: Path
    size_bytes: int
    wal_bytes: int
    sqlite_version: str
    tables: tuple[TableInfo, ...]
    applied: tuple[tuple[str, float], ...]  # (name, applied at, epoch seconds), in the order applied
    pending: tuple[str, ...]
    unknown: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "size_bytes": self.size_bytes,
            "wal_bytes": self.wal_bytes,
            "sqlite_version": self.sqlite_version,
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
    names = {name for name, _ in applied}
    known_names = [m.name for m in known]
    wal = path.with_name(path.name + "-wal")
    return Inspection(
        path=path,
        size_bytes=path.stat().st_size,
        wal_bytes=wal.stat().st_size if wal.exists() else 0,
        sqlite_version=version,
        tables=tables,
        applied=applied,
        pending=tuple(n for n in known_names if n not in names),
        unknown=tuple(n for n, _ in applied if n not in set(known_names)),
    )


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_inspection(inspection: Inspection, *, schema: bool = False) -> str:
    """The inspection as text for a terminal; `schema` adds each table's CREATE statement and indexes."""
    lines = [f"{inspection.path}: {_megabytes(inspection.size_bytes)} "
             f"(WAL {_megabytes(inspection.wal_bytes)}), SQLite {inspection.sqlite_version}", ""]
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
