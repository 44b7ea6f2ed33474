"""The audit log against its signed checkpoints: whoever holds the data directory (and the key the chain is hashed
with) can rewrite the log and recompute the chain, or cut off its newest rows; `privacy-gateway audit verify` against
checkpoints the gateway wrote elsewhere finds each of those."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway import audit_checkpoints, keys, signed_documents
from gateway.audit import AuditLog
from gateway.database import Database
from gateway.keys import SigningKey
from gateway.schema import MIGRATIONS
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ROOT, VENDOR_WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e


def on_database(path: Path, change: Callable[[Database], object]) -> object:
    """Change the stopped gateway's database directly, as whoever holds the data directory could."""
    db = Database(path, MIGRATIONS)
    try:
        return change(db)
    finally:
        db.close()


def checkpoints(path: Path) -> list[dict]:
    return audit_checkpoints.read_checkpoints(path.read_text()) if path.exists() else []


def audit_verify(gateway: GatewayProcess, checkpoint_file: Path, key_file: Path) -> subprocess.CompletedProcess[str]:
    assert gateway.policy_path is not None
    return subprocess.run(
        [sys.executable, "-m", "gateway", "audit", "verify", "--checkpoint", str(checkpoint_file), "--public-key",
         str(key_file), "--policy", str(gateway.policy_path), "--data-dir", str(gateway.data_dir)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "VENDOR_WRITE_KEY": VENDOR_WRITE_KEY},
    )


def test_audit_verify_against_checkpoints_finds_removed_rewritten_and_forged_rows(
    tmp_path: Path, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess],
) -> None:
    outside = tmp_path / "elsewhere"  # not the data directory: its owner cannot rewrite this
    sink = outside / "audit-checkpoints.jsonl"
    policy = segment_policy(vendor.url)
    policy["audit"] = {"checkpoint_sink": str(sink), "checkpoint_interval_s": 0.1}
    gateway = start_gateway(policy)
    for _ in range(6):  # reads of subject data: each one an audit row
        assert gateway.admin("/admin/v1/sink").status_code == 200
    wait_until(lambda: any(c["through_id"] >= 6 for c in checkpoints(sink)), what="a checkpoint of six rows")
    gateway.stop()  # SIGTERM: a last checkpoint is written as the gateway shuts down
    newest = max(c["through_id"] for c in checkpoints(sink))
    key_file = outside / "receipt-key.json"
    gateway.start()
    key_file.write_bytes(httpx.get(gateway.url + signed_documents.PUBLIC_KEY_PATH, timeout=REQUEST_TIMEOUT_S).content)
    gateway.stop()
    database = gateway.data_dir / "gateway.sqlite3"
    pristine = tmp_path / "pristine.sqlite3"
    shutil.copy(database, pristine)

    intact = audit_verify(gateway, sink, key_file)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert f"ok: rows up to {newest} match" in intact.stdout

    # The newest rows removed: the chain that is left is intact, and still the checkpoint says it was longer.
    on_database(database, lambda db: db.write_sync(
        lambda c: c.execute("DELETE FROM audit_log WHERE id > ?", (newest - 2,))))
    truncated = audit_verify(gateway, sink, key_file)
    assert truncated.returncode == 1
    assert "TRUNCATED: the checkpoint of" in truncated.stdout and f"ends at row {newest - 2}" in truncated.stdout

    # Rows rewritten by someone who holds the key: a consistent chain, but not the one the checkpoint signed.
    shutil.copy(pristine, database)
    secret = (gateway.data_dir / keys.KEY_FILE).read_text().strip().encode()
    audit_key = keys.derive(secret, "audit")

    def rewrite(db: Database) -> None:
        db.write_sync(lambda c: c.execute("DELETE FROM audit_log WHERE id >= 3"))
        forger = AuditLog(db, audit_key, keys.derive(secret, "audit-values"))
        for _ in range(newest - 2):
            db.write_sync(lambda c: forger.append(c, "nobody", "admin", "sink.read", "*"))

    on_database(database, rewrite)
    rewritten = audit_verify(gateway, sink, key_file)
    assert rewritten.returncode == 1 and "MISMATCH: rows up to" in rewritten.stdout

    # A checkpoint of one's own, signed with another key, is not taken.
    shutil.copy(pristine, database)
    impostor = SigningKey(Ed25519PrivateKey.generate(), Path())
    forged_sink = outside / "forged.jsonl"
    forged = on_database(database, lambda db: db.read_sync(lambda c: audit_checkpoints.make(c, impostor)))
    forged_sink.write_bytes(sink.read_bytes() + orjson.dumps(forged) + b"\n")
    refused = audit_verify(gateway, forged_sink, key_file)
    assert refused.returncode == 1 and "FORGED: checkpoint" in refused.stdout


def test_the_gateway_warns_when_its_keys_sit_in_the_data_directory_and_not_when_they_do_not(
    tmp_path: Path, vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess],
) -> None:
    inside = start_gateway(segment_policy(vendor.url), name="inside")
    assert "the signing key is kept in the data directory" in inside.log()
    assert "the hash key is kept in the data directory" in inside.log()
    assert "the replay master key is kept in the data directory" in inside.log()

    policy = segment_policy(vendor.url)
    policy["privacy"] = {"hash_key": "${GATEWAY_HASH_KEY}", "key_file": str(tmp_path / "secrets" / "signing.key"),
                         "master_key_file": str(tmp_path / "secrets" / "master.key")}
    outside = start_gateway(policy, env={"GATEWAY_HASH_KEY": "h" * 32}, name="outside")
    assert "kept in the data directory" not in outside.log()
    for made in ("signing.key", "master.key"):
        assert (tmp_path / "secrets" / made).stat().st_mode & 0o777 == 0o600  # made there, private
    served = httpx.get(outside.url + signed_documents.PUBLIC_KEY_PATH, timeout=REQUEST_TIMEOUT_S).json()
    assert served["key_id"] == keys.read_public_key(served["public_key_pem"]).key_id
