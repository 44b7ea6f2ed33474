"""`privacy-gateway backup DEST` while the gateway runs: a checked copy of the database and its key, private to the
operator, from which a new gateway delivers everything the old one had acknowledged."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.e2e


def backup(gateway: GatewayProcess, dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", "backup", str(dest), "--data-dir", str(gateway.data_dir)],
                          capture_output=True, text=True, timeout=120, env=gateway.env)


def test_a_backup_taken_while_serving_restores_every_acknowledged_event(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    policy = segment_policy(vendor.url)
    gateway = start_gateway(policy)
    vendor.stop()  # nothing is delivered: all of it waits in the outbox when the backup is taken
    ids = {f"m-{i}" for i in range(5)}
    for message_id in sorted(ids):
        event = {"writeKey": WRITE_KEY, "event": "Invoice Paid", "userId": "u1", "messageId": message_id}
        assert ingest.post(gateway.url + "/v1/track", json=event).status_code == 200

    dest = tmp_path / "backups" / "today"
    done = backup(gateway, dest)

    assert done.returncode == 0, done.stderr
    assert "checked" in done.stdout and "hash.key" in done.stdout
    # The keys beside the database: the hashing key, the receipts' signing key and the recordings' master key (made
    # on first start unless [privacy] key_file and master_key_file put them elsewhere).
    assert sorted(p.name for p in dest.iterdir()) == ["gateway.sqlite3", "hash.key", "master.key", "signing.key"]
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in dest.iterdir()} == {0o600}
    assert httpx.get(gateway.url + "/readyz", timeout=REQUEST_TIMEOUT_S).status_code == 200  # served throughout
    gateway.kill()

    restored = GatewayProcess(tmp_path / "restored", policy)
    shutil.copytree(dest, restored.data_dir)
    vendor.start()
    restored.start()
    try:
        assert vendor.wait_for_message_ids(ids) == ids
    finally:
        restored.close()


def test_a_backup_never_mixes_into_an_existing_directory(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], tmp_path: Path
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "gateway.sqlite3").write_bytes(b"last week's")

    refused = backup(gateway, tmp_path / "old")

    assert refused.returncode != 0 and "exists: give a new directory" in refused.stderr
    assert (tmp_path / "old" / "gateway.sqlite3").read_bytes() == b"last week's"
