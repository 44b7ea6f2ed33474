"""Recordings from any rrweb recorder (`/v1/replay`) reach a PostHog destination with `replay = true` through the
outbox like events: queued before the 2xx while PostHog is down, delivered when it is back, and a person's withdrawal
of `session_replay` (with `purge_queued`) removes their queued recordings and leaves their queued events.
(tests/browser/test_posthog_browser.py drives posthog-js itself.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.test_consent import record_from_backend
from tests.e2e.test_replay_native import SESSIONS, post_events
from tests.support import ingest
from tests.support.fake_vendor import Answer, FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, VENDOR_ENV, WRITE_KEY, GatewayProcess, vendors_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e


def snapshots_by_person(vendor: FakeVendor) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for request in vendor.accepted():
        if request.path == "/s/":
            for event in request.json()["batch"]:
                found.setdefault(event["distinct_id"], []).append(event)
    return found


def queued(gateway: GatewayProcess) -> int:
    [posthog] = gateway.admin("/admin/v1/outbox").json()["destinations"]
    return int(posthog["queued"])


def test_queued_recordings_wait_for_posthog_and_a_withdrawal_removes_only_that_persons_recordings(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    vendor = FakeVendor().start()
    try:
        policy = vendors_policy({"posthog": vendor.url})
        policy["destinations"][0]["replay"] = True
        policy["consent"] = {"on_withdrawal": "purge_queued"}
        policy["replay"] = {"analyze_after_idle_s": 3600}
        gateway = start_gateway(policy, env=VENDOR_ENV)
        vendor.stop()  # PostHog is down: what the gateway acknowledges waits in the outbox
        events = json.loads(SESSIONS[0].read_text())["events"]
        for person in ("carol", "dave"):
            answer = post_events(gateway, f"sess-{person}", {"events": events, "userId": person})
            assert answer.status_code == 200 and answer.json()["stored"] == 1
        event = [{"event": "Viewed", "distinct_id": "carol", "properties": {"token": WRITE_KEY}}]
        assert ingest.post(gateway.url + "/e/", content=orjson.dumps(event)).status_code == 200
        assert queued(gateway) >= 3  # two recordings (one or more $snapshot events each) and one event

        answer = record_from_backend(gateway, userId="carol", denied=["session_replay"]).json()
        assert answer["withdrawn"] == ["session_replay"] and answer["removed_queued_events"] >= 1

        vendor.start()
        wait_until(lambda: "dave" in snapshots_by_person(vendor), what="dave's recording at PostHog")
        wait_until(lambda: queued(gateway) == 0, what="the outbox to drain")
        persons = snapshots_by_person(vendor)
        assert "carol" not in persons
        dave = [e for s in persons["dave"] for e in s["properties"]["$snapshot_data"]]
        assert len(dave) == len(events) and {s["properties"]["$session_id"] for s in persons["dave"]} == {"sess-dave"}
        batches = [e for r in vendor.accepted() if r.path == "/batch/" for e in r.json()["batch"]]
        assert [e["event"] for e in batches] == ["Viewed"]  # carol's event stayed queued and was delivered
    finally:
        vendor.stop()


def test_a_full_outbox_refuses_the_recording_with_retry_after_and_the_retry_is_queued(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    vendor = FakeVendor().start()
    try:
        policy = vendors_policy({"posthog": vendor.url})
        policy["destinations"][0]["replay"] = True
        policy["outbox"] = {"max_events": 1, "full_retry_after_s": 7}
        policy["replay"] = {"analyze_after_idle_s": 3600}
        gateway = start_gateway(policy, env=VENDOR_ENV)
        vendor.stop()
        events = json.loads(SESSIONS[0].read_text())["events"]
        first = post_events(gateway, "sess-first", {"events": events, "userId": "erin"})
        assert first.status_code == 200 and queued(gateway) == 1
        refused = post_events(gateway, "sess-second", {"events": events, "userId": "erin"}, retry_busy=False)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "7"
        assert refused.json()["error"] == "unavailable"

        vendor.start()
        wait_until(lambda: queued(gateway) == 0, what="the first recording delivered")
        again = post_events(gateway, "sess-second", {"events": events, "userId": "erin"})  # the SDK's retry
        assert again.status_code == 200 and again.json()["duplicates"] == 1  # stored the first time
        def sessions() -> set[str]:
            return {s["properties"]["$session_id"] for s in snapshots_by_person(vendor).get("erin", [])}

        wait_until(lambda: sessions() == {"sess-first", "sess-second"},
                   what="both recordings at the fake PostHog")
    finally:
        vendor.stop()


def test_a_dead_lettered_recording_is_not_redriven_once_its_person_withdrew_session_replay(
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    vendor = FakeVendor().start()
    try:
        vendor.rule = lambda request: Answer(400, b'{"error":"refused"}') if request.path == "/s/" else None
        policy = vendors_policy({"posthog": vendor.url})
        policy["destinations"][0]["replay"] = True
        policy["replay"] = {"analyze_after_idle_s": 3600}
        gateway = start_gateway(policy, env=VENDOR_ENV)
        events = json.loads(SESSIONS[0].read_text())["events"]
        for person in ("carol", "dave"):
            assert post_events(gateway, f"sess-{person}", {"events": events, "userId": person}).status_code == 200
        wait_until(lambda: queued(gateway) == 0, what="PostHog to refuse every recording")
        dead = gateway.admin("/admin/v1/dead-letters").json()["counts"]["posthog"]
        assert dead >= 2

        # Carol withdraws session_replay only: her events may still go to PostHog, her recording may not.
        answer = record_from_backend(gateway, userId="carol", denied=["session_replay"]).json()
        assert answer["withdrawn"] == ["session_replay"]
        vendor.rule = None
        redriven = httpx.post(gateway.url + "/admin/v1/dead-letters/redrive", json={"all": True},
                              timeout=REQUEST_TIMEOUT_S,
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
        kept = redriven["kept"].get("consent withdrawn", 0)
        assert kept >= 1 and redriven["redriven"] + kept == dead

        wait_until(lambda: "dave" in snapshots_by_person(vendor), what="dave's recording at PostHog")
        wait_until(lambda: queued(gateway) == 0, what="the outbox to drain")
        assert set(snapshots_by_person(vendor)) == {"dave"}
        assert gateway.admin("/admin/v1/dead-letters").json()["counts"] == {"posthog": kept}
    finally:
        vendor.stop()
