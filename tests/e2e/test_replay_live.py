"""Signals while a session is being recorded: with the default policy, a rage click is in the admin API seconds after
the chunk that completes it (issue 18: under 5 s), not after `analyze_after_idle_s` (300 s) of quiet. When the rest
of the session arrives, the live signals are those a full analysis of the stored session gives, with the same ids."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from replay.detect import DetectConfig, analyze_session
from tests.e2e.test_replay_native import CORPUS, post_events, replay_policy
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

RAGE = CORPUS / "sess_56ec093ddd55.json"  # labelled: one rage click on "Check availability", nothing else


def chunks_of(events: list[dict[str, Any]], every_ms: int = 2000) -> list[list[dict[str, Any]]]:
    """Events in batches of `every_ms`, as posthog-js and rrweb's recorders flush them."""
    chunks: list[list[dict[str, Any]]] = []
    start: int | None = None
    for event in events:
        if start is None or event["timestamp"] - start >= every_ms:
            chunks.append([])
            start = event["timestamp"]
        chunks[-1].append(event)
    return chunks


def rage_clicks(gateway: GatewayProcess, session_id: str) -> list[dict[str, Any]]:
    signals = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/signals").json()["signals"]
    return [s for s in signals if s["kind"] == "rage_click"]


def test_a_rage_click_is_in_the_api_from_the_live_pass_once_the_chunk_that_completes_it_is_in(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    gateway = start_gateway(replay_policy(vendor.url))  # default [replay]: idle analysis after 300 s
    recording = json.loads(Path(RAGE).read_text())
    session_id, events = recording["session_id"], recording["events"]
    label = recording["labels"][0]
    before = [e for e in events if e["timestamp"] <= label["t_end_ms"]]
    after = events[len(before):]

    chunks = chunks_of(before)
    for chunk in chunks[:-1]:
        assert post_events(gateway, session_id, chunk).status_code == 200
    assert rage_clicks(gateway, session_id) == []  # not yet: its last clicks are in the next chunk

    sent = time.monotonic()
    assert post_events(gateway, session_id, chunks[-1]).status_code == 200
    # How soon is a figure (printed here; bench/replay_live.py measures the lag), not a bound this test could hold on a
    # loaded machine: what it asserts is that the live pass found it, long before the idle pass (300 s) would run.
    found = wait_until(lambda: rage_clicks(gateway, session_id), interval=0.05, what="the rage click in the admin API")
    latency = time.monotonic() - sent
    print(f"rage click in the API {latency:.2f} s after the chunk that completes it")
    assert found[0]["selector"] == 'button.pill-btn[data-testid="check-avail"]'
    session = gateway.admin(f"/admin/v1/replay/sessions/{session_id}").json()
    assert session["signals"]["rage_click"] == 1 and session["score"] > 0
    assert session["analyzed_at"] is None  # the idle pass (the safety net) still runs once the session is quiet

    for chunk in chunks_of(after):
        assert post_events(gateway, session_id, chunk).status_code == 200
    stored = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/events").json()
    full = analyze_session(session_id, {"main": stored}, DetectConfig())

    def same_as_full_analysis() -> bool:
        signals = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/signals").json()["signals"]
        return [s["id"] for s in signals] == [s.id for s in full.signals]

    wait_until(same_as_full_analysis, what="live signals equal to a full analysis of the session")
    assert [s.kind for s in full.signals] == ["rage_click"]
