"""Crypto-shredding end to end: recordings are stored encrypted under a key of the identifiers they are bound to, and a
deletion destroys that key, so that what was copied before (a backup) cannot be read afterwards either; other
subjects' recordings keep playing. The master key lives outside the data directory (the environment), as in
production, and retiring it (`replay rotate-master-key`) leaves the old backup with keys nobody can unwrap."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from replay.shredding import KeyRing, Shredded, open_chunk
from tests.e2e.test_deletion import COMPLIANCE, compliance
from tests.e2e.test_replay_native import post_events
from tests.replay.streams import E, Recording
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, GatewayProcess, segment_policy, sha256
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

SUBJECT, BYSTANDER = "shred-subject-8812", "shred-bystander-8813"
TYPED, BYSTANDER_TYPED = "blue suede shoes size 44", "green wellies size 39"
MASTER, NEW_MASTER = "11" * 32, "22" * 32
MASTER_ENV = "PRIVACY_GATEWAY_MASTER_KEY"


def shredding_policy(vendor_url: str) -> dict[str, Any]:
    policy = segment_policy(vendor_url)
    policy["access"]["tokens"].append({"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)})
    return policy


def recording_typing(text: str) -> list[dict[str, object]]:
    """A page with a search field whose input the policy keeps as typed, and someone typing `text` into it."""
    rec = Recording()
    refs = rec.page(1_795_000_000_000, "https://shop.example/search", E("input", name="q", ref="q"))
    rec.type_text(1_795_000_001_000, refs["q"], text)
    return list(rec.events)


def files_of(directory: Path) -> bytes:
    """Every byte of every file in a directory (database, WAL, keys a backup holds)."""
    return b"".join(p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file())


SealedChunk = tuple[int, int | None, str, bytes, str, bytes]  # id, dictionary, session, digest, key id, sealed bytes


def sealed_chunks(db_path: Path) -> list[SealedChunk]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("""SELECT c.id, c.dictionary_id, c.session_id, c.digest, c.key_id, b.data
                               FROM replay_chunks c JOIN replay_blobs b ON b.chunk_id = c.id""").fetchall()
    finally:
        conn.close()


def openers(db_path: Path, master: str) -> list[AESGCM]:
    """What anyone holding the database and `master` can open: every data key in it, each as the one key it has."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        ring = KeyRing(bytes.fromhex(master))
        return [k for k in (ring.key(conn, key_id) for (key_id,) in conn.execute("SELECT key_id FROM replay_keys"))
                if k is not None]
    finally:
        conn.close()


def opens(key: object, chunk: SealedChunk) -> bool:
    chunk_id, dict_id, session_id, digest, _, data = chunk
    try:
        open_chunk(key, chunk_id, session_id, digest, dict_id, data)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def opened_by_a_key_left(db_path: Path, master: str, chunks: Iterable[SealedChunk]) -> bool:
    """Whether any data key still in the database at `db_path` (as anyone holding it and `master` unwraps it) opens
    any of `chunks`: after a deletion, none may open the person's."""
    keys = openers(db_path, master)
    return any(opens(k, c) for k in keys for c in chunks)


def deleted(gateway: GatewayProcess, user_id: str) -> dict[str, Any]:
    """Ask `gateway` to delete the person `user_id` and wait for the request to finish: its status, completed."""
    response = httpx.post(f"{gateway.url}/admin/v1/privacy/deletions", json={"identifiers": {"userId": user_id}},
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 202, response.text
    deletion = f"/admin/v1/privacy/deletions/{response.json()['id']}"
    status: dict[str, Any] = wait_until(
        lambda: (s := gateway.admin(deletion).json())["status"] in ("completed", "failed") and s,
        timeout=60, what="the deletion to finish")
    assert status["status"] == "completed", status
    return status


def test_a_deletion_shreds_the_subjects_recordings_even_in_a_backup_taken_before(
    start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    vendor = FakeVendor().start()
    try:
        policy = shredding_policy(vendor.url)
        policy["replay"] = {"unmasked_inputs": ["input[name=q]"]}
        gateway = start_gateway(policy, env={MASTER_ENV: MASTER})
        assert post_events(gateway, "subject-visit", {"events": recording_typing(TYPED), "userId": SUBJECT}
                           ).status_code == 200
        assert post_events(gateway, "bystander-visit", {"events": recording_typing(BYSTANDER_TYPED),
                                                        "userId": BYSTANDER}).status_code == 200
        assert post_events(gateway, "anonymous-visit", recording_typing("anonymous")).status_code == 200
        # Stored as typed (the policy keeps this field) and read back through the gateway...
        events = gateway.admin("/admin/v1/replay/sessions/subject-visit/events").json()
        assert TYPED in orjson.dumps(events).decode()
        db_path = gateway.data_dir / "gateway.sqlite3"
        # ... but at rest, nothing of it in the clear: not in the database, its WAL, nor a backup.
        assert TYPED.encode() not in files_of(gateway.data_dir) and SUBJECT.encode() not in files_of(gateway.data_dir)
        backup = tmp_path / "backup-before"
        done = subprocess.run([sys.executable, "-m", "gateway", "backup", str(backup), "--data-dir",
                               str(gateway.data_dir)], capture_output=True, text=True, timeout=120, env=gateway.env)
        assert done.returncode == 0, done.stderr
        assert not (backup / "master.key").exists()  # the master key is not the data directory's to copy
        for secret in (TYPED, SUBJECT, BYSTANDER_TYPED, BYSTANDER):
            assert secret.encode() not in files_of(backup)
        before = sealed_chunks(backup / "gateway.sqlite3")
        subject_chunks = [c for c in before if c[2] == "subject-visit"]
        assert subject_chunks and all(any(opens(k, c) for k in openers(db_path, MASTER)) for c in before)
        # A chunk's bytes put in another chunk's place do not open: the chunk's identity is sealed with it.
        chunk, other = subject_chunks[0], next(c for c in before if c[0] != subject_chunks[0][0])
        assert not any(opens(k, (*chunk[:5], other[5])) for k in openers(db_path, MASTER))

        deletion = compliance(gateway, "POST", "/admin/v1/privacy/deletions",
                              json={"identifiers": {"userId": SUBJECT}}).json()["id"]
        status = wait_until(lambda: (s := compliance(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion}").json()
                                     )["status"] in ("completed", "failed") and s, timeout=60, what="the deletion")
        assert status["status"] == "completed", status
        assert status["stores"]["replay"]["keys_destroyed"] == 1
        receipt = compliance(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion}/receipt").json()
        assert receipt["replay_keys_destroyed"] == 1

        # The backup's copy of the subject's chunks opens with no key left in the database (nor in its WAL), and the
        # read path says why; the subject's wrapped key is not in the live files' bytes either.
        assert not opened_by_a_key_left(db_path, MASTER, subject_chunks)
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            chunk_id, dict_id, session_id, digest, key_id, data = subject_chunks[0]
            with pytest.raises(Shredded):
                open_chunk(KeyRing(bytes.fromhex(MASTER)).key(conn, key_id), chunk_id, session_id, digest, dict_id,
                           data)
        with sqlite3.connect(f"file:{backup / 'gateway.sqlite3'}?mode=ro", uri=True) as conn:
            wrapped = conn.execute("SELECT wrapped FROM replay_keys WHERE key_id = ?", (subject_chunks[0][4],)
                                   ).fetchone()[0]
        assert wrapped not in files_of(gateway.data_dir)
        for secret in (TYPED, SUBJECT):
            assert secret.encode() not in files_of(gateway.data_dir)

        # Everyone else's recordings still play.
        kept = gateway.admin("/admin/v1/replay/sessions/bystander-visit/events").json()
        assert BYSTANDER_TYPED in orjson.dumps(kept).decode()
        assert gateway.admin("/admin/v1/replay/sessions/anonymous-visit/events").status_code == 200
        assert gateway.admin("/admin/v1/replay/sessions/subject-visit").status_code == 404

        # Retiring the master key: rewrap under a new one, start with it, and the old backup opens nothing with it.
        gateway.stop()
        new_key = tmp_path / "new-master.key"
        new_key.write_text(NEW_MASTER)
        rotated = subprocess.run([sys.executable, "-m", "gateway", "replay", "rotate-master-key", str(new_key),
                                  "--policy", str(gateway.policy_path), "--data-dir", str(gateway.data_dir)],
                                 capture_output=True, text=True, timeout=120, env=gateway.env)
        assert rotated.returncode == 0, rotated.stderr
        assert "2 data keys rewrapped" in rotated.stderr  # the bystander's and the anonymous session's
        gateway.env[MASTER_ENV] = NEW_MASTER
        gateway.start()
        kept = gateway.admin("/admin/v1/replay/sessions/bystander-visit/events").json()
        assert BYSTANDER_TYPED in orjson.dumps(kept).decode()
        with pytest.raises(InvalidTag):
            openers(backup / "gateway.sqlite3", NEW_MASTER)  # wrapped under the retired key: InvalidTag
    finally:
        vendor.stop()


def test_the_gateway_refuses_to_start_with_another_master_key_than_wrapped_its_recordings(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    vendor = FakeVendor().start()
    try:
        gateway = start_gateway(shredding_policy(vendor.url), env={MASTER_ENV: MASTER})
        assert post_events(gateway, "someone", {"events": recording_typing("x"), "userId": "u-1"}).status_code == 200
        gateway.stop()
        gateway.env[MASTER_ENV] = NEW_MASTER
        with pytest.raises(AssertionError, match="not by the configured one"):  # the gateway exited, saying why
            gateway.start()
    finally:
        vendor.stop()
