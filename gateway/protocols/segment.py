"""Segment's HTTP Tracking API: decode what Segment's SDKs send, answer as Segment does, encode for Segment's /v1/batch.

Inbound forms (reference/vendor-wire-formats.md):
- `/v1/{track,identify,page,screen,group,alias}`: one event; analytics-next uses the first letters `/v1/{t,i,p,s,g,a}`.
- `/v1/batch` (and `/v1/import`, analytics-next's `/v1/b`): `{batch: [...], writeKey, context, integrations, sentAt}`;
  the top-level context and integrations are merged into every item, the item's own keys winning.
- writeKey in the body or as the user of `Authorization: Basic`; bodies are JSON whatever the Content-Type says
  (sendBeacon posts text/plain).
- Limits: 32 KB per event, 500 KB and 2500 events per batch, answered with 400 as Segment does.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.responses import Response

from gateway.protocols.codec import (
    Codec,
    Decoded,
    EndpointKind,
    Inbound,
    Limits,
    OutboundRequest,
    ProtocolError,
    Route,
    basic_auth_user,
    body_json,
    json_value,
)
from policies.event import EVENT_TYPES, WIRE_NAMES, Event
from policies.policy import Destination

NAME = "segment"
LIMITS = Limits(max_body_bytes=500 * 1024, max_event_bytes=32 * 1024, max_events=2500)
# What we send: the same limits, less room for the envelope.
OUTBOUND_LIMITS = Limits(max_body_bytes=500 * 1024 - 1024, max_event_bytes=32 * 1024, max_events=2500)

_SHORT = {"t": "track", "i": "identify", "p": "page", "s": "screen", "g": "group", "a": "alias"}
ROUTES = (
    *(Route(f"/v1/{kind}", kind) for kind in EVENT_TYPES),
    *(Route(f"/v1/{short}", kind) for short, kind in _SHORT.items()),
    Route("/v1/batch", "batch"),
    Route("/v1/import", "batch"),
    Route("/v1/b", "batch"),
)

# The canonical model's wire names are Segment's own.
FIELDS = WIRE_NAMES
_ATTR_OF = {wire: attr for attr, wire in FIELDS}
_OBJECTS = frozenset({"properties", "traits", "context", "integrations"})
_TEXTS = frozenset({"event", "name", "timestamp", "sentAt"})
_NAMES = frozenset({"event", "name"})  # what a track call did, what page or screen was seen
# The type a model field needs; ids stay whatever JSON type the SDK sent.
_EXPECTED = {wire: dict if wire in _OBJECTS else str if wire in _TEXTS else object for _, wire in FIELDS}


def _invalid(message: str) -> ProtocolError:
    return ProtocolError(400, "invalid_request", message)


def event_from_wire(item: Mapping[str, Any], kind: str | None, where: str) -> Event:
    """One Segment message as a canonical Event. `kind` is the path's type, which wins over the body's `type`."""
    type_ = kind or item.get("type")
    if type_ not in EVENT_TYPES:
        raise _invalid(f"{where}.type must be one of {', '.join(EVENT_TYPES)}, got {type_!r}")
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    message_id = None
    for key, value in item.items():
        attr = _ATTR_OF.get(key)
        if attr is not None and value is not None:
            expected = _EXPECTED[key]
            if isinstance(value, expected):
                values[attr] = value
            elif expected is dict:
                raise _invalid(f"{where}.{key} must be an object")
            elif key in _NAMES:
                # Segment's own API refuses it; forwarded, it would reach every vendor as something else.
                raise _invalid(f"{where}.{key} must be a string")
            else:
                extra[key] = value  # e.g. a numeric timestamp: kept as sent, under its wire name
        elif key == "messageId":
            message_id = value
        elif key != "type" and key != "writeKey":
            # The type is the event's own; a write key is the gateway's secret, never forwarded. Anything else the
            # model has no place for (or an explicit null) is kept under its wire name, so encoding gives it back.
            extra[key] = value
    if isinstance(message_id, (int, float)) and not isinstance(message_id, bool):
        message_id = str(message_id)
    if not isinstance(message_id, str) or not message_id:
        message_id = str(uuid.uuid4())
    return Event(type=type_, message_id=message_id, origin=NAME, extra=extra, **values)


def event_to_wire(event: Event) -> dict[str, Any]:
    # Another vendor's leftovers mean nothing to Segment: only a Segment-decoded event brings its own back.
    wire: dict[str, Any] = dict(event.extra) if event.origin == NAME else {}
    wire["type"] = event.type
    wire["messageId"] = event.message_id
    for attr, key in FIELDS:
        value = getattr(event, attr)
        if value is not None:
            wire[key] = value
    return wire


def decode(inbound: Inbound) -> Decoded:
    body = json_value(body_json(inbound))
    if not isinstance(body, dict):
        raise _invalid("body must be a JSON object")
    write_key = body.get("writeKey") if isinstance(body.get("writeKey"), str) else None
    write_key = write_key or basic_auth_user(inbound.headers)

    if inbound.kind != "batch":
        if len(inbound.body) > LIMITS.max_event_bytes:
            raise _invalid(f"event is larger than {LIMITS.max_event_bytes // 1024} KB")
        return Decoded(write_key, [event_from_wire(body, inbound.kind, "body")])

    items = body.get("batch")
    if not isinstance(items, list):
        raise _invalid("batch must be an array of messages")
    if len(items) > LIMITS.max_events:
        raise _invalid(f"batch has {len(items)} messages; at most {LIMITS.max_events} are allowed")
    shared_context = body.get("context") if isinstance(body.get("context"), dict) else None
    shared_integrations = body.get("integrations") if isinstance(body.get("integrations"), dict) else None
    sent_at = body.get("sentAt") if isinstance(body.get("sentAt"), str) else None
    # A body no larger than the per-event limit cannot hold an oversize event: skip measuring each one.
    measure = len(inbound.body) > LIMITS.max_event_bytes
    events = []
    for i, item in enumerate(items):
        where = f"batch[{i}]"
        if not isinstance(item, dict):
            raise _invalid(f"{where} must be an object")
        if measure and len(orjson.dumps(item)) > LIMITS.max_event_bytes:
            raise _invalid(f"{where} is larger than {LIMITS.max_event_bytes // 1024} KB")
        if shared_context is not None or shared_integrations is not None or sent_at is not None:
            item = _merge_shared(item, shared_context, shared_integrations, sent_at, where)
        events.append(event_from_wire(item, None, where))
    return Decoded(write_key, events)


def _merge_shared(
    item: dict[str, Any], context: dict[str, Any] | None, integrations: dict[str, Any] | None, sent_at: str | None,
    where: str,
) -> dict[str, Any]:
    """The batch's shared fields merged into `item`, in place: the item was just parsed from this request."""
    for key, shared in (("context", context), ("integrations", integrations)):
        if shared is None:
            continue
        own = item.get(key)
        if own is not None and not isinstance(own, dict):
            raise _invalid(f"{where}.{key} must be an object")
        item[key] = {**shared, **own} if own else dict(shared)
    if sent_at is not None and "sentAt" not in item:
        item["sentAt"] = sent_at
    return item


def encode(event: Event) -> bytes:
    return orjson.dumps(event_to_wire(event))


def build_batch(items: Sequence[bytes], destination: Destination, kind: EndpointKind = "event") -> OutboundRequest:
    write_key = destination.credentials["write_key"]
    sent_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = b'{"batch":[' + b",".join(items) + b'],"sentAt":"' + sent_at.encode() + b'"}'
    auth = base64.b64encode(f"{write_key}:".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {auth}"}
    return OutboundRequest(url=f"{destination.endpoint}/v1/batch", headers=headers, body=body)


_OK = b'{"success":true}'


def respond_ok(inbound: Inbound, decoded: Decoded) -> Response:
    return Response(_OK, media_type="application/json")


def respond_error(inbound: Inbound, error: ProtocolError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    body = orjson.dumps({"success": False, "code": error.code, "message": error.message})
    return Response(body, status_code=error.status, media_type="application/json", headers=headers)


CODEC = Codec(
    name=NAME,
    routes=ROUTES,
    inbound_limits=LIMITS,
    decode=decode,
    respond_ok=respond_ok,
    respond_error=respond_error,
    encode=encode,
    outbound_limits=OUTBOUND_LIMITS,
    build_batch=build_batch,
    credentials=("write_key",),
)
