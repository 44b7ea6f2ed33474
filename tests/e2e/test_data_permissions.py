"""The data directory is readable by the gateway's user alone: files 0600 and directories 0700 from the first start
(the database and its -wal and -shm files, the hash key, the PII engine's model files), and an install made with
looser modes is brought into line at its next start."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy

pytestmark = pytest.mark.e2e


def modes(data_dir: Path) -> dict[str, int]:
    """Every path under `data_dir` (and the directory itself, as ".") with its permission bits."""
    found = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    for path in data_dir.rglob("*"):
        found[str(path.relative_to(data_dir))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def loose(mode: int) -> bool:
    return bool(mode & 0o077)


def test_everything_the_gateway_writes_is_private_from_the_first_start(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    old_umask = os.umask(0o022)  # what most shells hand a service: files 0644 unless the gateway says otherwise
    try:
        gateway = start_gateway(segment_policy(vendor.url))
    finally:
        os.umask(old_umask)
    event = {"writeKey": WRITE_KEY, "userId": "u1", "event": "Private", "properties": {"email": "a@example.com"}}
    assert ingest.post(gateway.url + "/v1/track", json=event).status_code == 200
    vendor.wait_for_requests(1)

    found = modes(gateway.data_dir)
    for name in ("gateway.sqlite3", "gateway.sqlite3-wal", "gateway.sqlite3-shm", "hash.key"):
        assert found[name] == 0o600, (name, oct(found[name]))
    assert [name for name, mode in found.items() if loose(mode)] == []
    directories = [name for name in found if (gateway.data_dir / name).is_dir()]
    assert len(directories) > 1 and all(found[name] == 0o700 for name in directories)


def test_an_install_with_loose_modes_is_made_private_at_its_next_start(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    gateway.stop()
    for path in [gateway.data_dir, *gateway.data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # as gateways before this change left them
    assert any(loose(mode) for mode in modes(gateway.data_dir).values())

    gateway.start()
    assert [name for name, mode in modes(gateway.data_dir).items() if loose(mode)] == []
    assert "made" in gateway.log() and "private" in gateway.log()
