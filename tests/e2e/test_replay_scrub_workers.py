"""Recordings' free texts (text nodes, mutation texts) scrubbed by the scrub workers (`[http] scrub_workers`), against a
real gateway process and its real workers: what is stored is the same as when the gateway scrubs on its loop, and a
worker killed under recording requests leaves each request either stored whole (200) or not at all (503 with
Retry-After)."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.test_replay_native import SESSIONS, post_events, replay_policy
from tests.e2e.test_scrub_workers import STARTUP_S, with_workers, workers_of
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import GatewayProcess
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

SENT_BY = 40  # events per request


@pytest.fixture
def vendor() -> Any:
    vendor = FakeVendor().start()
    yield vendor
    vendor.stop()


def recordings(count: int) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in SESSIONS[:count]]


def stored_events(gateway: GatewayProcess, session_id: str) -> bytes:
    answer = gateway.admin(f"/admin/v1/replay/sessions/{session_id}/events")
    assert answer.status_code == 200, answer.text
    return orjson.dumps(answer.json())


def test_recordings_are_stored_the_same_whether_workers_or_the_loop_scrub(tmp_path: Path, vendor: FakeVendor) -> None:
    sent = recordings(4)
    stored: dict[int, dict[str, bytes]] = {}
    for workers in (0, 1):
        gateway = GatewayProcess(tmp_path / f"workers-{workers}", with_workers(replay_policy(vendor.url), workers))
        gateway.start(timeout=STARTUP_S)
        try:
            assert len(workers_of(gateway)) == workers
            for recording in sent:
                events = recording["events"]
                for i in range(0, len(events), SENT_BY):
                    answer = post_events(gateway, recording["session_id"], events[i:i + SENT_BY])
                    assert answer.status_code == 200, answer.text
            stored[workers] = {r["session_id"]: stored_events(gateway, r["session_id"]) for r in sent}
        finally:
            gateway.close()
    assert stored[1] == stored[0]
    texts_sent = {node["textContent"] for r in sent for node in _text_nodes(r["events"])}
    texts_kept = {node["textContent"] for body in stored[1].values() for node in _text_nodes(orjson.loads(body))}
    assert texts_sent - texts_kept, "some text was scrubbed (the corpus has PII in its text nodes)"


def _text_nodes(value: Any) -> list[dict[str, Any]]:
    """Every serialized text node in `value` (full snapshots and mutation adds)."""
    if isinstance(value, list):
        return [node for item in value for node in _text_nodes(item)]
    if not isinstance(value, dict):
        return []
    found = [value] if value.get("type") == 3 and isinstance(value.get("textContent"), str) else []
    return found + [node for item in value.values() for node in _text_nodes(item)]


def stored_chunks(gateway: GatewayProcess) -> float:
    return sum(v for k, v in gateway.metrics().items() if k.startswith("replay_chunks_stored_total"))


def test_a_worker_killed_under_recordings_leaves_each_request_stored_whole_or_not_at_all(
        tmp_path: Path, vendor: FakeVendor) -> None:
    gateway = GatewayProcess(tmp_path, with_workers(replay_policy(vendor.url), 1)).start(timeout=STARTUP_S)
    try:
        first = workers_of(gateway)
        # One session per request, so that what a request stored can be read back alone.
        requests = [(f"killed-{n}-{i}-{r['session_id']}", r["events"][i:i + SENT_BY])
                    for n in range(3) for r in recordings(6) for i in range(0, len(r["events"]), SENT_BY)]
        answers: dict[str, httpx.Response] = {}

        def send(part: list[tuple[str, list[dict[str, Any]]]]) -> None:
            for session_id, events in part:
                # Not resent on a 503: what a 503 left stored is asserted below.
                answers[session_id] = post_events(gateway, session_id, events, retry_busy=False)

        senders = [threading.Thread(target=send, args=(requests[k::4],)) for k in range(4)]
        for thread in senders:
            thread.start()
        wait_until(lambda: stored_chunks(gateway) >= 5, timeout=120, what="recordings being stored")
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        for thread in senders:
            thread.join(300)

        assert len(answers) == len(requests)
        for session_id, events in requests:
            answer = answers[session_id]
            assert answer.status_code in (200, 503), answer.text
            if answer.status_code == 503:
                assert answer.headers["retry-after"]
                assert gateway.admin(f"/admin/v1/replay/sessions/{session_id}").status_code == 404, "nothing stored"
            else:
                assert len(orjson.loads(stored_events(gateway, session_id))) == len(events), "stored whole"
        wait_until(lambda: len(workers_of(gateway)) == 1 and not workers_of(gateway) & first, timeout=120,
                   what="the killed worker to be replaced")
        assert gateway.metrics()["gateway_scrub_worker_restarts_total"] == 1
        assert post_events(gateway, "after-the-kill", recordings(1)[0]["events"][:SENT_BY]).status_code == 200
    finally:
        gateway.close()
