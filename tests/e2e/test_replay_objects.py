"""Recordings on S3 end to end: a gateway process with `[replay.storage] backend = "s3"` on SeaweedFS (loopback, a
bucket per test, credentials in the environment) stores what `/v1/replay` receives in objects, reads it back event by
event and analyses it; objects hold only ciphertext, and a deletion destroys the person's key and leaves no byte of
them in the bucket; a kill -9 while objects are being flushed loses no acknowledged chunk, and the object it left
half-done is swept."""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_replay_native import (
    SESSIONS,
    expected_after_scrubbing,
    post_events,
    replay_policy,
    scrubber_of,
)
from tests.e2e.test_replay_shredding import (
    BYSTANDER,
    BYSTANDER_TYPED,
    MASTER,
    MASTER_ENV,
    SUBJECT,
    TYPED,
    deleted,
    files_of,
    opened_by_a_key_left,
    recording_typing,
)
from tests.e2e.test_replay_signals import LABELLED, labelled_kinds
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.seaweedfs import S3Bucket, SeaweedFS
from tests.support.sessions import fully_analysed
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # how every zstd frame starts


def s3_policy(vendor: FakeVendor, bucket: S3Bucket, storage: dict[str, Any] | None = None, **replay: Any
              ) -> dict[str, Any]:
    # Every flush an object unless a test says otherwise (`inline_below`): these tests are about objects.
    on_s3 = {"backend": "s3", "endpoint": bucket.endpoint_url, "bucket": bucket.name, "sweep_interval_s": 0.5,
             "inline_below": 0}
    return replay_policy(vendor.url, **replay, storage=on_s3 | (storage or {}))


def s3_env(bucket: S3Bucket) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": bucket.access_key, "AWS_SECRET_ACCESS_KEY": bucket.secret_key}


def bucket_objects(seaweedfs: SeaweedFS, bucket: S3Bucket) -> dict[str, bytes]:
    client = seaweedfs.client()
    keys = [item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket.name)
            for item in page.get("Contents", [])]
    return {key: client.get_object(Bucket=bucket.name, Key=key)["Body"].read() for key in keys}


def query(gateway: GatewayProcess, sql: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(gateway.data_dir / "gateway.sqlite3")) as conn:
        return conn.execute(sql).fetchall()


def indexed_keys(gateway: GatewayProcess) -> set[str]:
    return {key for (key,) in query(gateway, "SELECT key FROM replay_objects")}


def post_recordings(gateway: GatewayProcess, recordings: list[dict[str, Any]]) -> None:
    """Each recording posted in pieces of 40 events, as an SDK flushes it while the visit goes on."""
    for recording in recordings:
        events = recording["events"]
        for i in range(0, len(events), 40):
            assert post_events(gateway, recording["session_id"], events[i:i + 40]).status_code == 200


# 16 KB of events: requests holding a full snapshot are objects, the others inline; reading and analysis the same.
@pytest.mark.parametrize("inline_below", [0, 16384], ids=["every-flush-an-object", "small-flushes-inline"])
def test_recordings_are_stored_in_objects_read_back_event_by_event_and_analysed(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS, s3_bucket: S3Bucket,
    inline_below: int
) -> None:
    gateway = start_gateway(s3_policy(vendor, s3_bucket, {"inline_below": inline_below}, analyze_after_idle_s=0.5,
                                      train_after_chunks=20), env=s3_env(s3_bucket))
    scrubber = scrubber_of(gateway)
    recordings = [json.loads(path.read_text()) for path in SESSIONS]
    post_recordings(gateway, recordings)

    # The chunks are in the bucket, none in the database (but small flushes' when inline), whose index names each
    # object.
    assert set(bucket_objects(seaweedfs, s3_bucket)) == indexed_keys(gateway) != set()
    inline = query(gateway, "SELECT count(*) FROM replay_blobs")[0][0]
    assert inline > 0 if inline_below else inline == 0
    for recording in recordings:
        stored = gateway.admin(f"/admin/v1/replay/sessions/{recording['session_id']}/events").json()
        assert stored == expected_after_scrubbing(recording["events"], scrubber, 40), recording["session_id"]

    def analysed() -> dict[str, dict[str, Any]] | None:
        sessions = gateway.admin("/admin/v1/replay/sessions?limit=100").json()["sessions"]
        return ({s["session_id"]: s for s in sessions}
                if len(sessions) == len(recordings) and all(fully_analysed(s) for s in sessions) else None)

    sessions = wait_until(analysed, timeout=60, what="every session analysed")
    for path in LABELLED:
        recording = json.loads(path.read_text())
        for kind, n in labelled_kinds(path).items():
            assert sessions[recording["session_id"]]["signals"][kind] == n, (path.name, kind)


def test_a_deletion_leaves_no_byte_of_the_persons_recording_in_the_bucket(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS, s3_bucket: S3Bucket
) -> None:
    # A linger of 10 s: her chunk and Bob's, sent at once from two threads, share one object, which must outlive her
    # (2 s was a window a loaded machine could miss between the two requests, as in the test below).
    gateway = start_gateway(s3_policy(vendor, s3_bucket, storage={"linger_s": 10.0}), env=s3_env(s3_bucket))
    meta = {"type": 4, "timestamp": 1_795_000_000_000, "data": {"href": "https://x.example/", "width": 1, "height": 1}}

    def text_event(text: str) -> dict[str, Any]:
        return {"type": 3, "timestamp": 1_795_000_000_100, "data": {"source": 0, "texts": [{"id": 1, "value": text}]}}

    def send(user: str, text: str) -> None:
        assert post_events(gateway, f"session-{user}", {"events": [meta, text_event(text)],
                                                        "userId": user}).status_code == 200

    threads = [threading.Thread(target=send, args=("ada", "Ada's page text")),
               threading.Thread(target=send, args=("bob", "Bob's page text"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Her chunk as stored (compressed: its text is not in clear, so the test looks for its bytes).
    ((key, offset, length),) = query(gateway, """
        SELECT o.key, s.object_offset, c.stored_bytes FROM replay_chunks c JOIN replay_spans s ON s.chunk_id = c.id
        JOIN replay_objects o ON o.id = s.object WHERE c.session_id = 'session-ada'""")
    hers = bucket_objects(seaweedfs, s3_bucket)[key][offset : offset + length]
    assert query(gateway, "SELECT count(*), sum(chunks) FROM replay_objects") == [(1, 2)]
    assert len(hers) == length > 16 and hers != bytes(length)

    assert deleted(gateway, "ada")["stores"]["replay"]["deleted"] == 1

    def clean() -> bool:
        return not any(hers in data for data in bucket_objects(seaweedfs, s3_bucket).values())

    wait_until(clean, what="the person's bytes gone from every object")
    assert bucket_objects(seaweedfs, s3_bucket)[key][offset : offset + length] == bytes(length)
    assert gateway.admin("/admin/v1/replay/sessions/session-ada").status_code == 404
    bob = gateway.admin("/admin/v1/replay/sessions/session-bob/events").json()
    assert any("Bob's page text" in json.dumps(event) for event in bob)


def test_objects_hold_only_ciphertext_and_a_deletion_destroys_the_persons_key(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS, s3_bucket: S3Bucket
) -> None:
    # A field whose input the policy keeps as typed, and a linger of 10 s: both recordings, posted at once from two
    # threads, share one object (2 s was too short a window on a loaded machine; each answer waits for the linger).
    policy = s3_policy(vendor, s3_bucket, storage={"linger_s": 10.0}, unmasked_inputs=["input[name=q]"])
    gateway = start_gateway(policy, env=s3_env(s3_bucket) | {MASTER_ENV: MASTER})
    visits = {"subject-visit": (SUBJECT, TYPED), "bystander-visit": (BYSTANDER, BYSTANDER_TYPED)}

    def send(session_id: str) -> None:
        user, typed = visits[session_id]
        assert post_events(gateway, session_id, {"events": recording_typing(typed), "userId": user}).status_code == 200

    threads = [threading.Thread(target=send, args=(session_id,)) for session_id in visits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert query(gateway, "SELECT count(*) FROM replay_objects") == [(1,)]
    events = gateway.admin("/admin/v1/replay/sessions/subject-visit/events").json()
    assert TYPED in json.dumps(events)  # stored as typed, and read back through the gateway...
    plaintext = [TYPED, SUBJECT, BYSTANDER_TYPED, BYSTANDER]

    def in_bucket() -> list[str]:
        objects = bucket_objects(seaweedfs, s3_bucket).values()
        return [text for text in plaintext if any(text.encode() in data for data in objects)]

    assert in_bucket() == []  # ... but the object holds none of it in the clear,
    objects = bucket_objects(seaweedfs, s3_bucket)
    spans = query(gateway, """SELECT o.key, s.object_offset, c.stored_bytes FROM replay_spans s
                              JOIN replay_objects o ON o.id = s.object JOIN replay_chunks c ON c.id = s.chunk_id""")
    assert len(spans) == 2
    for object_key, offset, length in spans:  # nor a zstd frame anyone with the bucket could decompress: ciphertext
        assert not objects[object_key][offset : offset + length].startswith(ZSTD_MAGIC)

    # Her chunk as stored, and what opening it needs of its index row.
    ((chunk_id, dict_id, digest, key_id, key, offset, length),) = query(gateway, """
        SELECT c.id, c.dictionary_id, c.digest, c.key_id, o.key, s.object_offset, c.stored_bytes FROM replay_chunks c
        JOIN replay_spans s ON s.chunk_id = c.id JOIN replay_objects o ON o.id = s.object
        WHERE c.session_id = 'subject-visit'""")
    hers = (chunk_id, dict_id, "subject-visit", digest, key_id,
            bucket_objects(seaweedfs, s3_bucket)[key][offset : offset + length])
    db_path = gateway.data_dir / "gateway.sqlite3"
    assert opened_by_a_key_left(db_path, MASTER, [hers])
    (wrapped,) = query(gateway, f"SELECT wrapped FROM replay_keys WHERE key_id = '{key_id}'")[0]

    assert deleted(gateway, SUBJECT)["stores"]["replay"]["keys_destroyed"] == 1

    # Her key is gone from the database (and its files' bytes); no key left opens her chunk's bytes; the sweeper
    # then zeroes them too, and the bucket holds no plaintext of anyone.
    assert query(gateway, f"SELECT count(*) FROM replay_keys WHERE key_id = '{key_id}'") == [(0,)]
    assert wrapped not in files_of(gateway.data_dir)
    assert not opened_by_a_key_left(db_path, MASTER, [hers])
    wait_until(lambda: bucket_objects(seaweedfs, s3_bucket)[key][offset : offset + length] == bytes(length),
               what="her range of the shared object zeroed")
    assert in_bucket() == []
    kept = gateway.admin("/admin/v1/replay/sessions/bystander-visit/events").json()
    assert BYSTANDER_TYPED in json.dumps(kept)


# 300 bytes of events: a lone request (~100 bytes) goes inline, a flush of several is an object.
@pytest.mark.parametrize("inline_below", [0, 300], ids=["every-flush-an-object", "small-flushes-inline"])
def test_a_kill_during_flushes_loses_no_acknowledged_chunk_and_the_half_done_object_is_swept(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS, s3_bucket: S3Bucket,
    inline_below: int
) -> None:
    policy = s3_policy(vendor, s3_bucket, analyze_live=False,
                       storage={"orphan_after_s": 1.0, "inline_below": inline_below})
    gateway = start_gateway(policy, env=s3_env(s3_bucket))
    acknowledged: list[tuple[str, int]] = []  # (session, the timestamp its chunk carries)
    lock = threading.Lock()
    stop = threading.Event()

    def sender(worker: int) -> None:
        # Odd senders' requests (~100 bytes) are small, even senders' (~500) are each over `inline_below` alone:
        # how many requests a flush gathers depends on the machine's speed, so both kinds of flush happen only if
        # both sizes are sent.
        filler = "" if worker % 2 else secrets.token_hex(200)
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            for n in range(10_000):
                if stop.is_set():
                    return
                session, ts = f"kill-{worker}", 1_795_000_000_000 + n
                event = {"type": 3, "timestamp": ts,
                         "data": {"source": 0, "texts": [{"id": n, "value": f"n{n}{filler}"}]}}
                try:
                    response = client.post(f"{gateway.url}/v1/replay/{session}", json=[event],
                                           headers={"Authorization": "Basic dGVzdC13cml0ZS1rZXk6"})
                except httpx.HTTPError:
                    return  # the gateway is gone: this request was not acknowledged
                if response.status_code == 200:
                    with lock:
                        acknowledged.append((session, ts))
                        # SIGKILL the moment the 300th answer arrives: the other senders' requests are mid-flush
                        # (compressing, put, committing), and an answer given before its commit would be lost.
                        if len(acknowledged) == 300:
                            gateway.kill()
                            stop.set()

    if inline_below:  # one small flush alone, before the rush: inline whatever the machine's speed
        lone = {"type": 3, "timestamp": 1_795_000_000_000, "data": {"source": 0, "texts": [{"id": 1, "value": "x"}]}}
        assert post_events(gateway, "kill-lone", [lone]).status_code == 200
    threads = [threading.Thread(target=sender, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    wait_until(stop.is_set, timeout=60, what="300 acknowledged chunks, then the kill")
    for thread in threads:
        thread.join()

    gateway.start()
    stored: set[tuple[str, int]] = set()
    for session in {s for s, _ in acknowledged}:
        events = gateway.admin(f"/admin/v1/replay/sessions/{session}/events").json()
        stored |= {(session, event["timestamp"]) for event in events}
    assert set(acknowledged) <= stored, f"{len(set(acknowledged) - stored)} acknowledged chunks lost"
    if inline_below:  # both ways of storing were used
        assert query(gateway, "SELECT count(*) FROM replay_blobs")[0][0] > 0 and indexed_keys(gateway)

    # Every object left in the bucket is one the index names: any put before the kill and never indexed is swept.
    wait_until(lambda: set(bucket_objects(seaweedfs, s3_bucket)) == indexed_keys(gateway),
               what="the bucket holding exactly the indexed objects")



def cli(gateway: GatewayProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", *args], capture_output=True, text=True, timeout=120,
                          env=gateway.env)


# 16 KB of events: requests holding a full snapshot are objects, the others inline (in the database file backed up).
@pytest.mark.parametrize("inline_below", [0, 16384], ids=["every-flush-an-object", "small-flushes-inline"])
def test_a_backup_holds_the_objects_its_index_names_and_restores_them_into_a_new_bucket_checked(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], seaweedfs: SeaweedFS, s3_bucket: S3Bucket,
    tmp_path: Path, inline_below: int
) -> None:
    storage = {"inline_below": inline_below}
    gateway = start_gateway(s3_policy(vendor, s3_bucket, storage, analyze_live=False), env=s3_env(s3_bucket))
    recordings = [json.loads(path.read_text()) for path in SESSIONS[:3]]
    post_recordings(gateway, recordings)
    stored = {r["session_id"]: gateway.admin(f"/admin/v1/replay/sessions/{r['session_id']}/events").json()
              for r in recordings}
    assert gateway.policy_path is not None
    if inline_below:  # both kinds to carry over
        assert query(gateway, "SELECT count(*) FROM replay_blobs")[0][0] > 0 and indexed_keys(gateway)

    backup = tmp_path / "backup"
    done = cli(gateway, "backup", str(backup), "--data-dir", str(gateway.data_dir),
               "--policy", str(gateway.policy_path))

    assert done.returncode == 0, done.stderr
    assert "recording object(s)" in done.stdout
    kept = {str(p.relative_to(backup / "objects")): p for p in (backup / "objects").rglob("*") if p.is_file()}
    assert set(kept) == indexed_keys(gateway)  # served throughout: the objects of the copied index, all of them
    assert {stat.S_IMODE(p.stat().st_mode) for p in kept.values()} == {0o600}
    gateway.kill()

    # The bucket is lost: the backup goes into a new one, and the restored gateway reads every event back.
    bucket = seaweedfs.create_bucket()
    restored = GatewayProcess(tmp_path / "restored", s3_policy(vendor, bucket, storage, analyze_live=False),
                              env=s3_env(bucket))
    assert restored.policy_path is not None
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    (damaged / "objects" / min(kept)).unlink()
    refused = cli(restored, "restore", str(damaged), "--data-dir", str(restored.data_dir),
                  "--policy", str(restored.policy_path))
    assert refused.returncode != 0 and "do not match its database" in refused.stderr
    assert not (restored.data_dir / "gateway.sqlite3").exists() and bucket_objects(seaweedfs, bucket) == {}

    done = cli(restored, "restore", str(backup), "--data-dir", str(restored.data_dir),
               "--policy", str(restored.policy_path))
    assert done.returncode == 0, done.stderr
    assert set(bucket_objects(seaweedfs, bucket)) == set(kept)
    restored.start()
    try:
        for session_id, events in stored.items():
            assert restored.admin(f"/admin/v1/replay/sessions/{session_id}/events").json() == events, session_id
    finally:
        restored.close()
