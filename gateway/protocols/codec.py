"""The small interface every vendor protocol implements.

A protocol module (segment.py, ...) builds one `Codec`: the inbound paths it serves and how to decode their bodies into
canonical events; how to answer in the vendor's own response shapes; and how to encode canonical events back into the
vendor's wire format and wrap them into one outbound batch request. Adding a vendor is one new module and one line in
`gateway.protocols.PROTOCOLS`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.responses import Response

from policies.event import Event
from policies.policy import Destination


@dataclass(frozen=True, slots=True)
class Inbound:
    """One ingest request, as a codec sees it: the body is already read and un-gzipped."""

    kind: str  # the route's kind, e.g. "track" or "batch"
    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # case-insensitive (Starlette Headers)
    body: bytes
    client_ip: str | None = None  # the SDK's address (X-Forwarded-For only from trusted proxies), for vendors' geo-IP


@dataclass(slots=True)
class Decoded:
    write_key: str | None
    events: list[Event]


class ProtocolError(Exception):
    """Refuse a request. `status` and `code` become the vendor-shaped error response; nothing is stored."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        retry_after: int | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.details = details or {}  # vendor-specific fields of the error body (e.g. Amplitude's missing_field)


@dataclass(frozen=True, slots=True)
class Limits:
    max_body_bytes: int  # a whole request body, after decompression
    max_event_bytes: int  # one encoded event
    max_events: int  # events in one request


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    kind: str
    methods: tuple[str, ...] = ("POST",)


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Codec:
    name: str
    routes: tuple[Route, ...]
    inbound_limits: Limits
    decode: Callable[[Inbound], Decoded]
    respond_ok: Callable[[Inbound, Decoded], Response]
    respond_error: Callable[[Inbound, ProtocolError], Response]
    encode: Callable[[Event], bytes]
    outbound_limits: Limits
    # One request, or several sent in order when a vendor splits what a batch holds across endpoints (Mixpanel:
    # events to /import, profile updates to /engage and /groups); the batch is delivered when all of them are.
    build_batch: Callable[[Sequence[bytes], Destination], OutboundRequest | Sequence[OutboundRequest]]
    credentials: tuple[str, ...] = ()  # keys a destination of this protocol needs in its `credentials` table


def basic_auth_user(headers: Mapping[str, str]) -> str | None:
    """The user part of `Authorization: Basic base64(user:password)`, which is where SDKs put a write key."""
    header = headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0] or None
