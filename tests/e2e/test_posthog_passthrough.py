"""The PostHog pass-through against a real gateway process, over raw sockets (which send a path exactly as written, dot
segments included, and a body as slowly or as long as they like): a dot-segment path is refused without asking
PostHog, and a flags body is read only as far as its limit, not whole before it is measured."""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Iterator

import pytest

from gateway.posthog_proxy import MAX_REQUEST_BYTES
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, vendors_policy
from tests.support.waiting import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.e2e

CHUNK = 1024 * 1024


@pytest.fixture
def posthog() -> Iterator[FakeVendor]:
    vendor = FakeVendor().start()
    yield vendor
    vendor.stop()


@pytest.fixture
def gateway(posthog: FakeVendor, start_gateway: Callable[..., GatewayProcess]) -> GatewayProcess:
    return start_gateway(vendors_policy({"posthog": posthog.url}), env={"POSTHOG_API_KEY": "phc_dest_key"})


def raw_request(gateway: GatewayProcess, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=REQUEST_TIMEOUT_S) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
        return answer


@pytest.mark.parametrize("path", [f"/static/../../decide/?token={WRITE_KEY}", "/static/./../flags/",
                                  f"/array/{WRITE_KEY}/../../decide/config"])
def test_literal_dot_segments_are_refused_and_posthog_is_not_asked(
    posthog: FakeVendor, gateway: GatewayProcess, path: str
) -> None:
    answer = raw_request(gateway, f"GET {path} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n".encode())
    assert answer.split(b" ")[1] in (b"400", b"404"), answer
    assert b"phc_dest_key" not in answer and posthog.received() == []


def test_a_huge_flags_body_is_refused_after_its_limit_not_read_whole(
    posthog: FakeVendor, gateway: GatewayProcess
) -> None:
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=REQUEST_TIMEOUT_S) as sock:
        sock.sendall(b"POST /flags/?v=2 HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        sent = 0
        chunk = b"%x\r\n%s\r\n" % (CHUNK, b"a" * CHUNK)
        while sent < 300 * CHUNK:  # what once took the gateway's memory from 210 to 696 MB
            if select.select([sock], [], [], 0)[0]:
                break  # the gateway has answered
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += CHUNK
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < MAX_REQUEST_BYTES + 8 * CHUNK  # socket buffers hold a few chunks more, not 300 MB
    assert posthog.received() == []
