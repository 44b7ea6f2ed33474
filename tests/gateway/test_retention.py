"""Retention purges exactly what has expired, per category, by a clock the test controls; each test runs on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from gateway import consent_ledger, outbox, retention
from gateway.database import Database
from gateway.retention import purge
from gateway.schema import MIGRATIONS
from gateway.storage.connection import Connection
from gateway.storage.engine import Engine
from policies.retention import DAY_S, Retention
from replay.compression import Compressor
from replay.shredding import KeyRing
from replay.store import ReplayStore

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key

NOW = 1_800_000_000.0  # the test's "now", far from the machine's clock


@pytest.fixture
def db(database_location: Path | Engine):
    database = Database(database_location, MIGRATIONS)
    yield database
    database.close()


def seed(db: Database, age_days: float, tag: str) -> None:
    at = NOW - age_days * DAY_S

    def write(conn) -> None:
        conn.execute("INSERT INTO delivery_log VALUES ('d', 's', ?, ?)", (f"{tag}-delivered", at))
        conn.execute("""INSERT INTO dead_letters (destination, source, message_id, enqueued_at, failed_at, attempts,
                        status, reason, body, subjects) VALUES ('d', 's', ?, ?, ?, 1, 400, 'r', ?, '')""",
                     (f"{tag}-dead", at, at, b"{}"))
        conn.execute("""INSERT INTO sink_events (destination, source, message_id, delivered_at, body, subjects)
                        VALUES ('sink', 's', ?, ?, ?, '')""", (f"{tag}-sink", at, b"{}"))
        conn.execute("""INSERT INTO consent_history (subject, granted, denied, occurred_at, received_at, source, via)
                        VALUES (?, '[]', '[]', ?, ?, 's', 'api')""", (f"{tag}-subject", at, at))
        conn.execute("""INSERT INTO replay_sessions (session_id, source, created_at, updated_at, first_ts, last_ts)
                        VALUES (?, 's', ?, ?, 1, 2)""", (f"{tag}-session", at, at))
        conn.execute("""INSERT INTO deletion_requests (id, created_at, requested_by, reason, destinations, status,
                        completed_at) VALUES (?, ?, 'dpo', '', '[]', 'completed', ?)""", (f"{tag}-deletion", at, at))
        conn.execute("""INSERT INTO plan_violations (at, day, source, type, event, message_id, rule, path, expected,
                        observed, action) VALUES (?, '', 's', 'track', 'E', ?, 'naming', 'event', 'x', 'string',
                        'flag')""", (at, f"{tag}-violation"))

    db.write_sync(write)


def remaining(db: Database) -> dict[str, list[str]]:
    queries = {
        "delivery_log": "SELECT message_id FROM delivery_log",
        "dead_letter": "SELECT message_id FROM dead_letters",
        "sink": "SELECT message_id FROM sink_events",
        "consent_history": "SELECT subject FROM consent_history",
        "replay": "SELECT session_id FROM replay_sessions",
        "receipt": "SELECT id FROM deletion_requests",
        "plan_violation": "SELECT message_id FROM plan_violations",
    }
    return {k: sorted(r[0] for r in db.read_sync(lambda c, q=q: c.execute(q).fetchall())) for k, q in queries.items()}


def test_each_category_keeps_what_is_younger_than_its_limit(db: Database) -> None:
    for age in (1, 10, 40, 400, 4000):
        seed(db, age, f"{age}d")
    retention = Retention(replay_days=30, delivery_log_days=5, dead_letter_days=30, sink_days=7,
                          consent_history_days=1095, receipt_days=365, plan_violation_days=90)
    purged = asyncio.run(purge(db, retention, ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY)), now=NOW))
    left = remaining(db)
    assert left["delivery_log"] == ["1d-delivered"]
    assert left["dead_letter"] == ["10d-dead", "1d-dead"]
    assert left["sink"] == ["1d-sink"]
    assert left["consent_history"] == ["10d-subject", "1d-subject", "400d-subject", "40d-subject"]
    assert left["replay"] == ["10d-session", "1d-session"]
    assert left["receipt"] == ["10d-deletion", "1d-deletion", "40d-deletion"]
    assert left["plan_violation"] == ["10d-violation", "1d-violation", "40d-violation"]
    assert purged == {"replay": 3, "delivery_log": 4, "dead_letter": 3, "sink": 4, "consent_history": 1,
                      "audit_log": 0, "receipt": 2, "plan_violation": 2}


def test_purging_twice_changes_nothing_more(db: Database) -> None:
    seed(db, 100, "old")
    retention = Retention()
    store = ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))
    asyncio.run(purge(db, retention, store, now=NOW))
    before = remaining(db)
    again = asyncio.run(purge(db, retention, store, now=NOW))
    assert remaining(db) == before and not any(again.values())


def test_the_real_clock_is_the_default(db: Database) -> None:
    seed(db, (NOW - time.time()) / DAY_S + 0.5, "recent")  # half a day old by the machine's clock
    asyncio.run(purge(db, Retention(delivery_log_days=1), ReplayStore(db, Compressor(3), KeyRing(MASTER_KEY))))
    assert remaining(db)["delivery_log"] == ["recent-delivered"]


@pytest.mark.parametrize("category", ["delivery_log", "consent_history"])
def test_rows_are_purged_in_bounded_batches_on_either_engine(database_location: Path | Engine, category: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # A table with a key column (consent_history) and one without (delivery_log), on SQLite and on PostgreSQL:
    # each batch takes at most BATCH of the expired rows, and the young ones stay.
    monkeypatch.setattr(retention, "BATCH", 3)
    db = Database(database_location, [*outbox.MIGRATIONS, *consent_ledger.MIGRATIONS])
    cutoff = NOW - 30 * DAY_S
    ages = [31 + n for n in range(7)] + [1, 2]

    def write(conn: Connection) -> None:
        for n, age in enumerate(ages):
            at = NOW - age * DAY_S
            if category == "delivery_log":
                conn.execute("INSERT INTO delivery_log VALUES ('d', 's', ?, ?)", (f"m-{n}", at))
            else:
                conn.execute("""INSERT INTO consent_history (subject, granted, denied, occurred_at, received_at,
                                source, via) VALUES (?, '[]', '[]', ?, ?, 's', 'api')""", (f"m-{n}", at, at))

    db.write_sync(write)
    batch = retention._batch(category, cutoff, None)
    assert [db.write_sync(batch) for _ in range(4)] == [3, 3, 1, 0]
    table, column = ("delivery_log", "message_id") if category == "delivery_log" else ("consent_history", "subject")
    assert sorted(db.read_sync(lambda c: [r[0] for r in c.execute(f"SELECT {column} FROM {table}")])) == ["m-7", "m-8"]
    db.close()
