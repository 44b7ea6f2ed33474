"""The PostgreSQL harness gives the storage tests a real server, as a user would run it: on loopback, with a password,
fsync on, a database of the test's own; and what it acknowledges as committed survives a crash. Spoken to with
psycopg 3, the client the gateway uses (gateway.storage.postgres)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
import pytest

from tests.support.postgres import PostgresServer

T = TypeVar("T")


def with_connection(url: str, work: Callable[[psycopg.Connection[Any]], T]) -> T:
    with psycopg.connect(url, autocommit=True) as connection:
        return work(connection)


def rows(db: psycopg.Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    return db.execute(sql).fetchall()


def test_a_test_database_takes_writes_and_reads_them_back(postgres_url: str) -> None:
    def work(db: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
        db.execute("CREATE TABLE outbox (id bigserial PRIMARY KEY, body bytea NOT NULL)")
        with db.transaction(), db.cursor() as cursor:
            cursor.executemany("INSERT INTO outbox (body) VALUES (%s)", [(b"first",), (b"second",)])
        return rows(db, "SELECT id, body FROM outbox ORDER BY id")

    assert with_connection(postgres_url, work) == [(1, b"first"), (2, b"second")]


def test_each_test_database_starts_empty_and_is_its_own(postgres: PostgresServer) -> None:
    first, second = postgres.create_database(), postgres.create_database()
    try:
        with_connection(postgres.url(first), lambda db: db.execute("CREATE TABLE only_here (x int)"))
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert with_connection(postgres.url(first), lambda db: rows(db, tables)) == [(1,)]
        assert with_connection(postgres.url(second), lambda db: rows(db, tables)) == [(0,)]
    finally:
        postgres.drop_database(first)
        postgres.drop_database(second)


def test_the_server_is_durable_on_loopback_only_and_asks_for_the_password(postgres: PostgresServer,
                                                                            postgres_url: str) -> None:
    settings = "SELECT current_setting('fsync'), current_setting('listen_addresses'), current_setting('port')::int"
    assert with_connection(postgres_url, lambda db: rows(db, settings)) == [("on", "127.0.0.1", postgres.port)]
    wrong_password = postgres_url.replace(f":{postgres.password}@", ":not-the-password@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        with_connection(wrong_password, lambda db: rows(db, "SELECT 1"))


def test_a_committed_row_survives_a_crash_and_an_uncommitted_one_does_not(postgres: PostgresServer,
                                                                            postgres_url: str) -> None:
    db = psycopg.connect(postgres_url, autocommit=True)
    try:
        db.execute("CREATE TABLE events (message_id text PRIMARY KEY)")
        db.execute("INSERT INTO events VALUES ('committed')")
        db.execute("BEGIN")
        db.execute("INSERT INTO events VALUES ('in flight')")
        # pg_ctl stop -m immediate: every server process quits at once, no checkpoint, as a power cut would leave it.
        try:
            postgres.stop("immediate")
        finally:
            postgres.start()  # replays the WAL; the session's other tests go on with the same server
    finally:
        db.close()

    assert with_connection(postgres_url, lambda db: rows(db, "SELECT message_id FROM events")) == [("committed",)]
