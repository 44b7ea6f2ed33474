"""Deletion requests end to end: seed a subject through the real ingest paths, delete them, and prove nothing is left:
not in any table, not in any decompressed replay chunk, not in the WAL, not in the database file's bytes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import zstandard
from segment.analytics import Client

from replay.shredding import KeyRing, open_chunk
from tests.e2e.test_replay_native import SESSIONS, post_events
from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.gateway_process import (
    ADMIN_TOKEN,
    FAST_RETRY,
    ROOT,
    SERVER_KEY,
    VENDOR_CREDENTIALS,
    VENDOR_ENV,
    WRITE_KEY,
    GatewayProcess,
    segment_policy,
    sha256,
)
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

USER, ANON, OLD_ANON = "subject-user-4711", "subject-anon-4711", "subject-oldanon-4711"
EMAIL, NAME, PHONE = "jane.subject@example.org", "Jane Subjectova", "+44 20 7946 0958"
SECRETS = (USER, ANON, OLD_ANON, EMAIL, NAME, PHONE)
COMPLIANCE = "compliance-token"
SUPPORT = "support-token"


class SegmentDeletionApi:
    """The fake Segment's Public API: the first regulation request fails with 503, then one is created and reported
    RUNNING once before FINISHED."""

    def __init__(self) -> None:
        self.polls = 0
        self.posts = 0

    def __call__(self, request: Recorded) -> Answer | None:
        if request.path == "/regulations" and request.method == "POST":
            self.posts += 1
            if self.posts == 1:
                return Answer(503, b'{"errors":[{"message":"try later"}]}')
            return Answer(200, b'{"data":{"regulateId":"reg-42"}}')
        if request.path == "/regulations/reg-42":
            self.polls += 1
            state = "RUNNING" if self.polls == 1 else "FINISHED"
            return Answer(200, orjson.dumps({"data": {"regulation": {"overallStatus": state}}}))
        if request.path == "/v1/batch":
            return Answer(503, b"{}")  # the vendor is down for events: they stay queued in the outbox
        return None


def mixpanel_rule(request: Recorded) -> Answer | None:
    if request.path.startswith("/api/app/data-deletions/v3.0/task-9"):
        return Answer(200, b'{"status":"ok","results":{"status":"SUCCESS"}}')
    if request.path.startswith("/api/app/data-deletions/v3.0"):
        return Answer(200, b'{"status":"ok","results":{"task_id":"task-9"}}')
    if USER.encode() in request.body or ANON.encode() in request.body:
        return Answer(400, b'{"code":400,"error":"refused","status":0}')  # the subject's events: dead letters
    return Answer(200, b'{"code":200,"status":1,"num_records_imported":1}')


def deletion_policy(segment_url: str, mixpanel_url: str) -> dict[str, Any]:
    policy = segment_policy(segment_url)
    policy["sources"][0]["consent_model"] = "opt-out"
    policy["sources"][0]["destinations"] = ["segment", "mixpanel", "local-sink"]
    policy["destinations"][0]["deletion"] = {"endpoint": segment_url, "token": "seg-public-api-token",
                                             "poll_interval_s": "0.2"}
    policy["destinations"].append({
        "name": "mixpanel", "protocol": "mixpanel", "endpoint": mixpanel_url, "purposes": ["analytics"],
        "credentials": VENDOR_CREDENTIALS["mixpanel"], "retry": FAST_RETRY,
        "deletion": {"endpoint": mixpanel_url, "gdpr_token": "mp-gdpr-token", "poll_interval_s": "0.2"},
    })
    policy["destinations"].append({"name": "local-sink", "protocol": "sink", "purposes": ["analytics"]})
    policy["access"]["tokens"].append({"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)})
    policy["access"]["tokens"].append({"name": "agent", "role": "support", "sha256": sha256(SUPPORT)})
    return policy


def review(gateway: GatewayProcess, session_id: str, note: str) -> httpx.Response:
    return httpx.post(f"{gateway.url}/admin/v1/replay/sessions/{session_id}/review", json={
        "status": "reviewed", "note": note}, headers={"Authorization": f"Bearer {SUPPORT}"}, timeout=REQUEST_TIMEOUT_S)


def compliance(gateway: GatewayProcess, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, gateway.url + path, headers={"Authorization": f"Bearer {COMPLIANCE}"},
                         timeout=REQUEST_TIMEOUT_S, **kwargs)


def seed_subject(gateway: GatewayProcess) -> str:
    """The subject arrives the ways a product sends data: the backend's SDK calls (with the server key: its links
    between the subject's ids are verified), a consent record from the browser (for its device), a session recording
    (which a support agent reviews, with a note naming the person)."""
    client = Client(SERVER_KEY, host=gateway.url, upload_interval=0.05)
    client.identify(user_id=USER, anonymous_id=ANON, traits={"email": EMAIL, "name": NAME, "phone": PHONE},
                    message_id="subject-identify")
    client.track(user_id=USER, anonymous_id=ANON, event="Checkout", properties={"contact": PHONE},
                 message_id="subject-track")
    client.alias(previous_id=OLD_ANON, user_id=USER, message_id="subject-alias")
    client.track(user_id="bystander", event="Checkout", properties={"plan": "pro"}, message_id="bystander-track")
    client.shutdown()
    assert httpx.post(gateway.url + "/v1/consent", json={"writeKey": WRITE_KEY, "anonymousId": ANON,
                                                         "granted": ["analytics"]},
                      timeout=REQUEST_TIMEOUT_S).status_code == 200
    recording = json.loads(SESSIONS[0].read_text())
    session_id = "subject-session"
    assert post_events(gateway, session_id, {"events": recording["events"], "userId": USER}).status_code == 200
    other = json.loads(SESSIONS[1].read_text())
    assert post_events(gateway, "bystander-session", {"events": other["events"], "userId": "bystander"}
                       ).status_code == 200
    assert review(gateway, session_id, f"{USER} called about the checkout").status_code == 201
    assert review(gateway, "bystander-session", "nothing to fix").status_code == 201
    return session_id


def database_values(db_path: Path) -> list[bytes]:
    """Every value of every row of every table, and every replay chunk decrypted and decompressed, as bytes."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    values: list[bytes] = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            values += [v if isinstance(v, bytes) else str(v).encode() for v in row]
    dictionaries = {i: zstandard.ZstdCompressionDict(d) for i, d in conn.execute(
        "SELECT id, data FROM replay_dictionaries")}
    # The chunks, opened with the master key the gateway made in its data directory.
    keys = KeyRing(bytes.fromhex((db_path.parent / "master.key").read_text()))
    for chunk_id, dict_id, session_id, digest, key_id in conn.execute(
            "SELECT id, dictionary_id, session_id, digest, key_id FROM replay_chunks"):
        data = conn.execute("SELECT data FROM replay_blobs WHERE chunk_id = ?", (chunk_id,)).fetchone()[0]
        data = open_chunk(keys.key(conn, key_id), chunk_id, session_id, digest, dict_id, data)
        values.append(zstandard.ZstdDecompressor(dict_data=dictionaries.get(dict_id)).decompress(data))
    conn.close()
    return values


def leaks(blobs: list[bytes]) -> set[str]:
    return {secret for secret in SECRETS for blob in blobs if secret.encode() in blob}


def test_a_deleted_subject_leaves_nothing_behind_and_vendors_are_asked_to_delete(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    segment_vendor, mixpanel_vendor = FakeVendor().start(), FakeVendor().start()
    segment_api = SegmentDeletionApi()
    segment_vendor.rule = segment_api
    mixpanel_vendor.rule = mixpanel_rule
    try:
        gateway = start_gateway(deletion_policy(segment_vendor.url, mixpanel_vendor.url), env=VENDOR_ENV)
        session_id = seed_subject(gateway)
        db_path = gateway.data_dir / "gateway.sqlite3"

        def seeded() -> bool:
            outbox = gateway.admin("/admin/v1/outbox").json()["destinations"]
            by_name = {d["name"]: d for d in outbox}
            return by_name["segment"]["queued"] >= 3 and by_name["mixpanel"]["dead_letters"] >= 1 and bool(
                gateway.admin("/admin/v1/sink").json()["events"])

        wait_until(seeded, what="queued events, dead letters and sink events for the subject")
        # The ids are there to be found (the PII values never were: they are scrubbed before anything is stored).
        assert leaks(database_values(db_path)) == {USER, ANON, OLD_ANON}

        # An access request first: the subject's data, found from the user id alone.
        export = compliance(gateway, "POST", "/admin/v1/privacy/subjects/export",
                            json={"identifiers": {"userId": USER}}).json()
        assert export["identifier_hashes"] >= 3 and export["pending_events"] and export["consent_history"]
        assert [s["session_id"] for s in export["replay_sessions"]] == [session_id]

        request = {"identifiers": {"userId": USER}, "reason": "GDPR art. 17 request, ticket 1234",
                   "destinations": "all"}
        created = compliance(gateway, "POST", "/admin/v1/privacy/deletions", json=request)
        assert created.status_code == 202
        deletion_id = created.json()["id"]
        again = compliance(gateway, "POST", "/admin/v1/privacy/deletions", json=request).json()
        assert again["id"] == deletion_id and again["created"] is False  # idempotent

        status = wait_until(
            lambda: (s := compliance(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion_id}").json())[
                "status"] in ("completed", "failed") and s,
            timeout=60, what="the deletion to finish")
        assert status["status"] == "completed", status
        assert all(store["status"] == "done" for store in status["stores"].values())
        assert status["stores"]["outbox"]["deleted"] >= 3
        assert status["stores"]["replay"]["deleted"] == 1
        assert status["destinations"]["segment"] | {"attempts": 0} == {
            **status["destinations"]["segment"], "status": "completed", "job_id": "reg-42", "attempts": 0}
        assert status["destinations"]["mixpanel"]["status"] == "completed"
        assert "local-sink" not in status["destinations"]  # a local store: emptied with the others above

        # Nothing of the subject is left: tables, decompressed chunks, the WAL, the file's raw bytes.
        assert leaks(database_values(db_path)) == set()
        wal = Path(f"{db_path}-wal")
        raw = [db_path.read_bytes()] + ([wal.read_bytes()] if wal.exists() else [])
        assert leaks(raw) == set()
        # ... while the bystander's data is all still there.
        assert gateway.admin("/admin/v1/replay/sessions/bystander-session").status_code == 200
        assert gateway.admin(f"/admin/v1/replay/sessions/{session_id}").status_code == 404
        # The agent's note about the subject went with the session (leaks() above reads it too); the bystander's stays.
        kept = gateway.admin("/admin/v1/replay/sessions/bystander-session/reviews", token=SUPPORT).json()["reviews"]
        assert [r["note"] for r in kept] == ["nothing to fix"]

        # The vendors got deletion calls of the right shapes, Segment's after a retry.
        regulation_posts = [r for r in segment_vendor.received() if r.path == "/regulations"]
        assert [r.status for r in regulation_posts] == [503, 200]
        assert regulation_posts[1].json() == {"regulationType": "SUPPRESS_WITH_DELETE", "subjectType": "USER_ID",
                                              "subjectIds": [USER]}
        assert regulation_posts[1].headers["authorization"] == "Bearer seg-public-api-token"
        mixpanel_post = next(r for r in mixpanel_vendor.received() if r.path == "/api/app/data-deletions/v3.0/")
        assert mixpanel_post.json() == {"distinct_ids": [USER], "compliance_type": "GDPR"}
        assert mixpanel_post.query["token"] == VENDOR_ENV["MIXPANEL_TOKEN"]
        assert mixpanel_post.headers["authorization"] == "Bearer mp-gdpr-token"

        # The receipt is signed, names what was done where, and holds no identifier; anyone with the published
        # public key can check it offline, and a changed copy fails.
        receipt = compliance(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion_id}/receipt")
        assert receipt.json()["destinations"]["segment"]["job_id"] == "reg-42"
        assert leaks([receipt.content]) == set()
        key = httpx.get(gateway.url + "/.well-known/privacy-gateway/receipt-key",
                        timeout=REQUEST_TIMEOUT_S)  # no token needed
        assert key.status_code == 200 and key.json()["alg"] == "Ed25519"
        offline = gateway.workdir / "offline"
        offline.mkdir()
        (offline / "receipt-key.json").write_bytes(key.content)
        (offline / "receipt.json").write_bytes(receipt.content)
        tampered = {**receipt.json(), "stores": {**receipt.json()["stores"], "outbox": 0}}
        (offline / "tampered.json").write_bytes(orjson.dumps(tampered))
        assert receipt_verify(offline, "receipt.json").returncode == 0
        refused = receipt_verify(offline, "tampered.json")
        assert refused.returncode == 1 and "changed after signing" in refused.stdout

        # Later events for the subject are dropped at ingest; others still flow.
        client = Client(WRITE_KEY, host=gateway.url, upload_interval=0.05)
        client.track(anonymous_id=OLD_ANON, event="Came Back", message_id="after-1")
        client.track(user_id="bystander", event="Still Here", message_id="after-2")
        client.shutdown()
        wait_until(lambda: any(e["message_id"] == "after-2" for e in gateway.admin("/admin/v1/sink").json()["events"]),
                   what="the bystander's event in the sink")
        assert not any(e["message_id"] == "after-1" for e in gateway.admin("/admin/v1/sink").json()["events"])
        assert gateway.metrics()['gateway_events_suppressed_total{source="web"}'] == 1

        # A support token may not touch any of it.
        assert gateway.admin("/admin/v1/privacy/deletions", token=ADMIN_TOKEN).status_code == 200
    finally:
        segment_vendor.stop()
        mixpanel_vendor.stop()


def receipt_verify(directory: Path, receipt: str) -> subprocess.CompletedProcess[str]:
    """`privacy-gateway receipt verify` as a data subject or regulator runs it: a directory with the receipt and the
    published key, nothing of the gateway's (no data directory, no policy, no network)."""
    return subprocess.run([sys.executable, "-m", "gateway", "receipt", "verify", receipt,
                           "--public-key", "receipt-key.json"], cwd=directory, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_deletion_interrupted_by_a_restart_resumes_and_completes(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    segment_vendor = FakeVendor().start()
    api = SegmentDeletionApi()
    api.posts = 1  # no scripted failure this time
    segment_vendor.rule = api
    policy = deletion_policy(segment_vendor.url, segment_vendor.url)
    policy["sources"][0]["destinations"] = ["segment", "local-sink"]
    policy["destinations"] = [d for d in policy["destinations"] if d["name"] != "mixpanel"]
    try:
        gateway = start_gateway(policy)
        client = Client(WRITE_KEY, host=gateway.url, upload_interval=0.05)
        client.identify(user_id=USER, traits={"email": EMAIL}, message_id="i1")
        client.shutdown()
        segment_vendor.stop()  # the vendor's deletion API is unreachable: the request waits at the vendor step
        deletion_id = compliance(gateway, "POST", "/admin/v1/privacy/deletions",
                                 json={"identifiers": {"userId": USER}}).json()["id"]
        wait_until(lambda: compliance(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion_id}").json()[
            "destinations"]["segment"]["attempts"] >= 1, what="a failed attempt at the vendor")
        gateway.kill()
        segment_vendor.start()
        gateway.start()
        status = wait_until(
            lambda: (s := compliance(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion_id}").json())[
                "status"] == "completed" and s,
            timeout=60, what="the resumed deletion to complete")
        assert status["destinations"]["segment"]["job_id"] == "reg-42"
    finally:
        segment_vendor.stop()


def test_deletion_requests_are_for_compliance_and_validated(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    policy = segment_policy(vendor.url)
    policy["access"]["tokens"] += [{"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)},
                                   {"name": "agent", "role": "support", "sha256": sha256("support-token")}]
    gateway = start_gateway(policy)
    body = {"identifiers": {"userId": "x"}}
    assert httpx.post(gateway.url + "/admin/v1/privacy/deletions", json=body,
                      headers={"Authorization": "Bearer support-token"}, timeout=REQUEST_TIMEOUT_S).status_code == 403
    assert compliance(gateway, "POST", "/admin/v1/privacy/deletions", json={"identifiers": {}}).status_code == 400
    assert compliance(gateway, "POST", "/admin/v1/privacy/deletions",
                      json={"identifiers": {"phone": "1"}}).status_code == 400
    assert compliance(gateway, "POST", "/admin/v1/privacy/deletions",
                      json={**body, "destinations": ["nowhere"]}).status_code == 400
    assert compliance(gateway, "GET", "/admin/v1/privacy/deletions/del_nothing").status_code == 404
