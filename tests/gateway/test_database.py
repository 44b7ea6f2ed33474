"""The database's writer: writes waiting together share one commit, one failing write spoils only itself, and a full
disk fails writes cleanly (StorageUnavailable, nothing stored) until space returns, which the writer finds by itself.

A full disk is made for real: `PRAGMA max_page_count` makes SQLite answer SQLITE_FULL ("database or disk is full")
exactly as a full file system does, without needing a file system of our own."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.database import Database, Migration, StorageUnavailable
from tests.support.waiting import WAIT_TIMEOUT_S, wait_until

SCHEMA = Migration("test-1", ("CREATE TABLE t (x INTEGER NOT NULL)",))
BLOBS = Migration("test-blobs", ("CREATE TABLE blobs (data BLOB NOT NULL)",))


def fill_the_disk(db: Database) -> None:
    """Let the file grow by no more than a few pages from now on: the next sizeable write finds the disk full."""
    db.write_sync(lambda c: c.execute(f"PRAGMA max_page_count = {c.execute('PRAGMA page_count').fetchone()[0] + 2}"))


def free_the_disk(db: Database) -> None:
    """Room again (through a queued write, which also shows that the writer is still alive)."""
    db.write_sync(lambda c: c.execute("PRAGMA max_page_count = 1073741823"))


def insert_blob(kb: int) -> Callable[[sqlite3.Connection], int]:
    return lambda c: c.execute("INSERT INTO blobs VALUES (zeroblob(?))", (kb * 1024,)).rowcount


def blob_rows(db: Database) -> int:
    return db.read_sync(lambda c: c.execute("SELECT count(*) FROM blobs").fetchone()[0])


def test_writes_queued_together_are_committed_in_one_transaction(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    inside, gate = threading.Event(), threading.Event()
    blocker = db.submit(lambda conn: (inside.set(), gate.wait(WAIT_TIMEOUT_S)))  # holds the writer while others queue
    assert inside.wait(WAIT_TIMEOUT_S)
    futures = [db.submit(lambda conn, i=i: conn.execute("INSERT INTO t VALUES (?)", (i,))) for i in range(50)]
    gate.set()
    blocker.result(WAIT_TIMEOUT_S)
    for future in futures:
        future.result(WAIT_TIMEOUT_S)
    assert db.commits == 2  # the blocker's transaction, then all fifty inserts at once
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM t").fetchone()[0]) == 50
    db.close()


def test_a_failing_write_rolls_back_only_itself(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    gate = threading.Event()
    db.submit(lambda conn: gate.wait(WAIT_TIMEOUT_S))
    good = db.submit(lambda conn: conn.execute("INSERT INTO t VALUES (1)"))

    def half_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES (2)")
        conn.execute("INSERT INTO t VALUES (NULL)")  # NOT NULL: fails after the first insert

    bad = db.submit(half_then_fail)
    gate.set()
    good.result(WAIT_TIMEOUT_S)
    with pytest.raises(sqlite3.IntegrityError):
        bad.result(WAIT_TIMEOUT_S)
    assert db.read_sync(lambda c: [r[0] for r in c.execute("SELECT x FROM t")]) == [1]
    db.close()


def test_coroutines_get_their_results_and_one_that_went_away_spoils_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA])
    inside, gate = threading.Event(), threading.Event()

    async def scenario() -> list[int]:
        db.submit(lambda conn: (inside.set(), gate.wait(WAIT_TIMEOUT_S)))  # holds the writer while the others queue up
        assert inside.wait(WAIT_TIMEOUT_S)
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


def test_a_full_disk_fails_every_write_of_that_commit_cleanly_and_the_writer_lives_on(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [BLOBS])
    db.write_sync(insert_blob(1))
    fill_the_disk(db)
    gate = threading.Event()
    db.submit(lambda conn: gate.wait(WAIT_TIMEOUT_S))  # holds the writer while a small and a large write queue up
    small, large = db.submit(insert_blob(1)), db.submit(insert_blob(256))
    gate.set()
    for write in (small, large):
        with pytest.raises(StorageUnavailable) as raised:
            write.result(WAIT_TIMEOUT_S)
        assert raised.value.reason == "disk full"
    assert blob_rows(db) == 1  # the small write shared the failed commit: nothing of it was stored
    assert db.health.failing and db.health.reason == "disk full" and db.health.failed_commits >= 1

    free_the_disk(db)  # the writer took this write: it did not die of the failure
    assert db.write_sync(insert_blob(256)) == 1
    assert blob_rows(db) == 2
    # Only the writer's own sizeable try says writes work again: a write that fits proves little.
    wait_until(lambda: not db.health.failing, what="the writer's own try to succeed")
    db.close()


def test_with_no_writes_coming_the_writer_finds_out_by_itself_that_space_returned(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [BLOBS])
    fill_the_disk(db)
    with pytest.raises(StorageUnavailable):
        db.write_sync(insert_blob(256))
    assert db.health.failing
    # Its own tries fail while the disk stays full...
    tries = db.health.failed_commits
    wait_until(lambda: db.health.failed_commits > tries, what="the writer to try again by itself")
    assert db.health.failing
    # ...and succeed once there is room, with nobody writing.
    # Room again, made behind the writer's back as an operator deleting files would (a queued write would be traffic).
    db._writer.execute("PRAGMA max_page_count = 1073741823")
    wait_until(lambda: not db.health.failing, what="the writer to notice that writes work again")
    assert db.health.faults_total >= 2
    db.close()


def test_after_commit_callbacks_run_for_committed_writes_only(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3", [SCHEMA, BLOBS])
    seen: list[str] = []

    def write(name: str, fail: bool = False, kb: int = 0) -> Callable[[sqlite3.Connection], None]:
        def fn(conn: sqlite3.Connection) -> None:
            db.after_commit(lambda: seen.append(name))
            if kb:
                conn.execute("INSERT INTO blobs VALUES (zeroblob(?))", (kb * 1024,))
            if fail:
                raise ValueError(name)
        return fn

    gate = threading.Event()
    db.submit(lambda conn: gate.wait(WAIT_TIMEOUT_S))
    kept, refused = db.submit(write("kept")), db.submit(write("refused", fail=True))
    gate.set()
    kept.result(WAIT_TIMEOUT_S)
    with pytest.raises(ValueError):
        refused.result(WAIT_TIMEOUT_S)
    assert seen == ["kept"]  # a write that failed alone does not run its callback; its neighbour's runs

    fill_the_disk(db)
    with pytest.raises(StorageUnavailable):
        db.write_sync(write("on a full disk", kb=256))
    assert seen == ["kept"]  # the commit failed: nothing it registered runs
    db.close()


def _read_from_files() -> int:
    """Bytes this thread has read through read() system calls so far (Linux)."""
    fields = dict(line.split(": ") for line in Path("/proc/thread-self/io").read_text().splitlines())
    return int(fields["rchar"])


@pytest.mark.skipif(not Path("/proc/thread-self/io").exists(), reason="counts a thread's reads through /proc")
def test_the_writer_keeps_a_table_larger_than_sqlites_default_cache_in_memory_between_commits(tmp_path: Path) -> None:
    # Ingest inserts rows of random keys (identity links, subject indexes) all over their tables: with SQLite's
    # default 2 MB cache, each commit read those pages from the file again.
    db = Database(tmp_path / "db.sqlite3", [BLOBS])
    db.write_sync(lambda c: c.executemany("INSERT INTO blobs VALUES (randomblob(1000))", [()] * 8000))  # ~8 MB

    def read_whole_table(c: sqlite3.Connection) -> int:
        before = _read_from_files()
        assert c.execute("SELECT sum(length(data)) FROM blobs").fetchone()[0] == 8_000_000
        return _read_from_files() - before

    db.write_sync(read_whole_table)  # in the cache from now on
    assert db.write_sync(read_whole_table) < 100_000, "read again from the file"
    db.close()
