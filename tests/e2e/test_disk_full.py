"""The data directory's disk fills up under steady load, then space returns: the gateway says so and carries on.

While the disk is full every request still gets an answer (503 with Retry-After in the vendor's shape, never a 500,
never a closed connection), /readyz turns not ready with the reasons, and the sender waits instead of dying. Once the
filler is deleted, /readyz is ready again and every acknowledged event reaches the vendor exactly once: the same
process, no restart. (The issue this answers measured a sender dead for good, plain-text 500s and ~12 % of connections
closed with no answer.)

The disk is a real one: a 40 MB tmpfs holding the data directory, filled by a file written until ENOSPC.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import pytest

from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.small_disk import fill, small_disk
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e


@dataclass
class Load:
    """Clients posting Segment batches until told to stop, keeping every answer."""

    url: str
    acknowledged: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: list[httpx.Response] = field(default_factory=list)  # every answer that was not a 200
    dropped: list[str] = field(default_factory=list)  # requests that got no answer at all
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, worker: int) -> None:
        n = 0
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            while not self.stop.is_set():
                ids = [f"w{worker}-{n}-{i}" for i in range(20)]
                n += 1
                body = {"writeKey": WRITE_KEY, "batch": [
                    {"type": "track", "event": "Viewed", "userId": f"u-{worker}", "messageId": m,
                     "properties": {"padding": "x" * 200}} for m in ids]}
                try:
                    response = client.post(self.url + "/v1/batch", content=orjson.dumps(body))
                except httpx.TransportError as error:
                    with self.lock:
                        self.dropped.append(type(error).__name__)
                    continue
                with self.lock:
                    self.statuses[response.status_code] += 1
                    if response.status_code == 200:
                        self.acknowledged.update(ids)
                    else:
                        self.refusals.append(response)

    def count(self, status: int) -> int:
        with self.lock:
            return self.statuses[status]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", size_mb=40) as path:
        yield path


def readyz(gateway: GatewayProcess) -> httpx.Response:
    return httpx.get(gateway.url + "/readyz", timeout=REQUEST_TIMEOUT_S)


def test_disk_fills_under_load_then_frees_and_every_acknowledged_event_arrives_once_without_a_restart(
    vendor: FakeVendor, disk: Path, tmp_path: Path
) -> None:
    policy = segment_policy(vendor.url)
    policy["storage"] = {"min_free_mb": 4, "retry_after_s": 2}
    gateway = GatewayProcess(tmp_path / "gw", policy)
    gateway.data_dir = disk / "data"  # the database on the small disk; the log beside the test, as journald would
    gateway.start()
    try:
        load = Load(gateway.url)
        workers = [threading.Thread(target=load.run, args=(w,)) for w in range(3)]
        for worker in workers:
            worker.start()
        wait_until(lambda: len(load.acknowledged) >= 500 and vendor.received(),
                   what="steady load acknowledged and delivered")

        filler = fill(disk)
        refused_before = load.count(503)
        not_ready = wait_until(lambda: (r := readyz(gateway)).status_code == 503 and r,
                               what="/readyz to say not ready")
        reasons = " | ".join(not_ready.json()["reasons"])
        assert "disk" in reasons, reasons
        wait_until(lambda: load.count(503) >= refused_before + 50, what="ingest refused while full")

        filler.unlink()
        wait_until(lambda: readyz(gateway).status_code == 200, what="/readyz to be ready again")
        accepted_after = load.count(200)
        wait_until(lambda: load.count(200) >= accepted_after + 20, what="ingest accepted again")
        load.stop.set()
        for worker in workers:
            worker.join(60)

        assert load.dropped == [], f"requests without an answer: {Counter(load.dropped)}"
        assert set(load.statuses) <= {200, 503}, load.statuses
        for refusal in load.refusals:
            assert refusal.headers["retry-after"] == "2"
            answer = refusal.json()
            assert answer["success"] is False and answer["code"] == "unavailable", answer

        vendor.wait_for_message_ids(load.acknowledged, timeout=90)
        delivered = Counter(event["messageId"] for event in vendor.segment_events())
        assert set(delivered) == load.acknowledged  # nothing refused was stored
        assert max(delivered.values()) == 1  # the sender waited to record its batches instead of sending them again
        assert gateway.proc is not None and gateway.proc.poll() is None  # the same process throughout

        log = gateway.log()
        assert "Traceback" not in log
        assert log.count("database writes fail") <= 3  # once per minute at most, not once per request
    finally:
        gateway.close()
