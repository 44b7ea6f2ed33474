"""Frustration signals on stored sessions: found automatically once a session is idle, on demand from the CLI, served
by the admin API, and the same whichever way and however often they are computed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from replay.detect import DetectConfig, analyze_session
from tests.e2e.test_replay_native import SESSIONS, post_events, replay_policy
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.sessions import fully_analysed
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

LABELLED = [p for p in SESSIONS if json.loads(p.read_text())["labels"]]


def labelled_kinds(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in json.loads(path.read_text())["labels"]:
        counts[label["kind"]] = counts.get(label["kind"], 0) + 1
    return counts


def test_idle_sessions_are_analysed_and_listed_by_signal(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(replay_policy(vendor.url, analyze_after_idle_s=0.5))
    for path in LABELLED:
        recording = json.loads(path.read_text())
        assert post_events(gateway, recording["session_id"], recording["events"]).status_code == 200

    def analysed() -> list[dict] | None:
        sessions = gateway.admin("/admin/v1/replay/sessions?limit=100").json()["sessions"]
        return sessions if sessions and all(fully_analysed(s) for s in sessions) else None

    sessions = {s["session_id"]: s for s in wait_until(analysed, what="every session analysed")}
    for path in LABELLED:
        recording = json.loads(path.read_text())
        counts = sessions[recording["session_id"]]["signals"]
        for kind, n in labelled_kinds(path).items():
            assert counts[kind] == n, (path.name, kind)

    rage = gateway.admin("/admin/v1/replay/sessions?signal=rage_click").json()["sessions"]
    expected = {json.loads(p.read_text())["session_id"] for p in LABELLED if "rage_click" in labelled_kinds(p)}
    assert {s["session_id"] for s in rage} == expected
    by_score = gateway.admin("/admin/v1/replay/sessions?order=score").json()["sessions"]
    assert [s["score"] for s in by_score] == sorted((s["score"] for s in by_score), reverse=True)

    session_id = json.loads(LABELLED[0].read_text())["session_id"]
    signals = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/signals").json()["signals"]
    assert signals and all(s["session_id"] == session_id and s["selector"] and s["page_url"] for s in signals)
    assert all("?" not in s["page_url"] for s in signals)


def test_cli_analysis_matches_analysis_of_what_was_stored_and_is_idempotent(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(replay_policy(vendor.url))  # idle analysis after 300 s: not during this test
    recording = json.loads(LABELLED[0].read_text())
    assert post_events(gateway, recording["session_id"], recording["events"]).status_code == 200
    stored = gateway.admin(f"/admin/v1/replay/sessions/{recording['session_id']}/events").json()

    command = [sys.executable, "-m", "gateway", "replay", "analyze", "--all", "--policy", str(gateway.policy_path),
               "--data-dir", str(gateway.data_dir)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=120, env=gateway.env)
    assert first.returncode == 0, first.stderr
    assert "analysing [" in first.stderr and "1/1" in first.stderr
    signals = gateway.admin(f"/admin/v1/replay/sessions/{recording['session_id']}/signals").json()["signals"]

    direct = analyze_session(recording["session_id"], {"main": stored}, DetectConfig())
    assert [s["id"] for s in signals] == [s.id for s in direct.signals]

    again = subprocess.run(command, capture_output=True, text=True, timeout=120, env=gateway.env)
    assert again.returncode == 0
    assert gateway.admin(f"/admin/v1/replay/sessions/{recording['session_id']}/signals").json()["signals"] == signals


def test_reading_signals_needs_a_review_role_and_is_audited(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(replay_policy(vendor.url))
    recording = json.loads(LABELLED[0].read_text())
    assert post_events(gateway, recording["session_id"], recording["events"]).status_code == 200
    assert gateway.admin(f"/admin/v1/replay/sessions/{recording['session_id']}/signals").status_code == 200
    audit = gateway.admin("/admin/v1/audit?action=replay.read_signals").json()["entries"]
    assert audit[0]["target"] == recording["session_id"]


def test_the_frustration_report_counts_elements_forms_and_days(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(replay_policy(vendor.url, analyze_after_idle_s=0.3))
    labels: list[dict] = []
    for path in SESSIONS:
        recording = json.loads(path.read_text())
        labels += recording["labels"]
        assert post_events(gateway, recording["session_id"], recording["events"]).status_code == 200
    sessions = "/admin/v1/replay/sessions?limit=100"
    wait_until(lambda: all(fully_analysed(s) for s in gateway.admin(sessions).json()["sessions"]),
               what="every session analysed")

    report = gateway.admin("/admin/v1/reports/frustration").json()
    labelled = Counter(label["kind"] for label in labels)
    assert sum(row["rage_clicks"] for row in report["elements"]) == labelled["rage_click"]
    assert sum(row["dead_clicks"] for row in report["elements"]) == labelled["dead_click"]
    assert all(row["sessions_affected"] >= 1 and row["selector"] for row in report["elements"])
    assert sum(row["abandonments"] for row in report["forms"]) == labelled["form_abandonment"]
    assert sum(row["submits"] for row in report["forms"]) == 6  # the corpus manifest's submitted forms
    for row in report["forms"]:
        assert row["starts"] == row["submits"] + row["abandonments"]
        assert row["abandonment_rate"] == round(row["abandonments"] / row["starts"], 4)
        assert sum(row["drop_off_fields"].values()) == row["abandonments"]
    assert sum(day["sessions"] for day in report["daily"]) == len(SESSIONS)

    csv = gateway.admin("/admin/v1/reports/frustration?format=csv&table=forms")
    assert csv.headers["content-type"].startswith("text/csv")
    header, *rows = csv.text.strip().splitlines()
    assert header.startswith("page_url,form,starts,submits,abandonments,abandonment_rate,drop_off_fields")
    assert len(rows) == len(report["forms"])
