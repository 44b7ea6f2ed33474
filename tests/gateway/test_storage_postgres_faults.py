"""When the PostgreSQL server goes away, writes fail as the SQLite writer's do on a full disk: `StorageUnavailable`,
nothing stored, health failing; once the server is back, the writer reconnects by itself and health turns good."""

from __future__ import annotations

import pytest

from gateway.database import Database, StorageUnavailable
from gateway.outbox import MIGRATIONS
from gateway.storage.postgres import postgres_engine
from tests.support.postgres import PostgresServer
from tests.support.waiting import wait_until


def count(db: Database) -> int:
    return int(db.read_sync(lambda c: c.execute("SELECT count(*) FROM delivery_log").fetchone()[0]))


def log_row(message_id: str) -> object:
    return lambda c: c.execute("INSERT INTO delivery_log (destination, source, message_id, delivered_at) "
                               "VALUES ('segment', 'web', ?, 0)", (message_id,))


def test_a_server_restart_fails_the_writes_meanwhile_and_the_writer_recovers_alone(
    postgres: PostgresServer, postgres_url: str
) -> None:
    db = Database(postgres_engine(postgres_url), MIGRATIONS)
    try:
        db.write_sync(log_row("before"))
        postgres.stop("fast")
        try:
            with pytest.raises(StorageUnavailable):
                db.write_sync(log_row("during"))
            assert db.health.failing and db.health.reason
        finally:
            postgres.start()
        wait_until(lambda: not db.health.failing, 30, what="the writer to find the server back")
        db.write_sync(log_row("after"))
        assert count(db) == 2  # "during" was refused, and nothing of it stored
    finally:
        db.close()
