"""The audit log's hash chain: every change to a past entry is found, and purging old entries keeps it verifiable.
Each test runs on SQLite and on PostgreSQL, where several nodes append to one chain at once."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from pathlib import Path

import pytest

from gateway import audit
from gateway.audit import AuditLog
from gateway.database import Database
from gateway.storage.engine import Engine


@pytest.fixture
def log(database_location: Path | Engine):
    db = Database(database_location, audit.MIGRATIONS)
    yield AuditLog(db, b"audit-key" * 4, b"values-key" * 4)
    db.close()


def fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.db.write_sync(lambda c, i=i: log.append(c, "ann", "support", "replay.read_events", f"s-{i}", {"i": i}))


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE id = 3",
        "UPDATE audit_log SET details = '{\"i\":99}' WHERE id = 3",
        "DELETE FROM audit_log WHERE id = 3",
        "UPDATE audit_log SET at = at - 3600 WHERE id = 3",
    ],
    ids=["actor", "details", "deleted row", "time"],
)
def test_a_tampered_row_is_detected(log: AuditLog, tamper: str) -> None:
    fill(log, 5)
    assert log.db.read_sync(log.verify).ok
    log.db.write_sync(lambda c: c.execute(tamper))
    result = log.db.read_sync(log.verify)
    assert not result.ok
    assert result.first_bad_id in (3, 4)  # the changed row, or the one after a deleted row


def test_a_log_longer_than_a_page_is_verified_page_by_page_and_a_change_on_a_later_page_is_found(
    log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "VERIFY_PAGE_ROWS", 4)  # years of entries are read a page at a time, never all at once
    fill(log, 10)
    result = log.db.read_sync(log.verify)
    assert result.ok and result.rows == 10 and result.last_id == 10
    log.db.write_sync(lambda c: c.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 9"))
    assert log.db.read_sync(log.verify).first_bad_id == 9


def test_a_forged_hash_without_the_key_is_detected(log: AuditLog) -> None:
    fill(log, 3)
    forger = AuditLog(log.db, b"not-the-key" * 3, b"values-key" * 4)
    log.db.write_sync(lambda c: c.execute("DELETE FROM audit_log WHERE id = 3"))
    log.db.write_sync(lambda c: forger.append(c, "mallory", "admin", "replay.read_events", "s-2"))
    assert log.db.read_sync(log.verify).first_bad_id == 3


def test_purging_old_entries_keeps_the_rest_verifiable(log: AuditLog) -> None:
    fill(log, 6)
    cutoff = log.db.read_sync(lambda c: c.execute("SELECT at FROM audit_log WHERE id = 4").fetchone()[0])
    assert log.db.write_sync(lambda c: audit.purge_before(c, cutoff, 100)) == 3
    result = log.db.read_sync(log.verify)
    assert result.ok and result.rows == 3
    fill(log, 1)  # the chain goes on from the anchor
    assert log.db.read_sync(log.verify).ok


def test_nodes_appending_at_once_extend_one_chain_without_forking_it(log: AuditLog,
                                                                    database_location: Path | Engine) -> None:
    # Two gateways on one database (two writers, each committing several appends per transaction), four threads
    # each: every append lands, ids run without a gap, and each row chains to the one before it.
    other_db = Database(database_location, audit.MIGRATIONS)
    other = AuditLog(other_db, b"audit-key" * 4, b"values-key" * 4)

    def append_many(node: AuditLog, thread: int) -> None:
        for i in range(40):
            node.db.write_sync(lambda c, i=i: node.append(c, "ann", "support", "replay.read_events", f"s-{thread}-{i}"))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        appending = [pool.submit(append_many, node, n) for n, node in enumerate([log, other] * 4)]
        for future in appending:
            future.result()  # raises what an append raised
    other_db.close()
    result = log.db.read_sync(log.verify)
    assert result.ok and result.rows == 320 and result.last_id == 320


def test_a_purge_on_one_node_and_appends_on_another_keep_the_chain_verifiable(
    log: AuditLog, database_location: Path | Engine
) -> None:
    fill(log, 50)
    other_db = Database(database_location, audit.MIGRATIONS)
    cutoff = log.db.read_sync(lambda c: c.execute("SELECT MAX(at) FROM audit_log").fetchone()[0]) + 1
    purging = threading.Thread(target=lambda: [other_db.write_sync(lambda c: audit.purge_before(c, cutoff, 5))
                                               for _ in range(10)])
    purging.start()
    fill(log, 30)
    purging.join()
    other_db.close()
    result = log.db.read_sync(log.verify)
    assert result.ok and result.rows == 30 and result.last_id == 80


EMAIL = "jane.doe@example.com"


def test_values_that_may_name_a_person_are_kept_as_keyed_hashes_and_found_by_the_same_value(log: AuditLog) -> None:
    log.db.write_sync(lambda c: log.append(c, "ann", "support", "replay.list_sessions", "*",
                                           {"filters": {"url": f"https://shop.example/?u={EMAIL}", "limit": "50"}}))
    log.db.write_sync(lambda c: log.append(c, "ann", "compliance", "receipt.verify", EMAIL))
    log.db.write_sync(lambda c: log.append(c, "ann", "support", "replay.read_events", "s-1_a.b:c"))
    raw = log.db.read_sync(lambda c: c.execute("SELECT target, details FROM audit_log ORDER BY id").fetchall())
    assert not any(EMAIL in target or EMAIL in details for target, details in raw)
    assert raw[1][0].startswith("hmac:") and raw[2][0] == "s-1_a.b:c"  # an id's shape is kept as it is
    assert '"limit":"50"' in raw[0][1]  # the query's shape stays readable
    assert log.db.read_sync(log.verify).ok

    async def search(value: str) -> list[str]:
        return [e["action"] for e in await log.query(target=value)]

    assert asyncio.run(search(EMAIL)) == ["receipt.verify"]
    assert asyncio.run(search(f"https://shop.example/?u={EMAIL}")) == ["replay.list_sessions"]
    assert asyncio.run(search("s-1_a.b:c")) == ["replay.read_events"]
    assert asyncio.run(search("someone.else@example.com")) == []


def test_a_phone_number_as_target_is_hashed(log: AuditLog) -> None:
    log.db.write_sync(lambda c: log.append(c, "ann", "compliance", "receipt.verify", "4915112345678"))
    [target] = log.db.read_sync(lambda c: c.execute("SELECT target FROM audit_log").fetchone())
    assert target.startswith("hmac:")


def test_an_id_with_a_run_of_digits_inside_is_kept_as_it_is(log: AuditLog) -> None:
    # The gateway's own ids are hex: one in a few dozen holds seven digits in a row, and must stay readable (and
    # findable as written) like every other.
    for target in ("del_3f9a1234567b0c2d4e6f8a9b", "4915112345678", "+49-151-1234567"):
        log.db.write_sync(lambda c, t=target: log.append(c, "ann", "compliance", "deletion.read", t))
    targets = [row[0] for row in log.db.read_sync(lambda c: c.execute("SELECT target FROM audit_log ORDER BY id"
                                                                       ).fetchall())]
    assert targets[0] == "del_3f9a1234567b0c2d4e6f8a9b"
    assert targets[1].startswith("hmac:") and targets[2].startswith("hmac:")
