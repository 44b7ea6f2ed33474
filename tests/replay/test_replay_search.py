"""The subject index that finding a person's sessions reads: kept in step with the sessions by the database itself,
whatever writes them, and filled for sessions recorded before it existed (on SQLite and PostgreSQL, but for the
filling, checked on SQLite)."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import orjson
import pytest

from gateway.database import Database
from gateway.schema import DATABASE_FILE, MIGRATIONS
from gateway.storage import postgres as postgres_storage
from gateway.storage.connection import Connection
from gateway.storage.engine import Engine
from replay import search
from replay.compression import Compressor
from replay.search import SessionQuery
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.replay.old_rows import keys_with_created_at, migrations_before, segments_found_by_session
from tests.replay.streams import Recording

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key

ANNA, ANNA_USER, BOB = "a" * 32, "b" * 32, "c" * 32


def chunk(session_id: str, subjects: tuple[str, ...], t: int) -> ChunkIn:
    rec = Recording()
    rec.wait(t)
    return ChunkIn(session_id, "main", subjects, rec.events, summarize(rec.events))


def found(db: Database, *subjects: str) -> list[str]:
    query = SessionQuery(subjects=frozenset(subjects))
    return [s["session_id"] for s in db.read_sync(lambda conn: search.find(conn, query, 50, 0)).sessions]


def test_the_index_follows_the_sessions_subjects_and_forgets_deleted_sessions(
        database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    asyncio.run(store.add("web", [chunk("s-1", (ANNA,), 1000), chunk("s-2", (BOB,), 2000)]))
    assert found(db, ANNA) == ["s-1"] and found(db, ANNA_USER) == []
    # Whatever writes the column (the store binds a session to the ids it was opened with): the index follows.
    asyncio.run(db.write(lambda conn: conn.execute(
        "UPDATE replay_sessions SET subjects = ? WHERE session_id = 's-1'", (f"{ANNA} {ANNA_USER}",))))
    assert found(db, ANNA_USER) == ["s-1"] and found(db, ANNA, BOB) == ["s-2", "s-1"]

    assert index_rows(db) == [(ANNA, "s-1"), (ANNA_USER, "s-1")]

    asyncio.run(db.write(lambda conn: store.delete_sessions(conn, ["s-1"])))
    assert found(db, ANNA, ANNA_USER) == [] and found(db, BOB) == ["s-2"]
    assert index_rows(db) == []  # s-2 is found by its own `subjects`
    db.close()


def index_rows(db: Database) -> list[tuple[str, str]]:
    return db.read_sync(lambda conn: conn.execute(
        "SELECT subject, session_id FROM replay_session_subjects ORDER BY subject, session_id").fetchall())


def test_a_session_of_one_identifier_has_no_index_row_and_follows_its_subjects_in_and_out_of_the_table(
        database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    asyncio.run(store.add("web", [chunk("s-1", (ANNA,), 1000), chunk("s-2", (ANNA, BOB), 2000)]))
    assert index_rows(db) == [(ANNA, "s-2"), (BOB, "s-2")]
    assert found(db, ANNA) == ["s-2", "s-1"] and found(db, BOB) == ["s-2"]

    def bind(session_id: str, subjects: str) -> None:
        asyncio.run(db.write(lambda conn: conn.execute(
            "UPDATE replay_sessions SET subjects = ? WHERE session_id = ?", (subjects, session_id))))

    bind("s-2", BOB)  # down to one identifier: its rows go, its column finds it
    assert index_rows(db) == [] and found(db, ANNA) == ["s-1"] and found(db, BOB) == ["s-2"]
    bind("s-1", f"{ANNA} {ANNA_USER}")  # widened to two: rows for both
    assert index_rows(db) == [(ANNA, "s-1"), (ANNA_USER, "s-1")] and found(db, ANNA_USER) == ["s-1"]
    deleted = asyncio.run(db.write(lambda conn: store.delete_subjects(conn, [ANNA_USER, BOB], 10)))
    assert sorted(deleted) == ["s-1", "s-2"] and found(db, ANNA, BOB) == [] and index_rows(db) == []
    db.close()


def test_sessions_indexed_before_one_identifier_sessions_went_unindexed_are_found_and_deleted_after_upgrade(
        database_location: Path | Engine) -> None:
    before = Database(database_location, migrations_before(MIGRATIONS, "replay-search-3"))
    old = ReplayStore(before, Compressor(3), KeyRing(MASTER_KEY))
    with pytest.MonkeyPatch.context() as patch:
        keys_with_created_at(old, patch)
        segments_found_by_session(patch)
        asyncio.run(old.add("web", [chunk("one", (ANNA,), 1000), chunk("two", (ANNA, BOB), 2000),
                                    chunk("bob", (BOB,), 3000), chunk("anon", (), 4000)]))
    assert len(index_rows(before)) == 4
    asyncio.run(old.close())
    before.close()
    db = Database(database_location, MIGRATIONS)
    try:
        assert index_rows(db) == [(ANNA, "two"), (BOB, "two")]
        assert found(db, ANNA) == ["two", "one"] and found(db, BOB) == ["bob", "two"]
        store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
        deleted = asyncio.run(db.write(lambda conn: store.delete_subjects(conn, [ANNA], 10)))
        assert sorted(deleted) == ["one", "two"] and found(db, ANNA, BOB) == ["bob"] and index_rows(db) == []
        asyncio.run(store.close())
    finally:
        db.close()


def test_a_person_is_searched_through_both_indexes_never_by_reading_every_session(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    Database(path, MIGRATIONS).close()
    clauses, args = SessionQuery(subjects=frozenset({ANNA, BOB})).where()
    with sqlite3.connect(path) as conn:
        plan = [row[-1] for row in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT session_id FROM replay_sessions WHERE {' AND '.join(clauses)}", args)]
    assert "SEARCH replay_sessions USING INDEX replay_sessions_subjects (subjects=?)" in plan, plan
    assert "SEARCH replay_session_subjects USING PRIMARY KEY (subject=?)" in plan, plan
    assert not any(step.startswith("SCAN") for step in plan), plan


def test_a_period_of_sessions_is_searched_through_the_time_order_once_the_first_ts_index_is_gone(
        tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    Database(path, MIGRATIONS).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'replay_sessions_first_ts'").fetchone() \
            == (0,)
        for query in ("SELECT s.first_ts FROM replay_sessions s WHERE s.first_ts >= ? AND s.first_ts < ?",
                      "SELECT s.first_ts FROM replay_sessions s WHERE s.first_ts >= ? AND s.source = ?"):
            plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", (1, 2))]
            assert plan[0].startswith("SEARCH s USING") and "replay_sessions_time_order (first_ts>" in plan[0], plan


def test_sessions_recorded_before_the_index_existed_are_found(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    before = tuple(m for m in MIGRATIONS  # 3, 4 and 5 change 1's
                   if m.name not in ("replay-search-1", "replay-search-3", "replay-search-4", "replay-search-5"))
    db = Database(path, before)
    asyncio.run(ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY)).add("web", [chunk("old", (ANNA, ANNA_USER), 1000)]))
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'replay_session_subjects'").fetchone() \
            == (0,)
    db = Database(path, MIGRATIONS)
    assert found(db, ANNA_USER) == ["old"]
    db.close()


def test_a_signal_flags_a_session_even_when_its_kind_weighs_nothing_in_the_score(
        database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    asyncio.run(store.add("web", [chunk("calm", (ANNA,), 1000), chunk("shaky", (BOB,), 2000),
                                  chunk("angry", (BOB,), 3000)]))

    def analysed(conn: Connection) -> None:
        conn.execute("""UPDATE replay_sessions SET signals = '{"rage_click": 0, "thrashed_cursor": 0}'""")
        conn.execute("""UPDATE replay_sessions SET signals = '{"rage_click": 0, "thrashed_cursor": 2}', score = 0
                        WHERE session_id = 'shaky'""")  # [replay.detect.weights] thrashed_cursor = 0
        conn.execute("""UPDATE replay_sessions SET signals = '{"rage_click": 1, "thrashed_cursor": 0}', score = 3
                        WHERE session_id = 'angry'""")

    asyncio.run(db.write(analysed))
    flagged = db.read_sync(lambda conn: search.find(conn, SessionQuery(flagged=True), 50, 0))
    assert [s["session_id"] for s in flagged.sessions] == ["angry", "shaky"] and flagged.total == 2
    around = db.read_sync(lambda conn: search.neighbours(conn, SessionQuery(), "angry"))
    assert around == {"previous": None, "next": "shaky"}
    db.close()


def test_a_report_rows_sessions_hold_that_kind_on_that_page_and_element(database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    asyncio.run(store.add("web", [chunk(s, (ANNA,), t) for s, t in
                                  (("print", 1000), ("share", 2000), ("share-late", 3000), ("other-page", 4000))]))
    signals = (  # session, kind, page, element: two id-less buttons told apart by text, on two pages
        ("print", "dead_click", "/report", 'button.btn "Print report"'),
        ("share", "dead_click", "/report", 'button.btn "Share report"'),
        ("share-late", "rage_click", "/report", 'button.btn "Share report"'),
        ("share-late", "form_abandonment", "/report", 'button.btn "Share report"'),
        ("other-page", "dead_click", "/home", 'button.btn "Share report"'),
    )

    def analysed(conn: Connection) -> None:
        conn.executemany(
            "INSERT INTO replay_signals (id, session_id, window_id, kind, timestamp, page_url, selector, description,"
            " details) VALUES (?, ?, 'w', ?, 0, ?, ?, '', '{}')",
            [(f"g{i}", *row) for i, row in enumerate(signals)])
        counts: dict[str, dict[str, int]] = {}
        for session_id, kind, _, _ in signals:
            counts.setdefault(session_id, {}).setdefault(kind, 0)
            counts[session_id][kind] += 1
        conn.executemany("UPDATE replay_sessions SET signals = ? WHERE session_id = ?",
                         [(orjson.dumps(n).decode(), session_id) for session_id, n in counts.items()])

    asyncio.run(db.write(analysed))

    def sessions(**query: str) -> list[str]:
        found = db.read_sync(lambda conn: search.find(conn, SessionQuery(**query), 50, 0))
        return [s["session_id"] for s in found.sessions]

    share = 'button.btn "Share report"'
    assert sessions(page="/report", element=share) == ["share-late", "share"]  # any click kind, newest first
    assert sessions(page="/report", element=share, signal="dead_click") == ["share"]
    assert sessions(page="/report", element='button.btn "Print report"') == ["print"]
    assert sessions(page="/report") == ["share-late", "share", "print"]
    assert sessions(page="/report", signal="form_abandonment") == ["share-late"]
    db.close()


def test_postgresql_finds_a_person_through_both_indexes_not_by_reading_the_time_order(postgres_url: str) -> None:
    db = Database(postgres_storage.postgres_engine(postgres_url), MIGRATIONS)

    def recorded(conn: Connection) -> None:
        conn.executemany(
            "INSERT INTO replay_sessions (session_id, source, subjects, first_ts, created_at, updated_at) "
            "VALUES (?, 'web', ?, ?, 0, 0)",
            [(f"s-{i}", f"{i:032x}" if i % 2 else f"{i:032x} {i + 1:032x}", i) for i in range(5000)])
        conn.execute("ANALYZE replay_sessions")
        conn.execute("ANALYZE replay_session_subjects")

    asyncio.run(db.write(recorded))
    try:
        for person in (frozenset({f"{7:032x}"}), frozenset({f"{8:032x}", f"{9:032x}"})):
            clauses, args = SessionQuery(subjects=person).where()
            plan = "\n".join(row[0] for row in db.read_sync(lambda conn, c=clauses, a=args: conn.execute(
                f"EXPLAIN SELECT session_id FROM replay_sessions WHERE {' AND '.join(c)} "
                "ORDER BY first_ts DESC, session_id DESC LIMIT 50", a).fetchall()))
            assert "replay_sessions_subjects" in plan and "replay_session_subjects_pkey" in plan, plan
            assert "Seq Scan on replay_sessions " not in plan and "Filter" not in plan, plan
            assert len(found(db, *person)) >= 1
    finally:
        db.close()


def test_sessions_that_began_in_one_millisecond_are_ordered_by_when_they_were_stored_and_next_steps_through_them(
        database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    for session_id, t in (("early", 1000), ("tie-1", 2000), ("tie-2", 2000), ("tie-3", 2000), ("late", 3000)):
        asyncio.run(store.add("web", [chunk(session_id, (ANNA,), t)]))  # one request each: stored one after another
    asyncio.run(db.write(lambda conn: conn.execute("UPDATE replay_sessions SET signals = '{\"rage_click\": 1}'")))

    def page(conn: Connection, query: SessionQuery, offset: int) -> list[str]:
        return [s["session_id"] for s in search.find(conn, query, 2, offset).sessions]

    for order in ("time", "score"):
        query = SessionQuery(order=order)
        pages = [db.read_sync(lambda conn, q=query, o=offset: page(conn, q, o)) for offset in (0, 2, 4)]
        assert [s for p in pages for s in p] == ["late", "tie-3", "tie-2", "tie-1", "early"]
        around = {s: db.read_sync(lambda conn, q=query, s=s: search.neighbours(conn, q, s)) for s in ("tie-3", "tie-2")}
        assert around == {"tie-3": {"previous": "late", "next": "tie-2"},
                          "tie-2": {"previous": "tie-3", "next": "tie-1"}}
    db.close()


def test_sessions_that_began_in_one_millisecond_and_came_in_one_request_are_each_reached_by_next(
        database_location: Path | Engine) -> None:
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    asyncio.run(store.add("web", [chunk("early", (ANNA,), 1000)]))
    asyncio.run(store.add("web", [chunk(f"tie-{i}", (ANNA,), 2000) for i in (1, 2, 3)]))  # one receipt time
    asyncio.run(store.add("web", [chunk("late", (ANNA,), 3000)]))
    asyncio.run(db.write(lambda conn: conn.execute("UPDATE replay_sessions SET signals = '{\"rage_click\": 1}'")))
    for order in ("time", "score"):
        query = SessionQuery(order=order)
        walked, at = [], "late"
        while at is not None:
            walked.append(at)
            around = db.read_sync(lambda conn, q=query, s=at: search.neighbours(conn, q, s))
            assert around is not None
            at = around["next"]
        assert walked == ["late", "tie-3", "tie-2", "tie-1", "early"]
        page = db.read_sync(lambda conn, q=query: search.find(conn, q, 10, 0)).sessions
        assert [s["session_id"] for s in page] == walked
    db.close()


def test_a_page_in_either_order_and_its_neighbours_read_the_order_indexes_without_sorting(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    Database(path, MIGRATIONS).close()
    with sqlite3.connect(path) as conn:
        for order, index in (("time", "replay_sessions_time_order"), ("score", "replay_sessions_score_order")):
            columns = search.ORDERS[order]
            queries = (f"SELECT session_id FROM replay_sessions ORDER BY {', '.join(f'{c} DESC' for c in columns)}"
                       " LIMIT 50 OFFSET 5000",
                       f"SELECT session_id FROM replay_sessions WHERE ({', '.join(columns)}) > "
                       f"({', '.join('?' * len(columns))}) ORDER BY {', '.join(f'{c} ASC' for c in columns)} LIMIT 1")
            for query in queries:
                plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", (1,) * query.count("?"))]
                assert any(index in step for step in plan) and not any("TEMP B-TREE" in step for step in plan), plan


def test_the_order_indexes_hold_no_session_id_after_the_upgrade_and_keep_the_order(
        database_location: Path | Engine) -> None:
    before = Database(database_location, migrations_before(MIGRATIONS, "replay-search-4"))
    old = ReplayStore(before, Compressor(3), KeyRing(MASTER_KEY))
    with pytest.MonkeyPatch.context() as patch:
        segments_found_by_session(patch)
        for session_id, t in (("one", 1000), ("two", 2000), ("three", 3000)):
            asyncio.run(old.add("web", [chunk(session_id, (ANNA,), t)]))
    asyncio.run(before.write(lambda conn: conn.execute("UPDATE replay_sessions SET signals = '{\"rage_click\": 1}'")))
    asyncio.run(old.close())
    before.close()
    db = Database(database_location, MIGRATIONS)
    try:
        query = SessionQuery(order="time")
        assert [s["session_id"] for s in db.read_sync(lambda conn: search.find(conn, query, 50, 0)).sessions] == [
            "three", "two", "one"]
        assert db.read_sync(lambda conn: search.neighbours(conn, query, "two")) == {"previous": "three", "next": "one"}
        sqlite = isinstance(database_location, Path)
        assert index_columns(db, "replay_sessions_time_order", sqlite) == ["first_ts", "created_at"]
        assert index_columns(db, "replay_sessions_score_order", sqlite) == ["score", "first_ts", "created_at"]
    finally:
        db.close()


def index_columns(db: Database, index: str, sqlite: bool) -> list[str]:
    """An index's columns, as the engine's catalogue tells them."""
    def read(conn: Connection) -> list[str]:
        if sqlite:
            return [row[2] for row in conn.execute(f"PRAGMA index_info({index})").fetchall()]
        row = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = ?", (index,)).fetchone()
        return [column.strip() for column in row[0].split("(", 1)[1].rstrip(")").split(",")]
    return db.read_sync(read)


def test_a_session_bound_to_a_hundred_and_twenty_identifiers_is_stored_found_and_deleted_by_any_of_them(
        database_location: Path | Engine) -> None:
    # Keyed hashes as the gateway makes them (hex that does not compress): 3,960 characters of `subjects`, past what a
    # PostgreSQL btree entry holds.
    many = tuple(sorted(hashlib.blake2b(str(i).encode(), digest_size=16).hexdigest() for i in range(120)))
    db = Database(database_location, MIGRATIONS)
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    try:
        asyncio.run(store.add("web", [chunk("many", many, 1000), chunk("one", (ANNA,), 2000)]))
        assert found(db, many[70]) == ["many"] and found(db, ANNA) == ["one"]
        key_ids = [row[0] for row in db.read_sync(lambda c: c.execute("SELECT key_id FROM replay_keys").fetchall())]
        assert max(map(len, key_ids)) <= 1000  # the binding's key is named by a digest of its id
        assert db.write_sync(lambda conn: store.shred_subjects(conn, [many[70]], 10)) == 1
        assert sorted(asyncio.run(db.write(lambda conn: store.delete_subjects(conn, [many[70]], 10)))) == ["many"]
        assert found(db, *many) == [] and found(db, ANNA) == ["one"]
    finally:
        asyncio.run(store.close())
        db.close()
