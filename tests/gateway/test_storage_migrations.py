"""Versioned migrations on both engines, and the one SQL translation the PostgreSQL connection makes (placeholders)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from gateway.database import Database, Migration
from gateway.schema import MIGRATIONS, NotOnPostgres, check_backend, not_on_postgres
from gateway.storage.engine import Engine
from gateway.storage.migrations import migrate, unported
from gateway.storage.placeholders import to_format

STEPS = (
    Migration("notes-1", ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",),
              postgres=("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",)),
    Migration("notes-2", ("ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT ''",),
              postgres=("ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT ''",)),
)


def test_each_step_is_applied_once_in_order_and_a_new_step_joins_later(database_location: Path | Engine) -> None:
    db = Database(database_location, STEPS[:1])
    assert db.migrated == ["notes-1"]
    db.close()
    db = Database(database_location, STEPS)
    assert db.migrated == ["notes-2"]
    db.write_sync(lambda c: c.execute("INSERT INTO notes (id, text, tag) VALUES (?, ?, ?)", (1, "50% of ?", "t")))
    assert db.read_sync(lambda c: c.execute("SELECT text, tag FROM notes WHERE text LIKE '50%'").fetchall()) == [
        ("50% of ?", "t")]
    db.close()
    assert Database(database_location, STEPS).migrated == []


def test_a_failing_step_leaves_nothing_of_itself_and_is_tried_again_next_time(database_location: Path | Engine
                                                                              ) -> None:
    broken = Migration("notes-3", ("CREATE TABLE half (id INTEGER)", "THIS IS NOT SQL"),
                       postgres=("CREATE TABLE half (id INTEGER)", "THIS IS NOT SQL"))
    with pytest.raises(Exception, match="syntax error"):
        Database(database_location, (*STEPS, broken))
    fixed = Migration("notes-3", ("CREATE TABLE half (id INTEGER)",), postgres=("CREATE TABLE half (id INTEGER)",))
    db = Database(database_location, (*STEPS, fixed))
    assert db.migrated == ["notes-3"]  # the earlier steps had committed; the broken one left no table behind
    db.close()


def test_nodes_starting_together_on_postgresql_apply_each_step_once(postgres_url: str) -> None:
    from gateway.storage.postgres import postgres_engine

    engine = postgres_engine(postgres_url)
    applied: list[list[str]] = []
    errors: list[BaseException] = []

    def node() -> None:
        conn = engine.open()
        try:
            applied.append(migrate(engine, conn, STEPS))
        except BaseException as error:  # noqa: BLE001 - the assertion below reports it
            errors.append(error)
        finally:
            conn.close()

    nodes = [threading.Thread(target=node) for _ in range(4)]
    for thread in nodes:
        thread.start()
    for thread in nodes:
        thread.join()
    assert errors == []
    assert sorted(name for names in applied for name in names) == ["notes-1", "notes-2"]


def test_a_step_without_postgresql_statements_is_named_as_not_moved_and_skipped_there(postgres_url: str) -> None:
    from gateway.storage.postgres import postgres_engine

    sqlite_only = Migration("legacy-1", ("CREATE TABLE legacy (x BLOB) WITHOUT ROWID",))
    assert unported((*STEPS, sqlite_only)) == ["legacy-1"]
    db = Database(postgres_engine(postgres_url), (*STEPS, sqlite_only))
    assert db.migrated == ["notes-1", "notes-2"]
    db.close()


def test_placeholders_become_psycopgs_and_quoted_text_keeps_its_question_marks() -> None:
    assert to_format("SELECT a FROM t WHERE b = ? AND c LIKE '%?%' AND d = ?") == \
        "SELECT a FROM t WHERE b = %s AND c LIKE '%%?%%' AND d = %s"
    assert to_format('SELECT "odd?name", x % 2 FROM t -- why?\nWHERE y = ?') == \
        'SELECT "odd?name", x %% 2 FROM t -- why?\nWHERE y = %s'
    assert to_format("SELECT 'it''s ?' , ?") == "SELECT 'it''s ?' , %s"


def test_serving_from_postgresql_is_refused_while_a_part_keeps_its_state_in_sqlite_only() -> None:
    """Every part has moved today; a part added later with SQLite statements only would leave half the state in a
    node's own file, so serve refuses PostgreSQL, naming it (gateway.cli prints this and exits)."""
    assert not_on_postgres() == []
    check_backend("postgresql://gateway:s3cret@db/gateway")  # nothing left behind: served there
    future = (*MIGRATIONS, Migration("badges-1", ("CREATE TABLE badges (id INTEGER PRIMARY KEY)",)))
    with pytest.raises(NotOnPostgres) as refused:
        check_backend("postgresql://gateway:s3cret@db/gateway", future)
    assert "keep their state in SQLite only: badges." in str(refused.value)
    assert "s3cret" not in str(refused.value) and "outbox" not in str(refused.value)
    check_backend("", future)  # the SQLite file holds every part
