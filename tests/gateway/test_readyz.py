"""/readyz says not ready, and why, while a destination's sender is down and waiting to restart; ready again once it
runs. (Writes failing and the disk below the reserve: tests/gateway/test_storage_unavailable.py and
tests/e2e/test_disk_full.py.)
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.outbox.sender import Sender
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy
from tests.support.sink_policy import SINK_POLICY
from tests.support.waiting import wait_until

POLICY = SINK_POLICY


def test_a_sender_down_makes_readyz_not_ready_with_the_reason_until_it_runs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = threading.Event()
    broken.set()
    running = Sender.run

    async def run_with_a_bug(self: Sender) -> None:
        if broken.is_set():
            raise RuntimeError("a bug in the sender")
        await running(self)

    monkeypatch.setattr(Sender, "run", run_with_a_bug)
    policy = parse_policy(POLICY, "readyz.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, tmp_path, announce_token=lambda token: None)) as client:
        not_ready = wait_until(lambda: (r := client.get("/readyz")).status_code == 503 and r,
                               what="/readyz to say the sender is down")
        reasons = not_ready.json()["reasons"]
        assert any(reason.startswith("sender:sink stopped after RuntimeError; restarting in") for reason in reasons), \
            reasons

        broken.clear()
        wait_until(lambda: client.get("/readyz").status_code == 200, what="/readyz to be ready again")
        assert client.get("/readyz").json() == {"status": "ready"}
        accepted = client.post("/v1/batch", json={"writeKey": "wk", "batch": [
            {"type": "track", "event": "Viewed", "userId": "u-1"}]})
        assert accepted.status_code == 200
        gateway = client.app.state.gateway  # type: ignore[attr-defined]
        wait_until(lambda: gateway.outbox.depth()["sink"] == 0, what="the restarted sender to deliver")
