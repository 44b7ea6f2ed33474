"""Admission control against a real gateway process: when more batches arrive at once than it can work through within
`[http] max_queue_wait_s`, the excess is answered 503 with Retry-After, in the vendor's own shape, instead of waiting;
every request is answered (none times out), every acknowledged event reaches the vendor, and no refused one does; and
under sustained overload with the default limits, senders that honour Retry-After lose nothing; and a request that
the backlog already refuses is answered at its head, its body never read, and its connection closed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.test_scrub_workers import STARTUP_S, with_workers, workers_of
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, WAIT_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

MAX_QUEUE_WAIT_S = 0.05
BATCHES = 48  # at once, each on its own connection: far more work than 50 ms of the gateway's time
EVENTS_PER_BATCH = 100


def batch() -> dict[str, Any]:
    """100 track calls whose every id and text is new (the PII scrubber's cache cannot shortcut them)."""
    return {"writeKey": WRITE_KEY, "batch": [
        {"type": "track", "event": "Viewed", "messageId": str(uuid.uuid4()), "userId": f"user-{uuid.uuid4()}",
         "properties": {"title": f"Trail shoe {uuid.uuid4()}", "path": f"/p/{uuid.uuid4()}"}}
        for _ in range(EVENTS_PER_BATCH)]}


def many_connections() -> httpx.AsyncClient:
    """One client whose requests in flight each get a connection of their own. (A client per request took ~50 ms to
    make, its TLS context, one after the other: the "burst" came spread over seconds, which a gateway faster than
    that per batch, on another machine, could work through without refusing any.) An idle connection is not used
    again after 2 s, well before the gateway closes it (`keep_alive_timeout_s`, 5 s, httpx's default expiry too): a
    request sent on a connection the server is closing at that moment fails with ReadError."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None, keepalive_expiry=2.0)
    return httpx.AsyncClient(timeout=60, limits=limits)


async def send_at_once(url: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    async with many_connections() as client:
        return await asyncio.gather(*(client.post(url + "/v1/batch", json=body) for body in bodies))


@pytest.fixture
def vendor() -> Any:
    vendor = FakeVendor().start()
    yield vendor
    vendor.stop()


def test_a_burst_beyond_the_bound_is_partly_refused_with_retry_after_and_nothing_acknowledged_is_lost(
        tmp_path: Any, vendor: FakeVendor) -> None:
    policy = segment_policy(vendor.url)
    policy["http"] = {"max_queue_wait_s": MAX_QUEUE_WAIT_S, "busy_retry_after_s": 3}
    gateway = GatewayProcess(tmp_path, policy).start()
    try:
        bodies = [batch() for _ in range(BATCHES)]
        answers = asyncio.run(send_at_once(gateway.url, bodies))

        assert {a.status_code for a in answers} == {200, 503}, "some batches are taken, the rest refused"
        for answer in answers:
            if answer.status_code == 503:
                assert answer.headers["retry-after"] == "3"
                assert answer.json()["success"] is False  # Segment's own error shape
        taken = {e["messageId"] for body, a in zip(bodies, answers, strict=True) if a.status_code == 200
                 for e in body["batch"]}
        refused = {e["messageId"] for body, a in zip(bodies, answers, strict=True) if a.status_code == 503
                   for e in body["batch"]}
        delivered = vendor.wait_for_message_ids(taken, timeout=60)
        assert not delivered & refused, "a refused batch stored nothing"
        assert gateway.metrics()['gateway_requests_shed_total{kind="events"}'] == len(refused) // EVENTS_PER_BATCH
    finally:
        gateway.close()


# Each on its own connection, all at once and again after each Retry-After: 96 batches booked at once pass the default
# bound (0.5 s) from 5 ms of work per batch, a machine several times faster than this one (60-90 ms loaded, ~20 ms
# quiet). 24 clients of 4 batches each booked at most 24: refused only from ~21 ms a batch, this machine's quiet
# speed, so a faster one could refuse none (same events in all: 9,600).
CLIENTS = 96
BATCHES_PER_CLIENT = 1


async def client_honouring_retry_after(client: httpx.AsyncClient, url: str, bodies: list[dict[str, Any]],
                                       refusals: list[httpx.Response]) -> None:
    """An SDK's sender: each batch until it is acknowledged, waiting Retry-After after each 503."""
    for body in bodies:
        while True:
            answer = await client.post(url + "/v1/batch", json=body)
            if answer.status_code == 200:
                break
            refusals.append(answer)
            assert answer.status_code == 503, answer.text
            await asyncio.sleep(float(answer.headers["retry-after"]))


def test_under_sustained_overload_with_the_default_bound_senders_honouring_retry_after_lose_nothing(
        tmp_path: Any, vendor: FakeVendor) -> None:
    """With the default `[http]` limits, clients that keep more batches in flight than the gateway works through
    within the bound get some 503s with Retry-After in Segment's shape, never a timeout or another error; a sender
    that waits and sends again has every event delivered in the end."""
    gateway = GatewayProcess(tmp_path, segment_policy(vendor.url)).start()
    try:
        per_client = [[batch() for _ in range(BATCHES_PER_CLIENT)] for _ in range(CLIENTS)]
        refusals: list[httpx.Response] = []

        async def all_clients() -> None:
            async with many_connections() as client:
                await asyncio.gather(*(client_honouring_retry_after(client, gateway.url, bodies, refusals)
                                       for bodies in per_client))

        asyncio.run(all_clients())

        assert refusals, "more was sent at once than fits in the bound: some of it was refused"
        for refusal in refusals:
            assert refusal.headers["retry-after"] == "1"
            assert refusal.json()["success"] is False  # Segment's own error shape
        sent = {e["messageId"] for bodies in per_client for body in bodies for e in body["batch"]}
        assert vendor.wait_for_message_ids(sent, timeout=120) >= sent
        assert gateway.metrics()['gateway_requests_shed_total{kind="events"}'] == len(refusals)
    finally:
        gateway.close()


def head_only(gateway: GatewayProcess, body: bytes) -> bytes:
    """A Segment batch's request head, its body never sent; what the gateway answers until it closes the connection."""
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=WAIT_TIMEOUT_S)
    try:
        sock.sendall(b"POST /v1/batch HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received
    finally:
        sock.close()


def test_a_request_the_backlog_already_refuses_is_answered_at_its_head_and_its_connection_closed(
        tmp_path: Any, vendor: FakeVendor) -> None:
    """A batch admitted before is held (its scrub worker stopped) past the bound: a new request is refused from its
    head, 503 with Retry-After in Segment's shape and `Connection: close`, without the gateway waiting for (or reading)
    its body; the held batch is acknowledged once its worker goes on, and reaches the vendor."""
    policy = with_workers(segment_policy(vendor.url), 1)
    # A request admitted at its head waits for the body it will never get: 408 after 1 s, the connection closed 1 s
    # later; the probe is then sent again. The bound is long enough that the held batch itself, on a loaded machine,
    # is not refused for its own wait before it reaches its worker.
    policy["http"].update(max_queue_wait_s=1.0, busy_retry_after_s=3, scrub_job_timeout_s=600.0, body_timeout_s=1.0,
                          keep_alive_timeout_s=1.0)
    gateway = GatewayProcess(tmp_path, policy).start(timeout=STARTUP_S)
    [worker] = workers_of(gateway)
    os.kill(worker, signal.SIGSTOP)
    try:
        held = batch()
        with ThreadPoolExecutor(1) as sender:
            first = sender.submit(httpx.post, gateway.url + "/v1/batch", json=held, timeout=REQUEST_TIMEOUT_S)
            probe = orjson.dumps(batch())
            answer = wait_until(lambda: (found := head_only(gateway, probe)).startswith(b"HTTP/1.1 503 ") and found,
                                what="a request refused at its head")
            os.kill(worker, signal.SIGCONT)
            assert first.result().status_code == 200
        head, _, body = answer.partition(b"\r\n\r\n")
        assert b"\r\nretry-after: 3" in head.lower() and b"\r\nconnection: close" in head.lower()
        assert orjson.loads(body)["success"] is False  # Segment's own error shape
        vendor.wait_for_message_ids({event["messageId"] for event in held["batch"]})
        assert gateway.metrics()['gateway_requests_shed_total{kind="events"}'] >= 1
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGCONT)
        gateway.close()
