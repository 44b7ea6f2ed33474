"""`privacy-gateway token list|create|revoke`: the operator sees every access token, the first start's one-time admin
token included, and revoking a token ends it at once on the running gateway, for the admin API and for UI sessions
signed in with it; the change is in the audit log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, ROOT, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e


def token_command(gateway: GatewayProcess, *args: str) -> subprocess.CompletedProcess[str]:
    policy = ["--policy", str(gateway.policy_path)] if gateway.policy_path else []
    return subprocess.run([sys.executable, "-m", "gateway", "token", *args, *policy, "--data-dir",
                           str(gateway.data_dir)], capture_output=True, text=True, cwd=ROOT, env=gateway.env,
                          timeout=60)


def listed(gateway: GatewayProcess) -> dict[str, list[str]]:
    """`token list --json` as {name: [id, role, where kept]}; the table `token list` prints says the same."""
    result = token_command(gateway, "list", "--json")
    assert result.returncode == 0, result.stderr
    tokens = {t["name"]: [t["id"], t["role"], t["kept_in"]] for t in json.loads(result.stdout)}
    table = token_command(gateway, "list").stdout.splitlines()
    assert table[0].split() == ["ID", "NAME", "ROLE", "KEPT", "IN", "CREATED"]
    assert sorted(line.split()[1] for line in table[1:]) == sorted(tokens)
    return tokens


def status(gateway: GatewayProcess, token: str) -> int:
    return gateway.admin("/admin/v1/outbox", token=token).status_code


def ui_signed_in(gateway: GatewayProcess, token: str) -> httpx.Client:
    client = httpx.Client(base_url=gateway.url, follow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    page = client.get("/ui/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    assert client.post("/ui/sign-in", data={"token": token, "csrf": csrf.group(1)}).status_code == 303
    return client


def test_the_first_start_token_is_listed_and_revoking_it_ends_it_at_once(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    gateway = start_gateway(None)  # the embedded default policy has no admin token: a first start makes one
    bootstrap = re.search(r"Admin token: (pgw_\S+)", gateway.log())
    assert bootstrap
    token = bootstrap.group(1)
    tokens = listed(gateway)
    assert tokens["bootstrap"][1:] == ["admin", "data directory"]
    assert token not in token_command(gateway, "list").stdout

    ui = ui_signed_in(gateway, token)
    assert ui.get("/ui/sessions").status_code == 200 and status(gateway, token) == 200
    revoked = token_command(gateway, "revoke", tokens["bootstrap"][0])
    assert revoked.returncode == 0, revoked.stderr
    assert "no admin token is left" in revoked.stderr

    assert status(gateway, token) == 401  # the running gateway, at once
    assert ui.get("/ui/sessions").status_code == 303  # to the sign-in page: the session ended with its token
    assert "bootstrap" not in listed(gateway)


def test_a_created_token_works_at_once_and_changes_are_audited(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    created = token_command(gateway, "create", "--role", "admin", "--name", "night-shift")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("pgw_") and status(gateway, token) == 200

    tokens = listed(gateway)
    assert tokens["tests"][1:] == ["admin", "policy"]
    assert tokens["night-shift"][1:] == ["admin", "data directory"]
    assert token_command(gateway, "revoke", tokens["night-shift"][0][:8]).returncode == 0
    assert status(gateway, token) == 401

    audit = gateway.admin("/admin/v1/audit").json()["entries"]
    changes = [(e["actor"], e["action"], e["target"]) for e in audit if e["action"].startswith("access.")]
    assert sorted(changes) == [("cli", "access.token_create", "night-shift"),
                               ("cli", "access.token_revoke", "night-shift")]
    assert gateway.admin("/admin/v1/audit/verify").json()["ok"] is True


def test_a_policy_token_is_not_revoked_here_and_the_command_says_how(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(segment_policy(vendor.url))
    policy_id = listed(gateway)["tests"][0]
    refused = token_command(gateway, "revoke", policy_id)
    assert refused.returncode != 0 and "remove its [[access.tokens]] entry and reload" in refused.stderr
    assert token_command(gateway, "revoke", "ffffffffffff").returncode != 0
    wait_until(lambda: status(gateway, ADMIN_TOKEN) == 200, what="the policy token to keep working")
