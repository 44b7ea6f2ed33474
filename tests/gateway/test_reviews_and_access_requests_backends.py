"""Support's reviews of replay sessions and compliance's access requests, as stored, on either engine (each test runs
on SQLite and on PostgreSQL): reviews are appended and the newest is a session's status; an access request keeps its
subjects' hashes and is delivered by its first download."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gateway import access_requests, audit, reviews
from gateway.access import Principal
from gateway.database import Database
from gateway.storage.connection import Connection
from gateway.storage.engine import Engine

ANA = Principal("ana", "support")
BO = Principal("bo", "support")


def test_the_newest_review_is_a_sessions_status_and_the_older_ones_its_history(
    database_location: Path | Engine,
) -> None:
    db = Database(database_location, reviews.MIGRATIONS)
    first = db.write_sync(lambda c: reviews.add(c, "s-1", "reviewed", "checkout button dead", ANA))
    second = db.write_sync(lambda c: reviews.add(c, "s-1", "dismissed", "works after reload", BO))
    other = db.write_sync(lambda c: reviews.add(c, "s-2", "reviewed", "", ANA))
    assert first.id < second.id < other.id  # ids given by the database, returned with the review

    latest = db.read_sync(lambda c: reviews.latest(c, ["s-1", "s-2", "s-3"]))
    assert {session: (r.status, r.reviewer) for session, r in latest.items()} == {
        "s-1": ("dismissed", "bo"), "s-2": ("reviewed", "ana")}  # s-3 has none: open
    assert db.read_sync(lambda c: reviews.history(c, "s-1")) == [second, first]

    assert db.write_sync(lambda c: reviews.delete_for(c, ["s-1"])) == 2
    assert db.read_sync(lambda c: reviews.history(c, "s-1")) == []
    db.close()


def test_a_review_and_its_audit_entry_commit_together(database_location: Path | Engine) -> None:
    db = Database(database_location, [*audit.MIGRATIONS, *reviews.MIGRATIONS])
    log = audit.AuditLog(db, b"audit-key" * 4, b"values-key" * 4)

    def write(conn: Connection) -> None:
        review = reviews.add(conn, "s-1", "reviewed", "note", ANA)
        log.append(conn, ANA.name, ANA.role, "replay.review", "s-1", {"review_id": review.id})
        raise RuntimeError("the write fails after both")

    with pytest.raises(RuntimeError):
        db.write_sync(write)
    assert db.read_sync(lambda c: reviews.history(c, "s-1")) == []
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM audit_log").fetchone()[0]) == 0
    db.close()


def test_an_access_request_keeps_hashes_and_its_first_download_delivers_it(database_location: Path | Engine) -> None:
    db = Database(database_location, access_requests.MIGRATIONS)
    request_id = db.write_sync(lambda c: access_requests.create(c, ["h-email", "h-user"], "cleo", "ticket 4711", 30))
    assert db.read_sync(lambda c: access_requests.subjects(c, request_id)) == {"h-email", "h-user"}

    now = time.time()
    row = db.read_sync(lambda c: access_requests.one(c, request_id))
    assert row is not None
    opened = access_requests.describe(row, now)
    assert (opened["status"], opened["overdue"], opened["days_left"], opened["downloads"]) == ("open", False, 29, 0)
    assert access_requests.describe(row, now + 31 * access_requests.DAY_S)["overdue"]

    db.write_sync(lambda c: access_requests.delivered(c, request_id, "cleo", now + 10))
    db.write_sync(lambda c: access_requests.delivered(c, request_id, "dan", now + 20))  # a second download
    [row] = db.read_sync(lambda c: access_requests.newest(c))
    done = access_requests.describe(row, now + 40 * access_requests.DAY_S)
    assert (done["status"], done["delivered_by"], done["delivered_at"], done["downloads"]) == (
        "delivered", "cleo", now + 10, 2)
    assert not done["overdue"] and not done["delivered_late"]
    assert db.read_sync(lambda c: access_requests.one(c, "acc_unknown")) is None
    db.close()
