"""The operator's view: health, readiness, metrics, the admin API's deny-by-default, and the default `make run`
set-up."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import (
    ADMIN_TOKEN,
    GatewayProcess,
    segment_policy,
    sha256,
)
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e


def test_admin_api_denies_by_default(vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]) -> None:
    policy = segment_policy(vendor.url)
    policy["access"]["tokens"].append({"name": "agent", "role": "support", "sha256": sha256("support-token")})
    gateway = start_gateway(policy)

    anonymous = httpx.get(gateway.url + "/admin/v1/outbox", timeout=REQUEST_TIMEOUT_S)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert gateway.admin("/admin/v1/outbox", token="wrong").status_code == 401
    # Unknown admin paths answer 401 too before authentication, so route names do not leak.
    assert httpx.get(gateway.url + "/admin/v1/no-such-thing", timeout=REQUEST_TIMEOUT_S).status_code == 401
    assert gateway.admin("/admin/v1/outbox", token="support-token").status_code == 403
    assert gateway.admin("/admin/v1/outbox").status_code == 200
    assert gateway.admin("/admin/v1/no-such-thing").status_code == 404


def test_health_readiness_and_metrics(vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    assert httpx.get(gateway.url + "/healthz", timeout=REQUEST_TIMEOUT_S).json() == {"status": "ok"}
    assert httpx.get(gateway.url + "/readyz", timeout=REQUEST_TIMEOUT_S).json() == {"status": "ready"}
    text = httpx.get(gateway.url + "/metrics", timeout=REQUEST_TIMEOUT_S).text
    assert "# TYPE gateway_outbox_depth gauge" in text
    assert 'gateway_outbox_depth{destination="segment"} 0.0' in text


def test_default_policy_serves_a_local_sink_and_prints_a_one_time_admin_token(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    gateway = start_gateway(None)  # no --policy: the embedded default, as `make run` serves it
    match = re.search(r"Admin token: (pgw_\S+)", gateway.log())
    assert match, gateway.log()
    token = match.group(1)

    event = {"writeKey": "dev-write-key", "event": "Tried It", "userId": "newcomer", "messageId": "first"}
    assert ingest.post(gateway.url + "/v1/track", json=event).status_code == 200
    sink = wait_until(lambda: gateway.admin("/admin/v1/sink", token=token).json()["events"], what="the sink to fill")
    assert sink[0]["message_id"] == "first"
    assert sink[0]["event"]["event"] == "Tried It"
    assert "writeKey" not in sink[0]["event"]

    gateway.stop()
    gateway.start()
    assert gateway.log().count("Admin token:") == 1  # printed once, ever
    assert gateway.admin("/admin/v1/sink", token=token).status_code == 200
    assert gateway.admin("/admin/v1/sink", token=ADMIN_TOKEN).status_code == 401


def test_purge_command_shows_progress_and_what_it_purged(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    import subprocess
    import sys

    gateway = start_gateway(segment_policy(vendor.url))
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "purge", "--policy", str(gateway.policy_path), "--data-dir",
         str(gateway.data_dir)], capture_output=True, text=True, timeout=60, env=gateway.env,
    )
    assert result.returncode == 0, result.stderr
    assert "purging [" in result.stderr and "8/8" in result.stderr
    assert result.stdout.startswith("purged: replay 0, delivery_log 0") and "plan_violation 0" in result.stdout


def test_scrub_dry_run_prints_the_scrubbed_payload_and_the_findings(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    payload = {"batch": [{"type": "identify", "userId": "u1", "traits": {"email": "jane@example.org",
                                                                        "password": "hunter2"}}]}
    result = subprocess.run([sys.executable, "-m", "gateway", "scrub", "--payload"], input=json.dumps(payload),
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})  # not the user's cache
    assert result.returncode == 0, result.stderr
    scrubbed = json.loads(result.stdout)
    traits = scrubbed["batch"][0]["traits"]
    assert "password" not in traits and traits["email"] != "jane@example.org"
    assert "SENSITIVE_KEY" in result.stderr and "jane@example.org" not in result.stderr
