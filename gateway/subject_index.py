"""Subject indexes: which rows of a table carry a subject, so a deletion or a consent withdrawal finds them through an
index instead of scanning the table inside the single writer (with 1 M queued deliveries that scan held every ingest
commit for 4.5 s).

A table whose rows carry `subjects` (keyed hashes, space-separated; never identifiers in clear) gets a companion
`<table>_subjects (subject, row_id)`, one row per subject of each row. The code that writes the table keeps it in
step, in the same write: `add` with the ids and subjects of inserted rows (`INSERT ... RETURNING id, subjects`),
`remove` with those of deleted rows (`DELETE ... RETURNING`). Plain SQL both backends speak; no triggers.

`take` deletes a bounded number of a subject's rows at a time, so a deletion proceeds in small transactions that
ingest commits interleave with. An index row whose table row is already gone (there should be none) is dropped when
met, so the index can never keep `take` from finishing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from gateway.database import Migration
from gateway.storage.connection import Connection
from replay.search import SPLIT_SUBJECTS


def migration(name: str, table: str) -> Migration:
    """The migration `name` that gives `table` (with `id` and `subjects` columns) its subject index, on both engines,
    and fills it from the rows already there (a database that queued rows before the index existed)."""
    return Migration(
        name,
        (
            f"""CREATE TABLE {table}_subjects (
                subject TEXT NOT NULL,
                row_id INTEGER NOT NULL,
                PRIMARY KEY (subject, row_id)
            ) WITHOUT ROWID""",
            # SQLite splits with json_each, as replay.search does.
            f"""INSERT INTO {table}_subjects (subject, row_id)
                SELECT value, {table}.id FROM {table}, {SPLIT_SUBJECTS.format(col="subjects")}
                WHERE subjects != '' AND value != ''
                ON CONFLICT DO NOTHING""",
        ),
        postgres=(
            # PostgreSQL has no WITHOUT ROWID: a plain table, read through its primary key.
            f"""CREATE TABLE {table}_subjects (
                subject TEXT NOT NULL,
                row_id BIGINT NOT NULL,
                PRIMARY KEY (subject, row_id)
            )""",
            f"""INSERT INTO {table}_subjects (subject, row_id)
                SELECT subject, {table}.id FROM {table}, unnest(string_to_array(subjects, ' ')) AS split(subject)
                WHERE subjects != '' AND subject != ''
                ON CONFLICT DO NOTHING""",
        ),
    )


def pairs(rows: Iterable[tuple[int, str]]) -> list[tuple[str, int]]:
    """(subject, row id) for each distinct subject of each (id, subjects) row."""
    return [(subject, row_id) for row_id, subjects in rows for subject in dict.fromkeys(subjects.split())]


def add(conn: Connection, table: str, rows: Iterable[tuple[int, str]]) -> None:
    """Index rows just inserted into `table`, given as (id, subjects). (A plain INSERT: the ids are new, and ON
    CONFLICT would cost a third more per entry on the ingest path.)"""
    conn.executemany(f"INSERT INTO {table}_subjects (subject, row_id) VALUES (?, ?)", pairs(rows))


def remove(conn: Connection, table: str, rows: Iterable[tuple[int, str]]) -> None:
    """Drop the index rows of rows just deleted from `table`, given as (id, subjects)."""
    conn.executemany(f"DELETE FROM {table}_subjects WHERE subject = ? AND row_id = ?", pairs(rows))


def row_ids(conn: Connection, table: str, subjects: Sequence[str], limit: int) -> list[tuple[str, int]]:
    """Up to `limit` (subject, row id) entries of the index for any of `subjects`."""
    found: list[tuple[str, int]] = []
    for subject in subjects:
        found += conn.execute(f"SELECT subject, row_id FROM {table}_subjects WHERE subject = ? LIMIT ?",
                              (subject, limit - len(found))).fetchall()
        if len(found) >= limit:
            break
    return found


def take(conn: Connection, table: str, subjects: Sequence[str], limit: int,
         columns: str = "id, subjects") -> tuple[int, list[tuple[Any, ...]]]:
    """Delete up to `limit` rows of `table` carrying any of `subjects` (inside the caller's write), through the index.
    Returns (index entries handled: 0 when nothing of the subjects is left, the deleted rows' `columns`); `columns`
    starts with id and subjects."""
    found = row_ids(conn, table, subjects, limit)
    if not found:
        return 0, []
    ids = sorted({row_id for _, row_id in found})
    placeholders = ",".join("?" * len(ids))
    deleted = conn.execute(f"DELETE FROM {table} WHERE id IN ({placeholders}) RETURNING {columns}", ids).fetchall()
    remove(conn, table, [(row[0], row[1]) for row in deleted])
    # Entries whose row had already gone: dropped, or they would be found again and again.
    conn.executemany(f"DELETE FROM {table}_subjects WHERE subject = ? AND row_id = ?", found)
    return len(found), deleted


def take_scanning(conn: Connection, table: str, subjects: set[str], after: int, limit: int
                  ) -> tuple[int, int | None]:
    """For a table without a subject index (dead letters, the sink: kept small by retention and by `keep`): look at
    the `limit` rows after id `after` and delete those carrying any of `subjects` (inside the caller's write), so a
    deletion scans it in short slices, never in one long transaction. Returns (rows deleted, the last id looked at;
    None once past the end)."""
    rows = conn.execute(f"SELECT id, subjects FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (after, limit)).fetchall()
    if not rows:
        return 0, None
    doomed = [(row_id,) for row_id, carried in rows if not subjects.isdisjoint(carried.split())]
    conn.executemany(f"DELETE FROM {table} WHERE id = ?", doomed)
    return len(doomed), rows[-1][0]
