"""gateway.bodies.read_body's deadline (`[http] body_timeout_s`) is for a client slow to send: a body the connection
already holds whole (stamped by gateway.http_server, gateway.admission.BODY_IN) is read without one, however late the
handler gets to it; a body still arriving is held to it. The deadline against a real slow client is in
tests/e2e/test_http_limits.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from gateway import admission
from gateway.bodies import read_body
from gateway.protocols.codec import ProtocolError

BODY = b'{"batch": []}'


def request(body_in: bool | None) -> Request:
    """A POST whose body comes in two parts, the server yielding to the loop before each (as a connection's receive
    does when it has to wait); `body_in`: how the connection stamped it (None: not at all, an app called directly)."""
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/v1/batch", "headers": [], "query_string": b""}
    if body_in is not None:
        admission.stamp(scope, body_in=body_in)
    parts = [BODY[:5], BODY[5:]]

    async def receive() -> Message:
        await asyncio.sleep(0)
        part = parts.pop(0)
        return {"type": "http.request", "body": part, "more_body": bool(parts)}

    return Request(scope, receive)


def test_a_body_the_connection_holds_whole_is_read_past_the_deadline() -> None:
    # A deadline of 0 has passed before the first read: as for a request the loop got to after its deadline.
    assert asyncio.run(read_body(request(body_in=True), 1024, 0.0)) == BODY


@pytest.mark.parametrize("body_in", [False, None])
def test_a_body_still_arriving_is_held_to_the_deadline(body_in: bool | None) -> None:
    with pytest.raises(ProtocolError) as refused:
        asyncio.run(read_body(request(body_in), 1024, 0.0))
    assert refused.value.status == 408
    assert asyncio.run(read_body(request(body_in), 1024, 30.0)) == BODY


def test_a_body_held_whole_is_still_held_to_the_size_limit() -> None:
    with pytest.raises(ProtocolError) as refused:
        asyncio.run(read_body(request(body_in=True), 8, 30.0))
    assert refused.value.status == 413
