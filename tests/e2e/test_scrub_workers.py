"""PII scrubbing in worker processes (`[http] scrub_workers`), against a real gateway process and its real workers:
destinations get the same bytes as when the gateway scrubs on its loop; a worker killed while it scrubs loses no
acknowledged event (the request goes to another worker, or is refused with Retry-After having stored nothing) and is
replaced; a policy reload that changes `[pii]` reaches the workers."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fake_vendor import Answer, FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import START_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

WORKERS = 2
HASH_KEY = "the-same-hash-key-for-both-gateways"
# Each worker loads the PII engine (seconds each on the shared 2-core machine) before serving: the gateway's own
# start's deadline, which has room for that (120 s ran out here at load 14 with two workers).
STARTUP_S = START_TIMEOUT_S


def with_workers(policy: dict[str, Any], workers: int) -> dict[str, Any]:
    policy["http"] = {"scrub_workers": workers, "max_queue_wait_s": 30}
    policy["privacy"] = {"hash_key": HASH_KEY}  # the same keyed hashes in every gateway of a test
    return policy


def batch(n: int = 50, seed: str = "") -> dict[str, Any]:
    """Track calls full of what the scrubber acts on: emails, phone numbers, names in free text, ids, IPs."""
    def event(i: int) -> dict[str, Any]:
        tag = f"{seed}{i}" if seed else uuid.uuid4().hex
        return {"type": "track", "event": "Order Completed", "messageId": f"m-{tag}", "userId": f"user-{tag}",
                "timestamp": "2026-12-04T10:00:00.000Z",
                "context": {"ip": f"203.0.113.{i % 250}", "page": {"url": f"https://shop.example/o?email=a{tag}@x.io"}},
                "properties": {"note": f"Call Jane Doe on +44 20 7946 {i % 10000:04d} or jane.{tag}@example.com",
                               "order": {"id": f"o-{tag}", "total": 12345678901234567890123 + i, "ratio": 0.1 + i,
                                         "email": f"buyer{tag}@example.org", "card": "4111 1111 1111 1111"},
                               "shoe_size": f"size {i}"}}

    return {"writeKey": WRITE_KEY, "batch": [event(i) for i in range(n)]}


def queued_bodies(data_dir: Path) -> list[tuple[str, bytes]]:
    """(message id, encoded body) of every delivery the outbox holds, in order."""
    with sqlite3.connect(f"file:{data_dir / 'gateway.sqlite3'}?mode=ro", uri=True) as conn:
        return [(m, bytes(b)) for m, b in conn.execute("SELECT message_id, body FROM outbox ORDER BY id")]


def workers_of(gateway: GatewayProcess) -> set[int]:
    """The gateway's child processes: its scrub workers."""
    assert gateway.proc is not None
    pid = gateway.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


@pytest.fixture
def refusing_vendor() -> Any:
    """A vendor that refuses everything for now: what the gateway queued stays in its outbox to be compared."""
    vendor = FakeVendor().start()
    vendor.default = Answer(status=503)
    yield vendor
    vendor.stop()


@pytest.fixture
def vendor() -> Any:
    vendor = FakeVendor().start()
    yield vendor
    vendor.stop()


def test_destinations_get_the_same_bytes_whether_workers_or_the_loop_scrub(
        tmp_path: Path, refusing_vendor: FakeVendor) -> None:
    retry = {"initial_backoff_s": 60, "max_backoff_s": 60, "timeout_s": 5}
    bodies = [batch(seed=f"b{n}-") for n in range(3)]
    queued = {}
    for workers in (0, WORKERS):
        policy = with_workers(segment_policy(refusing_vendor.url, retry=retry), workers)
        gateway = GatewayProcess(tmp_path / f"workers-{workers}", policy).start(timeout=STARTUP_S)
        try:
            if workers:
                assert len(workers_of(gateway)) == WORKERS
            for body in bodies:
                assert httpx.post(gateway.url + "/v1/batch", json=body, timeout=60).status_code == 200
            queued[workers] = queued_bodies(gateway.data_dir)
        finally:
            gateway.close()
    in_loop, in_workers = queued[0], queued[WORKERS]
    assert len(in_loop) == sum(len(body["batch"]) for body in bodies)
    assert in_workers == in_loop
    scrubbed = b"".join(body for _, body in in_workers)
    assert b"@example.com" not in scrubbed and b"4111 1111" not in scrubbed, "the workers did scrub"


def test_a_worker_killed_while_scrubbing_loses_no_acknowledged_event_and_is_replaced(
        tmp_path: Path, vendor: FakeVendor) -> None:
    gateway = GatewayProcess(tmp_path, with_workers(segment_policy(vendor.url), WORKERS)).start(timeout=STARTUP_S)
    try:
        first = workers_of(gateway)
        assert len(first) == WORKERS
        bodies = [batch(100) for _ in range(24)]
        answers: list[httpx.Response] = []

        def send() -> None:
            with httpx.Client(timeout=120) as client:
                for body in bodies:
                    answers.append(client.post(gateway.url + "/v1/batch", json=body))

        senders = [threading.Thread(target=send) for _ in range(1)]
        for thread in senders:
            thread.start()
        # Kill every worker while one of them scrubs a request (the gauge says one is busy).
        wait_until(lambda: gateway.metrics().get("gateway_scrub_workers_busy", 0) >= 1, timeout=60,
                   what="a worker to be scrubbing")
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        for thread in senders:
            thread.join(300)

        assert len(answers) == len(bodies)
        for answer in answers:
            assert answer.status_code in (200, 503), answer.text
            if answer.status_code == 503:
                assert answer.headers["retry-after"]
        taken = {e["messageId"] for body, a in zip(bodies, answers, strict=True) if a.status_code == 200
                 for e in body["batch"]}
        refused = {e["messageId"] for body, a in zip(bodies, answers, strict=True) if a.status_code != 200
                   for e in body["batch"]}
        assert vendor.wait_for_message_ids(taken, timeout=120) >= taken
        assert not vendor.message_ids() & refused, "a refused request stored nothing"
        wait_until(lambda: len(workers_of(gateway)) == WORKERS and not workers_of(gateway) & first, timeout=120,
                   what="the killed workers to be replaced")
        assert gateway.metrics()["gateway_scrub_worker_restarts_total"] == WORKERS
        assert httpx.post(gateway.url + "/v1/batch", json=batch(), timeout=60).status_code == 200
    finally:
        gateway.close()


def test_a_reload_that_changes_pii_reaches_the_workers(tmp_path: Path, vendor: FakeVendor) -> None:
    policy = with_workers(segment_policy(vendor.url), WORKERS)
    gateway = GatewayProcess(tmp_path, policy).start(timeout=STARTUP_S)
    try:
        def shoe_size_sent(body: dict[str, Any]) -> Any:
            assert httpx.post(gateway.url + "/v1/batch", json=body, timeout=60).status_code == 200
            ids = {e["messageId"] for e in body["batch"]}
            vendor.wait_for_message_ids(ids, timeout=60)
            return {e["properties"].get("shoe_size") for e in vendor.segment_events() if e["messageId"] in ids}

        assert shoe_size_sent(batch(4, "before-")) == {f"size {i}" for i in range(4)}
        before, old_workers = gateway.log().count("policy reloaded from"), workers_of(gateway)
        policy["pii"] = {"extra_sensitive_keys": ["shoe_size"]}
        gateway.reload(policy)
        wait_until(lambda: gateway.log().count("policy reloaded from") > before, timeout=120, what="the reload")

        assert not {f"size {i}" for i in range(4)} & shoe_size_sent(batch(4, "after-")), "now a sensitive key"
        # The new workers load the PII engine as at start (STARTUP_S), then the old ones retire.
        wait_until(lambda: len(workers_of(gateway)) == WORKERS and not workers_of(gateway) & old_workers,
                   timeout=STARTUP_S, what="the old workers to retire")
        assert gateway.metrics().get("gateway_scrub_worker_restarts_total", 0) == 0, "retired, not restarted"
    finally:
        gateway.close()


def running(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (an exited one may linger as a zombie until it is reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_workers_exit_when_the_gateway_is_killed(tmp_path: Path, vendor: FakeVendor) -> None:
    """SIGKILL gives the serving process no chance to stop its workers: each reads the end of its pipe and exits, so
    none lives on holding a PII engine's memory (or a hash key) without a gateway."""
    gateway = GatewayProcess(tmp_path, with_workers(segment_policy(vendor.url), WORKERS)).start(timeout=STARTUP_S)
    try:
        workers = workers_of(gateway)
        assert len(workers) == WORKERS
        assert httpx.post(gateway.url + "/v1/batch", json=batch(), timeout=60).status_code == 200
        assert gateway.proc is not None
        gateway.proc.kill()
        gateway.proc.wait(30)
        wait_until(lambda: not any(running(pid) for pid in workers), timeout=60, what="the workers to exit")
    finally:
        gateway.close()
