"""The small interface every vendor protocol implements.

A protocol module (segment.py, ...) builds one `Codec`: the inbound paths it serves and how to decode their bodies into
canonical events; how to answer in the vendor's own response shapes; and how to encode canonical events back into the
vendor's wire format, say which of the vendor's endpoints each one is for, and wrap them into outbound batch requests.
Adding a vendor is one new module and one line in `gateway.protocols.PROTOCOLS`.

Protocol modules never import each other. Where two vendors use the same path (PostHog's legacy `/track` on Mixpanel's),
one codec owns the path and the other serves it as a guest: `gateway.protocols.router` asks the guest whether it
`claims` each request, with the body already parsed (`Inbound.json`), and the codec that decodes it reuses that parse.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from starlette.responses import Response

from policies import json_depth
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
    # The body parsed as JSON, once, by ingest before any codec looks at it; None where nobody parsed it yet.
    json: JsonBody | None = None


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
class JsonBody:
    """A request body parsed as JSON: its value, or why it cannot be used (`error`, to follow the body's name: "is not
    valid JSON: <orjson's message>", or nested too deep)."""

    value: Any = None
    error: str | None = None


def read_json(body: bytes) -> JsonBody:
    """`body` parsed, and held to the one depth limit of every request body (policies.json_depth)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return JsonBody(error=f"is not valid JSON: {exc}")
    if not json_depth.within(value):
        return JsonBody(error=json_depth.too_deep())
    return JsonBody(value)


def body_json(inbound: Inbound) -> JsonBody:
    """The body as JSON: as ingest parsed it, or parsed now for a caller that built the Inbound itself."""
    return inbound.json if inbound.json is not None else read_json(inbound.body)


def json_value(parsed: JsonBody, what: str = "body") -> Any:
    """The parsed value, or the 400 every vendor gives for a body that is not JSON."""
    if parsed.error is not None:
        raise ProtocolError(400, "invalid_request", f"{what} {parsed.error}")
    return parsed.value


def parse_json(body: bytes, what: str = "body") -> Any:
    """`body` as JSON within the depth limit, or ProtocolError(400)."""
    return json_value(read_json(body), what)


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
    # A path another vendor owns, served here only for the requests this codec's `claims` accepts.
    guest: bool = False


# Which of a vendor's endpoints an encoded event goes to, recorded with its outbox row: most vendors take everything
# at one endpoint ("event"); Mixpanel takes user profile updates at /engage and group profile updates at /groups;
# PostHog takes session recordings ("recording", gateway.replay_destinations) at /s/.
# In this order, a batch holding several kinds is sent.
EndpointKind = Literal["event", "profile", "group", "recording"]
ENDPOINT_KINDS: tuple[EndpointKind, ...] = ("event", "profile", "group", "recording")


def one_endpoint(event: Event) -> EndpointKind:
    return "event"


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    url: str
    headers: Mapping[str, str]
    body: bytes


# One event in a destination's wire format, and the kind of endpoint it is for: (body, kind). A plain tuple, because one
# is made for every event and destination on the way to the outbox.
Encoded = tuple[bytes, EndpointKind]

# A stored recording chunk in a vendor's recording format: (session id, window id, distinct id, rrweb events, chunk
# id) -> (dedup id, encoded) per outbox row, queued with the endpoint kind "recording" (gateway.replay_destinations).
RecordingEncoder = Callable[[str, str, str, Sequence[dict[str, Any]], str], list[tuple[str, bytes]]]


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
    # The request for one endpoint kind's events of a batch (in that order when a batch holds several kinds: Mixpanel's
    # events to /import, profile updates to /engage and /groups); the batch is delivered when all of them are.
    build_batch: Callable[[Sequence[bytes], Destination, EndpointKind], OutboundRequest]
    credentials: tuple[str, ...] = ()  # keys a destination of this protocol needs in its `credentials` table
    kind_of: Callable[[Event], EndpointKind] = one_endpoint
    # Whether a request on a path this codec is a guest on (Route.guest) is this vendor's.
    claims: Callable[[Inbound], bool] | None = None
    # Session recordings, for a vendor that takes them (a destination's `replay = true`).
    encode_recording: RecordingEncoder | None = None

    def outbox_encoder(self) -> Callable[[Event], Encoded]:
        """`encode`, with each body's endpoint kind beside it, as the outbox records them."""
        encode, kind_of = self.encode, self.kind_of
        if kind_of is one_endpoint:

            def one(event: Event) -> Encoded:
                return encode(event), "event"

            return one

        def several(event: Event) -> Encoded:
            return encode(event), kind_of(event)

        return several


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
