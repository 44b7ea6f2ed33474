"""`privacy-gateway plan infer` and `plan diff` on the shipped analytics fixtures (fixtures/pii-eval: 1,100 requests
of the four vendors' SDKs): the catalog learned from that traffic gives a draft plan per source that the same traffic
then keeps to with no violation at all, and a diff of that plan with traffic where one event was renamed reports the
rename.

Its time is three gateways' start and traffic: the two that run with the inferred plans (the traffic as it was, and
with an event renamed) run side by side, and the `plan` commands run in this process (a process each took seconds
to import the gateway)."""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main
from tests.support.gateway_process import ADMIN_TOKEN, ROOT, GatewayProcess, sha256

# The PII benchmark's reader and sender of the corpus, so that both send its requests exactly alike.
sys.path.insert(0, str(ROOT / "bench"))
from pii_leaks import CORPUS, load_corpus, send_all

pytestmark = pytest.mark.e2e

RENAMED = ("Offer Sent", "Offer Send")


def sources_policy(records: list[dict[str, Any]], plans: dict[str, str] | None = None) -> dict[str, Any]:
    """One source per vendor (its SDKs' write keys), all to the local sink; scrubbing off, which plans do not need."""
    keys: dict[str, set[str]] = defaultdict(set)
    for record in records:
        keys[record["vendor"]].add(record["write_key"])
    return {
        "sources": [{"name": f"{vendor}-app", "write_keys": sorted(keys[vendor]), "consent_model": "opt-out",
                     "destinations": ["sink"], **({"tracking_plan": plans[f"{vendor}-app"], "on_violation": "flag"}
                                                  if plans else {})} for vendor in sorted(keys)],
        "destinations": [{"name": "sink", "protocol": "sink"}],
        "pii": {"enabled": False},
        "outbox": {"max_events": 10_000_000},
        "access": {"tokens": [{"name": "tests", "role": "admin", "sha256": sha256(ADMIN_TOKEN)}]},
    }


def run_traffic(workdir: Path, records: list[dict[str, Any]], policy: dict[str, Any]) -> GatewayProcess:
    """Send every record through a gateway, then stop it (which writes the catalog); returns it, stopped."""
    gateway = GatewayProcess(workdir, policy).start()
    try:
        statuses = asyncio.run(send_all(gateway.url, records))
        assert set(statuses) <= {200, 204}, sorted(set(statuses))
        violations = gateway.admin("/admin/v1/tracking/violations?limit=5").json()["violations"]
    finally:
        gateway.stop()  # graceful: the catalog is written on the way down
    gateway.violations = violations  # type: ignore[attr-defined]
    return gateway


def plan_command(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`privacy-gateway plan ARGS`: its exit code, standard output and standard error."""
    capsys.readouterr()  # what was printed before is not this command's
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def renamed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    text = json.dumps(records).replace(f'"{RENAMED[0]}"', f'"{RENAMED[1]}"')
    return json.loads(text)


def test_inferred_plans_validate_the_traffic_they_came_from_and_diff_finds_a_rename(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = load_corpus(CORPUS)
    learned = run_traffic(tmp_path / "learn", records, sources_policy(records))

    plans = {}
    for source in sorted({f"{r['vendor']}-app" for r in records}):
        out = tmp_path / "checked" / "plans" / f"{source}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        code, _, err = plan_command(capsys, "infer", "--source", source, "--data-dir", str(learned.data_dir),
                                    "--out", str(out))
        assert code == 0, err
        plan = json.loads(out.read_text())
        assert plan["events"], source
        plans[source] = str(out)  # absolute: the later gateways read the same files
    segment_plan = json.loads((tmp_path / "checked" / "plans" / "segment-app.json").read_text())
    assert RENAMED[0] in segment_plan["events"] and segment_plan["event_types"] == ["identify", "page", "track"]

    # The traffic as it was, and with an event renamed: two gateways with the same plans, side by side.
    with ThreadPoolExecutor(2) as both:
        checked_run = both.submit(run_traffic, tmp_path / "checked", copy.deepcopy(records),
                                  sources_policy(records, plans))
        drifted_run = both.submit(run_traffic, tmp_path / "drifted", renamed(records), sources_policy(records, plans))
        checked, drifted = checked_run.result(), drifted_run.result()

    assert checked.violations == []  # type: ignore[attr-defined]
    policy_file = str(checked.policy_path)
    for source in plans:
        code, out, err = plan_command(capsys, "diff", "--policy", policy_file, "--source", source, "--data-dir",
                                      str(checked.data_dir))
        assert code == 0, out + err

    assert {v["event"] for v in drifted.violations} == {RENAMED[1]}  # type: ignore[attr-defined]
    code, out, _ = plan_command(capsys, "diff", "--policy", policy_file, "--source", "segment-app", "--data-dir",
                                str(drifted.data_dir))
    assert code == 1
    assert f"possible_rename    {RENAMED[1]}: planned as '{RENAMED[0]}'" in out
