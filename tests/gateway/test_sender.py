"""A destination's sender against a real HTTP vendor on loopback (the fake vendor), over a real outbox in SQLite:
batches in flight, timeouts that grow for a slow vendor, one batch at a time while the vendor fails, and supervision
(a sender that raises is started again and delivers what was queued)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from gateway.database import Database
from gateway.metrics import Metrics
from gateway.outbox import MIGRATIONS, Delivery, OutboxStore, Sender
from gateway.outbox.replies import MAX_REPLY_CHARS
from gateway.outbox.sender import LINGER_S
from gateway.outbox.transport import HttpTransport
from gateway.protocols import segment
from gateway.protocols.codec import Limits
from gateway.storage.engine import Engine
from gateway.supervisor import Backoff, Supervised
from policies.policy import Destination, Retry
from tests.support.fake_vendor import Answer, FakeVendor, Recorded

BATCH_OF_FIVE = Limits(max_body_bytes=500 * 1024, max_event_bytes=32 * 1024, max_events=5)
TWENTY = Limits(max_body_bytes=500 * 1024, max_event_bytes=32 * 1024, max_events=20)
FAST = Retry(initial_backoff_s=0.05, max_backoff_s=0.2, jitter=0.0, timeout_s=5.0)
RETRIED = 'gateway_events_retried_total'


def destination(url: str, **changes: Any) -> Destination:
    base = Destination("segment", "segment", url, {"write_key": "w"}, ("analytics",), retry=FAST)
    return replace(base, **changes)


def deliveries(prefix: str, n: int) -> list[Delivery]:
    return [Delivery("segment", "web", f"{prefix}-{i}",
                     (orjson.dumps({"type": "track", "event": "Viewed", "messageId": f"{prefix}-{i}"}), "event"))
            for i in range(n)]


@dataclass
class Running:
    outbox: OutboxStore
    sender: Sender
    metrics: Metrics

    async def queue(self, items: list[Delivery]) -> None:
        await self.outbox.commit(items, also=None)

    async def until(self, condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.02)


@asynccontextmanager
async def sending(where: Path | Engine, dest: Destination, limits: Limits = BATCH_OF_FIVE,
                  linger_s: float = LINGER_S) -> AsyncIterator[Running]:
    db = Database(where, MIGRATIONS)
    outbox = OutboxStore(db, 100_000, 30, ["segment"])
    metrics = Metrics()
    async with httpx.AsyncClient() as client:
        sender = Sender(dest, HttpTransport(segment.CODEC, dest, client), outbox, limits, metrics,
                        keep_reply=lambda reply: reply[:MAX_REPLY_CHARS], linger_s=linger_s)
        sender.supervisor.backoff = Backoff(initial_s=0.05, max_s=0.2)
        sender.start()
        try:
            yield Running(outbox, sender, metrics)
        finally:
            await sender.stop()
            db.close()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def batches_sent(vendor: FakeVendor) -> list[list[str]]:
    """The message ids of each batch the vendor took, in order."""
    return [[event["messageId"] for event in r.json()["batch"]] for r in vendor.accepted()]


def delivered_ids(vendor: FakeVendor) -> Counter[str]:
    return Counter(event["messageId"] for event in vendor.segment_events())


def test_with_max_in_flight_a_slow_vendor_gets_several_batches_at_once(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    def slow_at_first(request: Recorded) -> Answer | None:
        # The first four batches are answered only once all four are at the vendor. A fixed delay (0.3 s) let a loaded
        # machine start the fourth request after the first was answered; a sender sending fewer at once waits here
        # until the rule gives up (and fails below).
        if request.number <= 4:
            vendor.hold_until_arrived(4)
        return None

    vendor.rule = slow_at_first

    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url, max_in_flight=4)) as running:
            await running.queue(deliveries("e", 40))  # eight batches of five
            await running.until(lambda: len(delivered_ids(vendor)) == 40, what="all forty delivered")

    run(scenario)
    assert vendor.most_in_flight() == 4
    assert max(delivered_ids(vendor).values()) == 1


def test_events_committed_shortly_after_one_another_leave_in_one_batch_not_one_per_commit(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    # Each batch costs the sender a POST, a read and a write whatever its size: it waits (up to linger_s) for more
    # rows while less than a full batch is queued. Without the wait the first commit's rows leave alone.
    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url), TWENTY, linger_s=5.0) as running:
            # First one event delivered, so that the sender is idle, waiting for rows (its very first look at the
            # outbox, on start, could otherwise take the first commit's rows before it knew there were any).
            await running.queue(deliveries("w", 1))
            await running.until(lambda: len(delivered_ids(vendor)) == 1, what="the first event delivered")
            await running.queue(deliveries("a", 3))
            await asyncio.sleep(0.3)  # a second request's commit, a moment later
            await running.queue(deliveries("b", 4))
            await running.until(lambda: len(delivered_ids(vendor)) == 8, what="all seven delivered")

    run(scenario)
    # (Compared as batches, not as a count of requests: on a loaded machine a POST may time out and be sent again.)
    assert [*(f"a-{i}" for i in range(3)), *(f"b-{i}" for i in range(4))] in batches_sent(vendor)


def test_a_full_batch_queued_leaves_at_once_without_waiting_for_more(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    async def scenario() -> None:
        # A linger far longer than the test's deadline: only batches that are full may leave, and they do.
        async with sending(database_location, destination(vendor.url), linger_s=600.0) as running:
            await running.queue(deliveries("e", 10))  # two full batches of five
            await running.until(lambda: len(delivered_ids(vendor)) == 10, what="both full batches delivered")

    run(scenario)
    assert {len(batch) for batch in batches_sent(vendor)} == {5}


def test_a_batch_that_fills_while_the_sender_waits_for_more_leaves_at_once(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url), linger_s=600.0) as running:
            # One event first, on its own: the sender then knows a row's size and waits on short batches.
            await running.queue(deliveries("w", 1))
            await running.until(lambda: len(delivered_ids(vendor)) == 1, what="the first event delivered")
            await running.queue(deliveries("a", 2))  # short of a batch of five: the sender waits
            await running.queue(deliveries("b", 3))  # now five: it must not wait out the 600 s
            await running.until(lambda: len(delivered_ids(vendor)) == 6, what="the batch of five delivered")

    run(scenario)
    assert ["a-0", "a-1", "b-0", "b-1", "b-2"] in batches_sent(vendor)


def test_a_backlog_that_fills_batches_by_size_leaves_without_waiting_for_more(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    row = len(deliveries("e", 1)[0].encoded[0]) + 1  # as next_batch counts a row's bytes
    three_by_size = Limits(max_body_bytes=3 * row + 2, max_event_bytes=32 * 1024, max_events=20)

    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url), three_by_size, linger_s=600.0) as running:
            await running.queue(deliveries("e", 9))  # three batches full by size, far fewer rows than max_events
            await running.until(lambda: len(delivered_ids(vendor)) == 9, what="the three batches delivered")

    run(scenario)
    assert {len(batch) for batch in batches_sent(vendor)} == {3}


def test_with_one_in_flight_batches_arrive_one_after_another_in_order(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    vendor.delay_s = 0.05

    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url)) as running:
            await running.queue(deliveries("e", 20))
            await running.until(lambda: len(delivered_ids(vendor)) == 20, what="all twenty delivered")

    run(scenario)
    assert vendor.most_in_flight() == 1
    assert [e["messageId"] for e in vendor.segment_events()] == [f"e-{i}" for i in range(20)]


def test_a_vendor_slower_than_the_timeout_gets_the_batch_a_few_times_as_each_attempt_waits_longer(
    vendor: FakeVendor, database_location: Path | Engine
) -> None:
    # Slower than the first attempt's timeout (0.2 s) and than the second's (0.8 s) whatever the machine's speed (an
    # answer never comes before the delay), and well within the third's (3.2 s): with 0.7 s against a third attempt
    # of 0.8 s, a loaded machine that took 0.1 s more to answer made it a fourth.
    vendor.delay_s = 1.0

    async def scenario() -> None:
        retry = replace(FAST, timeout_s=0.2, multiplier=4.0, max_timeout_s=5.0)
        async with sending(database_location, destination(vendor.url, retry=retry)) as running:
            await running.queue(deliveries("slow", 3))
            await running.until(lambda: running.outbox.depth()["segment"] == 0, what="the batch delivered")

    run(scenario)
    # 0.2 s and 0.8 s time out; 3.2 s waits long enough. A fixed 0.2 s would send it forever.
    assert len(vendor.received()) == 3
    assert set(delivered_ids(vendor)) == {"slow-0", "slow-1", "slow-2"}


def test_while_the_vendor_fails_only_one_batch_at_a_time_is_sent(
    vendor: FakeVendor, database_location: Path | Engine,
) -> None:
    vendor.delay_s = 0.05

    def unavailable_for_a_while(request: Recorded) -> Answer | None:
        # The first four batches are all at the vendor before any is refused, and so are the four after the first
        # success: "at once" does not depend on how fast a loaded machine starts the vendor's threads.
        if request.number <= 4 or 14 <= request.number <= 17:
            vendor.hold_until_arrived(4 if request.number <= 4 else 17)
        return Answer(503, b"{}") if request.number <= 12 else None

    vendor.rule = unavailable_for_a_while

    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url, max_in_flight=4)) as running:
            await running.queue(deliveries("e", 40))
            await running.until(lambda: running.outbox.depth()["segment"] == 0, what="all delivered")
            assert running.metrics.value(RETRIED, source="web", destination="segment") == 12 * 5  # each a batch of 5

    run(scenario)
    received = sorted(vendor.received(), key=lambda r: r.number)
    assert vendor.most_in_flight(received[:4]) == 4 and {r.status for r in received[:4]} == {503}
    assert vendor.most_in_flight(received[4:13]) == 1  # after the first failures, one batch at a time until one passed
    assert received[12].status == 200
    assert vendor.most_in_flight(received[13:17]) == 4  # and all four went again once it passed
    assert set(delivered_ids(vendor)) == {f"e-{i}" for i in range(40)}


def test_a_sender_that_raises_is_restarted_and_delivers_what_was_queued(
    vendor: FakeVendor, database_location: Path | Engine, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures = {"left": 3}
    recording = OutboxStore.delivered

    async def delivered_with_a_bug(self: OutboxStore, destination: str, batch: Any, epoch: int | None) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("a bug while recording a delivery")
        await recording(self, destination, batch, epoch)

    monkeypatch.setattr(OutboxStore, "delivered", delivered_with_a_bug)

    async def scenario() -> None:
        async with sending(database_location, destination(vendor.url)) as running:
            await running.queue(deliveries("e", 5))
            await running.until(lambda: running.outbox.depth()["segment"] == 0, what="the events recorded delivered")
            assert running.sender.supervisor.restarts == 3
            assert running.metrics.value("gateway_task_restarts_total", task="sender:segment") == 3
            assert running.sender.supervisor.down is None

    with caplog.at_level(logging.ERROR, logger="gateway.supervisor"):
        run(scenario)
    # The batch went again after each restart (same dedup ids), and the error was logged once, not three times.
    assert delivered_ids(vendor) == Counter({f"e-{i}": 4 for i in range(5)})
    assert len([r for r in caplog.records if "sender:segment failed" in r.getMessage()]) == 1


def test_while_it_waits_to_restart_a_supervised_task_says_why(tmp_path: Path) -> None:
    async def scenario() -> None:
        stopping, metrics = asyncio.Event(), Metrics()
        attempts = []

        async def broken() -> None:
            attempts.append(1)
            raise OSError("no such device")

        task = Supervised("worker", broken, stopping, metrics, Backoff(initial_s=0.2, max_s=0.2)).start()
        deadline = asyncio.get_running_loop().time() + 5
        while task.down is None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert task.down == "worker stopped after OSError; restarting in 0.2 s"
        while len(attempts) < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        stopping.set()
        await task.wait(grace_s=1)
        assert len(attempts) >= 3 and task.restarts >= 2

    run(scenario)
