"""The database's writer: writes waiting together share one commit, and one failing write spoils only itself."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from gateway.database import Database, Migration

SCHEMA = Migration("test-1", ("CREATE TABLE t (x INTEGER NOT NULL)",))


def test_writes_queued_together_are_committed_in_one_transaction(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    inside, gate = threading.Event(), threading.Event()
    blocker = db.submit(lambda conn: (inside.set(), gate.wait(10)))  # holds the writer while the others queue up
    assert inside.wait(10)
    futures = [db.submit(lambda conn, i=i: conn.execute("INSERT INTO t VALUES (?)", (i,))) for i in range(50)]
    gate.set()
    blocker.result(10)
    for future in futures:
        future.result(10)
    assert db.commits == 2  # the blocker's transaction, then all fifty inserts at once
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0]) == 50
    db.close()


def test_a_failing_write_rolls_back_only_itself(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    gate = threading.Event()
    db.submit(lambda conn: gate.wait(10))
    good = db.submit(lambda conn: conn.execute("INSERT INTO t VALUES (1)"))

    def half_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES (2)")
        conn.execute("INSERT INTO t VALUES (NULL)")  # NOT NULL: fails after the first insert

    bad = db.submit(half_then_fail)
    gate.set()
    good.result(10)
    with pytest.raises(sqlite3.IntegrityError):
        bad.result(10)
    assert db.read_sync(lambda c: [r[0] for r in c.execute("SELECT x FROM t")]) == [1]
    db.close()


def test_coroutines_get_their_results_and_one_that_went_away_spoils_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    inside, gate = threading.Event(), threading.Event()

    async def scenario() -> list[int]:
        db.submit(lambda conn: (inside.set(), gate.wait(10)))  # holds the writer while the others queue up
        assert inside.wait(10)
        gone = asyncio.create_task(db.write(lambda conn: conn.execute("INSERT INTO t VALUES (1)")))
        staying = [asyncio.create_task(db.write(lambda conn, i=i: conn.execute("INSERT INTO t VALUES (?)", (i,))
                                                .lastrowid)) for i in (2, 3)]
        await asyncio.sleep(0)  # let the three writes reach the queue
        gone.cancel()  # as when a client disconnects while its request waits for the commit
        gate.set()
        rows = await asyncio.gather(*staying)
        assert await db.write(lambda conn: conn.execute("INSERT INTO t VALUES (4)").rowcount) == 1
        return rows

    assert asyncio.run(scenario()) == [2, 3]
    # The cancelled request's write was already queued: it is committed, and the writer carried on.
    assert db.read_sync(lambda c: sorted(r[0] for r in c.execute("SELECT x FROM t"))) == [1, 2, 3, 4]
    db.close()


def test_migrations_run_once(tmp_path: Path) -> None:
    Database(tmp_path / "db.sqlite3", [SCHEMA]).close()
    db = Database(tmp_path / "db.sqlite3", [SCHEMA, Migration("test-2", ("ALTER TABLE t ADD COLUMN y TEXT",))])
    columns = db.read_sync(lambda c: [r[1] for r in c.execute("PRAGMA table_info(t)")])
    assert columns == ["x", "y"]
    db.close()


def test_the_file_is_in_wal_mode_with_secure_delete(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    assert db.read_sync(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
    assert db.read_sync(lambda c: c.execute("PRAGMA secure_delete").fetchone()[0]) == 1
    db.close()
