"""A deletion request never stalls ingest: it finds the subject's rows through indexes on subject hashes (never by
scanning a table inside the single writer), deletes them in short steps whose counts add up across failures and
restarts, runs on one node at a time (a lease), and its backlog is on /metrics.

In process, over a real SQLite data directory: the gateway's own app, ingest through its HTTP routes, the statements
the writer ran read back with SQLite's tracing and explained with EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway import deletion
from gateway.app import create_app
from gateway.deletion import LeaseLost
from gateway.protocols import DESTINATION_PROTOCOLS
from gateway.schema import DATABASE_FILE
from gateway.state import Gateway
from policies.loader import parse_policy
from tests.support.fake_vendor import Answer, FakeVendor
from tests.support.waiting import wait_until

COMPLIANCE = "compliance-token"
ADMIN_TOKEN = "admin-token"
POLICY = f"""
[[sources]]
name = "web"
write_keys = ["wk"]
consent_model = "opt-out"
destinations = ["segment"]

[[destinations]]
name = "segment"
protocol = "segment"
endpoint = "http://127.0.0.1:9"
credentials = {{ write_key = "vendor-key" }}
retry = {{ initial_backoff_s = 600, max_backoff_s = 600 }}
deletion = {{ endpoint = "http://127.0.0.1:9", token = "t" }}

[[access.tokens]]
name = "dpo"
role = "compliance"
sha256 = "{hashlib.sha256(COMPLIANCE.encode()).hexdigest()}"

[[access.tokens]]
name = "ops"
role = "admin"
sha256 = "{hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()}"
"""
# The tables that hold a subject's data or point at it: none may be read whole while a deletion runs.
SUBJECT_TABLES = {"outbox", "outbox_subjects", "dead_letters", "sink_events", "replay_sessions", "replay_chunks",
                  "replay_session_subjects", "replay_keys", "replay_key_subjects", "replay_reviews", "replay_windows",
                  "replay_signals", "replay_forms", "replay_pages", "replay_heat", "identity_links", "consent_history",
                  "consent_state", "consent_scoped_state", "account_links", "suppressed_subjects"}
RRWEB = [{"type": 4, "data": {"href": "https://shop.example/", "width": 1280, "height": 720},
          "timestamp": 1_700_000_000_000},
         {"type": 3, "data": {"source": 2, "type": 2, "id": 1, "x": 10, "y": 10}, "timestamp": 1_700_000_000_500}]
ADMIN = {"Authorization": f"Bearer {COMPLIANCE}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    policy = parse_policy(POLICY, "deletion.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as test_client:
        yield test_client


def gateway_of(client: TestClient) -> Gateway:
    return client.app.state.gateway  # type: ignore[attr-defined]


def track(client: TestClient, user: str, count: int) -> None:
    answer = client.post("/v1/batch", json={"writeKey": "wk", "batch": [
        {"type": "track", "event": "Viewed", "userId": user, "anonymousId": f"{user}-device-{i}"}
        for i in range(count)]})
    assert answer.status_code == 200, answer.text


def record(client: TestClient, session_id: str, user: str) -> None:
    answer = client.post(f"/v1/replay/{session_id}", json={"events": RRWEB, "userId": user},
                         headers={"Authorization": "Basic " + base64.b64encode(b"wk:").decode()})
    assert answer.status_code == 200, answer.text


def delete(client: TestClient, user: str, destinations: Any = ()) -> str:
    answer = client.post("/admin/v1/privacy/deletions", headers=ADMIN, json={
        "identifiers": {"userId": user}, "reason": "test", "destinations": list(destinations)})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def status(client: TestClient, deletion_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.get(f"/admin/v1/privacy/deletions/{deletion_id}", headers=ADMIN).json()
    return answer


def completed(client: TestClient, deletion_id: str, timeout: float = 30) -> dict[str, Any]:
    found: dict[str, Any] = wait_until(
        lambda: (s := status(client, deletion_id))["status"] == "completed" and s, timeout=timeout,
        what="the deletion to complete")
    return found


def count(client: TestClient, sql: str) -> int:
    value: int = gateway_of(client).db.read_sync(lambda c: c.execute(sql).fetchone()[0])
    return value


def test_a_deletion_finds_the_subjects_rows_through_indexes_never_by_scanning_a_table(client: TestClient) -> None:
    track(client, "subject-1", 3)
    for i in range(20):
        track(client, f"bystander-{i}", 2)
    record(client, "subject-session", "subject-1")
    record(client, "bystander-session", "bystander-0")
    gateway = gateway_of(client)
    statements: list[str] = []
    # What the single writer runs, with the values in: every statement of the deletion's transactions.
    gateway.db._writer.set_trace_callback(statements.append)
    try:
        done = completed(client, delete(client, "subject-1"))
    finally:
        gateway.db._writer.set_trace_callback(None)

    assert done["stores"]["outbox"]["deleted"] == 3 and done["stores"]["replay"]["deleted"] == 1
    assert gateway.outbox.depth() == {"segment": 40}  # the bystanders' events wait on
    assert count(client, "SELECT count(*) FROM outbox_subjects") == 80  # two ids each, all still indexed
    assert count(client, "SELECT count(*) FROM replay_sessions") == 1
    # The subject's data key destroyed, found through the key index; the bystander's kept.
    assert done["stores"]["replay"]["keys_destroyed"] == 1
    assert count(client, "SELECT count(*) FROM replay_keys") == 1
    explain = sqlite3.connect(gateway.db.path)
    scans = set()
    for statement in statements:
        if not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE)", statement, re.IGNORECASE):
            continue
        for *_, detail in explain.execute(f"EXPLAIN QUERY PLAN {statement}"):
            scanned = re.match(r"SCAN (\w+)", detail)
            if scanned and scanned[1] in SUBJECT_TABLES:
                scans.add(f"{detail}: {statement[:120]}")
    explain.close()
    # The trace did see the deletion's statements, the key clean-up's too.
    assert any("outbox_subjects" in s for s in statements)
    assert any("replay_key_subjects" in s for s in statements)
    assert any("FROM replay_chunks WHERE key_id" in s for s in statements)
    assert not scans


def test_a_deletion_goes_in_short_steps_whose_counts_add_up_even_when_one_fails(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deletion, "STEP_ROWS", 2)
    monkeypatch.setattr(deletion, "STEP_SESSIONS", 1)
    track(client, "subject-2", 5)
    track(client, "bystander", 4)
    for i in range(3):
        record(client, f"subject-session-{i}", "subject-2")
    gateway = gateway_of(client)
    outbox_steps: list[int] = []
    take = gateway.outbox.take_subjects

    def failing_once(conn: sqlite3.Connection, subjects: Any, limit: int) -> tuple[int, int]:
        outbox_steps.append(limit)
        if len(outbox_steps) == 2:  # the second step fails (a bug, a fault): it changes nothing
            raise RuntimeError("step failed")
        return take(conn, subjects, limit)

    monkeypatch.setattr(gateway.outbox, "take_subjects", failing_once)
    deletion_id = delete(client, "subject-2")
    wait_until(lambda: len(outbox_steps) >= 2, what="the failed step")
    client.portal.call(gateway.deletions.wakeup.set)  # the worker retries without waiting for its pause
    done = completed(client, deletion_id)

    assert done["stores"]["outbox"] == {"status": "done", "deleted": 5, "at": done["stores"]["outbox"]["at"]}
    assert done["stores"]["replay"]["deleted"] == 3
    assert outbox_steps == [2] * len(outbox_steps) and len(outbox_steps) >= 5  # 2 rows a step: 3 steps, 1 failed, 1
    assert gateway.outbox.depth() == {"segment": 4}
    assert count(client, "SELECT count(*) FROM outbox_subjects") == 8


def test_a_request_is_carried_by_one_node_at_a_time(client: TestClient) -> None:
    db, here = gateway_of(client).db, gateway_of(client).deletions
    there = copy.copy(here)
    there.node = "node-b"
    assert db.write_sync(lambda c: there.lease(c, "del_example"))
    assert not db.write_sync(lambda c: here.lease(c, "del_example"))  # node b holds it
    assert db.write_sync(lambda c: there.lease(c, "del_example"))  # and renews it
    db.write_sync(lambda c: c.execute("UPDATE deletion_leases SET expires_at = 0"))  # node b stopped renewing
    assert db.write_sync(lambda c: here.lease(c, "del_example"))  # so this node takes the request over
    with pytest.raises(LeaseLost):
        db.write_sync(lambda c: there._hold(c, "del_example"))  # and a late step of node b's changes nothing


def test_the_deletion_backlog_is_on_metrics(client: TestClient) -> None:
    def backlog() -> tuple[float, float]:
        text = client.get("/metrics").text
        values = dict(re.findall(r"^(gateway_deletion_backlog\w*) (\S+)$", text, re.MULTILINE))
        return float(values["gateway_deletion_backlog"]), float(values["gateway_deletion_backlog_age_seconds"])

    assert backlog() == (0.0, 0.0)
    completed(client, delete(client, "subject-3"))  # no vendor call: done once the local stores are
    assert backlog() == (0.0, 0.0)
    waiting = delete(client, "subject-4", ["segment"])  # Segment's deletion API is unreachable: it waits
    wait_until(lambda: status(client, waiting)["destinations"]["segment"]["attempts"] >= 1,
               what="a failed vendor call")
    requests, age = backlog()
    assert requests == 1 and age > 0
    assert status(client, waiting)["status"] == "running"
    gateway_of(client).db.write_sync(lambda c: c.execute("UPDATE deletion_requests SET created_at = created_at - 60"))
    assert backlog()[1] >= 60


def test_delivered_events_leave_the_outbox_index_with_their_rows(tmp_path: Path) -> None:
    policy = parse_policy(POLICY.replace('protocol = "segment"', 'protocol = "sink"'), "sink.toml",
                          DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as client:
        track(client, "delivered", 3)
        wait_until(lambda: gateway_of(client).outbox.depth() == {"segment": 0}, what="the sink to take them")
        assert count(client, "SELECT count(*) FROM sink_events") == 3
        assert count(client, "SELECT count(*) FROM outbox_subjects") == 0


def test_the_outbox_index_starts_from_rows_queued_before_it(tmp_path: Path) -> None:
    policy = parse_policy(POLICY, "deletion.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as client:
        track(client, "early", 2)
    # A database from before the index: the rows are there, the index is not.
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    with conn:
        conn.execute("DROP TABLE outbox_subjects")
        conn.execute("DELETE FROM migrations WHERE name = 'outbox-6'")
    conn.close()
    with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as client:
        assert count(client, "SELECT count(*) FROM outbox_subjects") == 4  # filled by the migration
        done = completed(client, delete(client, "early"))
        assert done["stores"]["outbox"]["deleted"] == 2
        assert count(client, "SELECT count(*) FROM outbox_subjects") == 0


def test_dead_letters_are_deleted_and_redriven_ones_are_found_through_the_index(tmp_path: Path) -> None:
    vendor = FakeVendor().start()
    vendor.rule = lambda request: Answer(400, b'{"error":"refused"}')  # every event refused for good
    policy = parse_policy(POLICY.replace("http://127.0.0.1:9", vendor.url), "deletion.toml", DESTINATION_PROTOCOLS,
                          {})
    try:
        with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as client:
            track(client, "subject-a", 2)
            track(client, "subject-b", 1)
            track(client, "bystander", 1)
            wait_until(lambda: count(client, "SELECT count(*) FROM dead_letters") == 4, what="the dead letters")
            done = completed(client, delete(client, "subject-b"))
            assert done["stores"]["dead_letters"]["deleted"] == 1
            vendor.rule = lambda request: Answer(503, b"{}")  # down: what is redriven waits in the outbox
            redriven = client.post("/admin/v1/dead-letters/redrive", json={"all": True},
                                   headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert redriven.json()["redriven"] == 3
            assert count(client, "SELECT count(*) FROM outbox_subjects") == 6  # back in the outbox, indexed
            done = completed(client, delete(client, "subject-a"))
            assert done["stores"]["outbox"]["deleted"] == 2
            assert gateway_of(client).outbox.depth() == {"segment": 1}
            assert count(client, "SELECT count(*) FROM outbox_subjects") == 2
    finally:
        vendor.stop()


def test_a_vendor_calls_outcome_is_recorded_only_by_the_node_holding_the_lease(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The lease moves to another node while this one's vendor call is in flight (this node stalled past its lease):
    the answer changes nothing here (the call stays pending, its identifiers kept for the node that carries the
    request on); once that node's lease lapses in turn, this one takes the request back and completes it."""
    vendor = FakeVendor().start()
    policy = parse_policy(POLICY.replace("http://127.0.0.1:9", vendor.url), "deletion.toml", DESTINATION_PROTOCOLS,
                          {})
    try:
        with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as client:
            db = gateway_of(client).db

            def taken_over_meanwhile(request: Any) -> Answer | None:
                if len(vendor.requests) == 0:  # the first call: another node takes the request over meanwhile
                    db.write_sync(lambda c: c.execute(
                        "UPDATE deletion_leases SET holder = 'node-b', expires_at = expires_at + 600"))
                return Answer(200, b"{}")  # accepted; no job to poll

            vendor.rule = taken_over_meanwhile
            deletion_id = delete(client, "subject-5", ["segment"])
            vendor.wait_for_requests(1)
            wait_until(lambda: count(client, "SELECT count(*) FROM deletion_leases WHERE holder = 'node-b'") == 1,
                       what="the lease taken over")
            # This node's worker got the answer and, holding no lease, recorded nothing of it.
            wait_until(lambda: "another node took it over" in caplog.text, what="the worker to find the lease gone")
            calls = db.read_sync(lambda c: c.execute(
                "SELECT state, attempts, identifiers != '[]' FROM deletion_calls").fetchall())
            assert calls == [("pending", 0, 1)]
            assert len(vendor.requests) == 1

            db.write_sync(lambda c: c.execute("UPDATE deletion_leases SET expires_at = 0"))  # node b died
            client.portal.call(gateway_of(client).deletions.wakeup.set)
            done = completed(client, deletion_id)
            assert done["destinations"]["segment"]["status"] == "completed"
            assert done["destinations"]["segment"]["attempts"] == 1  # the outcome recorded once, by the holder
            assert len(vendor.requests) == 2
    finally:
        vendor.stop()


def test_a_deletion_completes_only_once_no_reader_keeps_the_destroyed_key_in_the_database_files(
        client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A read under way keeps the pages it began with: until it ends, the database file holds their old contents,
    the person's wrapped replay key among them, and the log cannot be emptied. The receipt waits for that."""
    monkeypatch.setattr(deletion, "ERASED_WITHIN_S", 0.2)
    monkeypatch.setattr(deletion, "ERASED_RETRY_S", 0.1)
    caplog.set_level(logging.WARNING, logger="gateway.deletion")
    record(client, "subject-session", "subject-1")
    ((wrapped,),) = gateway_of(client).db.read_sync(lambda c: c.execute("SELECT wrapped FROM replay_keys").fetchall())
    files = [tmp_path / DATABASE_FILE, tmp_path / f"{DATABASE_FILE}-wal"]
    reader = sqlite3.connect(tmp_path / DATABASE_FILE, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM replay_keys").fetchone() == (1,)  # its snapshot holds the key
        deletion_id = delete(client, "subject-1")
        wait_until(lambda: status(client, deletion_id)["stores"].get("replay", {}).get("status") == "done",
                   what="the replay store's step done")
        wait_until(lambda: count(client, "SELECT count(*) FROM replay_keys") == 0, what="the key destroyed")
        # Tries to empty the log fail while the reader is there, and the request is not completed.
        wait_until(lambda: sum("finishing later" in r.getMessage() for r in caplog.records) >= 2,
                   what="two tries to finish held back")
        assert status(client, deletion_id)["status"] != "completed"
    finally:
        reader.close()
    completed(client, deletion_id)
    assert not any(wrapped in path.read_bytes() for path in files if path.exists())
