"""A request whose body is still arriving, when the requests admitted before it already refuse it
(gateway.admission.check_ahead), is answered at its head: 503 with Retry-After in its endpoint's own shape and
`Connection: close`, its body never read (the connection's protocol drops it: gateway.http_server's lingering close).
The events endpoints and both recording endpoints, through the real app and its middleware. Against a real gateway
process over a socket: tests/e2e/test_admission.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway import admission
from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy
from tests.support.sink_policy import SINK_POLICY

POLICY = SINK_POLICY + """
[http]
busy_retry_after_s = 4
"""


def scope(path: str, query: bytes = b"") -> dict[str, Any]:
    made: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
        "headers": [(b"host", b"gateway"), (b"content-type", b"application/json"), (b"content-length", b"90000")],
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8080)}
    admission.stamp(made)  # its head is complete, its body is not
    return made


@pytest.mark.parametrize(("path", "shape"), [
    ("/v1/batch", lambda body: orjson.loads(body)["success"] is False),  # Segment's
    ("/v1/replay/s-1", lambda body: orjson.loads(body)["error"] == "unavailable"),  # the native recording endpoint's
    ("/s/", lambda body: body == b"the gateway is busy; retry later"),  # PostHog's plain text
])
def test_a_request_the_backlog_refuses_is_answered_from_its_head_and_closes_its_connection(
        tmp_path: Path, path: str, shape: Any) -> None:
    policy = parse_policy(POLICY, "policy.toml", DESTINATION_PROTOCOLS, {})
    app = create_app(policy, tmp_path / "data", lambda token: None)
    sent: list[dict[str, Any]] = []
    reads: list[str] = []

    async def receive() -> dict[str, Any]:
        reads.append(path)
        return {"type": "http.request", "body": b"[]", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            gateway = app.state.gateway
            behind: dict[str, Any] = {}
            admission.stamp(behind, body_in=True)
            behind[admission.READY_SINCE] -= 60.0  # admitted a minute ago, still unanswered
            with gateway.backlog.holding(behind):
                await app(scope(path), receive, send)

    asyncio.run(run())
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = dict(start["headers"])
    assert start["status"] == 503 and headers[b"retry-after"] == b"4" and headers[b"connection"] == b"close"
    assert shape(body)
    assert reads == [], "the body was not read"
