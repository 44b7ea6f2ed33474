"""A policy reload reaches every node on one PostgreSQL database: the operator changes every node's file and signals
one node; the others reload their own files at once. Each node shows a keyed fingerprint of the file it runs in
/metrics (never a plain hash: /metrics is public), and a node whose file differs from the one another node reloaded
says so in its log, naming both fingerprints and nothing of the policy. On SQLite (one process) a reload changes the
fingerprint shown and nothing else."""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest
import tomli_w

from gateway import keys
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

NEW_KEY = "write-key-added-on-every-node"
OTHER_KEY = "write-key-only-node-b-has"
LISTENERS = "FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN gateway_invalidation'"
INFO = re.compile(r'^gateway_policy_info\{digest="([0-9a-f]{64})"\} 1\.0$', re.MULTILINE)


HASH_KEY = "hash-key-shared-by-every-node-" + "k" * 16


def cluster_policy(vendor_url: str) -> dict[str, Any]:
    policy = segment_policy(vendor_url)
    policy["privacy"] = {"hash_key": HASH_KEY}
    return policy


def fingerprint(text: bytes, secret: bytes = HASH_KEY.encode()) -> str:
    """What a node shows for a policy file of these bytes: keyed with the hash key, which every node shares."""
    return keys.policy_fingerprint(secret, hashlib.sha256(text).hexdigest())


@pytest.fixture
def two_nodes(vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess], postgres_url: str
              ) -> tuple[GatewayProcess, GatewayProcess, dict[str, Any]]:
    """Nodes A and B on the test's database with the same policy file and secrets, both listening for notices."""
    policy = cluster_policy(vendor.url)
    env = {"PRIVACY_GATEWAY_MASTER_KEY": secrets.token_hex(32)}
    a, b = (start_gateway(policy, env=env, name=name, args=["--database-url", postgres_url]) for name in "ab")
    return a, b, policy


def write_file(gateway: GatewayProcess, policy: dict[str, Any]) -> str:
    """Change the node's policy file without signalling it, as configuration management does; returns the
    fingerprint the node will show for it."""
    assert gateway.policy_path is not None
    gateway.policy_path.write_text(tomli_w.dumps(policy))
    return fingerprint(gateway.policy_path.read_bytes())


def digests(gateway: GatewayProcess) -> list[str]:
    return INFO.findall(httpx.get(gateway.url + "/metrics", timeout=REQUEST_TIMEOUT_S).text)


def reloads(gateway: GatewayProcess) -> float:
    return gateway.metrics().get('gateway_policy_reloads_total{result="ok"}', 0.0)


def track(gateway: GatewayProcess, key: str) -> int:
    event = {"writeKey": key, "userId": "u1", "event": "Reloaded", "messageId": secrets.token_hex(8)}
    return ingest.post(gateway.url + "/v1/track", json=event).status_code


def with_key(policy: dict[str, Any], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(policy)
    changed["sources"][0]["write_keys"] = [WRITE_KEY, key]
    return changed


def test_a_reload_signalled_on_one_node_is_applied_by_the_other_from_its_own_file(
    two_nodes: tuple[GatewayProcess, GatewayProcess, dict[str, Any]]
) -> None:
    a, b, policy = two_nodes
    assert track(b, NEW_KEY) == 401
    assert digests(a) == digests(b)

    changed = with_key(policy, NEW_KEY)
    digest = write_file(b, changed)  # B's file changes first, unsignalled
    a.reload(changed)  # then A's, and only A is signalled

    wait_until(lambda: track(b, NEW_KEY) == 200, what="node B to accept the new write key")
    assert track(a, NEW_KEY) == 200
    assert digests(a) == digests(b) == [digest]
    assert "policy reloaded from" in b.log() and "another node reloaded its policy" in b.log()
    assert "policy drift" not in a.log() + b.log()
    # One signal, one round: B's reload, set off by A's notice, is not announced back to A.
    assert reloads(a) == 1 and reloads(b) == 1


def test_a_node_whose_file_differs_shows_another_digest_and_warns_naming_both(
    two_nodes: tuple[GatewayProcess, GatewayProcess, dict[str, Any]]
) -> None:
    a, b, policy = two_nodes
    b_digest = write_file(b, with_key(policy, OTHER_KEY))  # configuration management missed node B
    a_digest = fingerprint(tomli_w.dumps(with_key(policy, NEW_KEY)).encode())
    a.reload(with_key(policy, NEW_KEY))

    warning = f"policy drift: this node runs policy fingerprint {b_digest}, another node reloaded {a_digest}"
    wait_until(lambda: warning in b.log(), what="node B to warn of the drift")
    assert digests(a) == [a_digest] and digests(b) == [b_digest]
    assert track(b, OTHER_KEY) == 200 and track(b, NEW_KEY) == 401  # B runs its own file
    assert OTHER_KEY not in b.log() and NEW_KEY not in b.log()  # the digests, never the policy's contents
    assert "policy drift" not in a.log()


def test_on_sqlite_a_reload_shows_the_new_files_digest_and_nothing_else_changes(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    assert gateway.policy_path is not None
    secret = (gateway.data_dir / keys.KEY_FILE).read_text().strip().encode()  # the key the node made at its start
    assert digests(gateway) == [fingerprint(gateway.policy_path.read_bytes(), secret)]
    assert hashlib.sha256(gateway.policy_path.read_bytes()).hexdigest() not in httpx.get(gateway.url + "/metrics",
                                                                                         timeout=REQUEST_TIMEOUT_S).text
    changed = with_key(segment_policy(vendor.url), NEW_KEY)
    gateway.reload(changed)
    digest = fingerprint(tomli_w.dumps(changed).encode(), secret)
    wait_until(lambda: digests(gateway) == [digest], what="the new file's digest in /metrics")
    assert track(gateway, NEW_KEY) == 200
    assert "another node" not in gateway.log()


def test_a_node_that_lost_its_listening_connection_reloads_on_reconnecting_only_if_its_file_changed(
    two_nodes: tuple[GatewayProcess, GatewayProcess, dict[str, Any]], postgres_url: str
) -> None:
    a, b, policy = two_nodes
    digest = write_file(b, with_key(policy, NEW_KEY))  # changed while its notices may have been missed
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        cut = conn.execute(f"SELECT pg_terminate_backend(pid) {LISTENERS}").fetchall()
        assert len(cut) == 2  # each node's listener

        wait_until(lambda: digests(b) == [digest], what="node B to reload its changed file on reconnecting")
        assert track(b, NEW_KEY) == 200
        wait_until(lambda: "invalidation: listening connection lost" in a.log()
                   and len(conn.execute(f"SELECT pid {LISTENERS}").fetchall()) == 2,
                   what="node A to listen again")
    assert reloads(a) == 0 and reloads(b) == 1  # A's file is the one it runs: nothing to reload
