"""Amplitude's HTTP V2 and Batch APIs: decode what Amplitude's SDKs send, answer as Amplitude does, encode for /batch.

Inbound (reference/vendor-wire-formats.md, Amplitude):
- `POST /2/httpapi` (≤ 1 MB, ≤ 2000 events) and `POST /batch` (≤ 20 MB, ≤ 2000 events), body
  `{api_key, events: [...], options: {min_id_length}, client_upload_time}`, JSON whatever the Content-Type (the browser
  SDK's beacon sends text/plain), gzip or not.
- Each event needs `event_type` and a `user_id` or `device_id` of at least `min_id_length` (default 5) characters.
  A request with any invalid event is refused whole, with Amplitude's 400 body listing the events by field, which the
  SDKs use to drop exactly those and resend the rest.
- SDKs read the outcome from the JSON `code`, not the HTTP status; every answer carries it.
- `ip: "$remote"` asks Amplitude to use the request's address: it becomes the client's address in `context.ip`, so
  Amplitude still gets it after forwarding (the gateway's own address would be useless).

`/batch` is also PostHog's legacy batch path without its trailing slash: the router (gateway.protocols.router) hands the
requests PostHog claims to that codec, and the rest to this one.

Outbound: `POST {endpoint}/batch` with the destination's `api_key`. The Batch API over HTTP V2 because a gateway
forwards many users' events from one address, and drains a backlog after a vendor outage: the Batch API's throttling
(per user/device) is far more lenient. Batches stay within both APIs' limits (2000 events, 1 MB), and carry
`options.min_id_length = 1`, because sources other than Amplitude's SDKs have no 5-character rule for their ids.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from starlette.responses import Response

from gateway.protocols import fields
from gateway.protocols.codec import (
    Codec,
    Decoded,
    EndpointKind,
    Inbound,
    Limits,
    OutboundRequest,
    ProtocolError,
    Route,
    body_json,
    json_value,
)
from policies.event import Event
from policies.policy import Destination

NAME = "amplitude"
HTTPAPI_MAX_BYTES = 1024 * 1024
BATCH_MAX_BYTES = 20 * 1024 * 1024
MAX_EVENTS = 2000
DEFAULT_MIN_ID_LENGTH = 5
# One Limits for both paths: ingest reads up to the larger (/batch); decode holds /2/httpapi to its own 1 MB.
LIMITS = Limits(max_body_bytes=BATCH_MAX_BYTES, max_event_bytes=HTTPAPI_MAX_BYTES, max_events=MAX_EVENTS)
OUTBOUND_LIMITS = Limits(max_body_bytes=HTTPAPI_MAX_BYTES - 4096, max_event_bytes=HTTPAPI_MAX_BYTES - 4096,
                         max_events=MAX_EVENTS)
OUTBOUND_PATH = "/batch"
ROUTES = (Route("/2/httpapi", "httpapi"), Route("/batch", "batch"))

REMOTE_IP = "$remote"  # "use the address this request came from"
_TYPES = {fields.special_event(t, NAME): t for t in ("identify", "group", "page", "screen")}
_NAME_KEYS = {"page": "name", "screen": "[Amplitude] Screen Name"}  # where a page's or screen's name goes
_CONTEXT = fields.context_map(NAME, skip=frozenset({"ip", "library"}))
_OBJECT_FIELDS = ("event_properties", "user_properties", "groups", "group_properties")


# -- inbound -----------------------------------------------------------------------------------------------------------


def _take(wire: dict[str, Any], key: str) -> Any:
    """Pop a value the canonical model holds; an explicit null stays in the residue, so it round-trips as null."""
    value = wire.get(key)
    if value is not None:
        del wire[key]
    return value


def _is_operations(obj: dict[str, Any]) -> bool:
    return bool(obj) and all(isinstance(k, str) and k.startswith("$") for k in obj)


def _library(text: str) -> dict[str, str]:
    name, slash, version = text.rpartition("/")
    return {"name": name, "version": version} if slash else {"name": text}


def event_from_wire(item: dict[str, Any], client_ip: str | None, sent_at: str | None) -> Event:
    """One validated Amplitude event as a canonical Event; what the model has no place for stays in `extra`."""
    wire = dict(item)
    event_type = wire.pop("event_type")
    type_ = _TYPES.get(event_type, "track")
    context: dict[str, Any] = _CONTEXT.from_wire(wire)
    extra: dict[str, Any] = wire  # what is left when everything canonical has been taken out

    properties, name = _name_from_wire(type_, _take(wire, "event_properties"))
    if type_ == "group":
        group_id, traits = _group_from_wire(wire, context)
    else:
        group_id, traits = None, _user_traits_from_wire(wire, context)
    if "groups" in wire and wire["groups"] is not None:
        context["groups"] = wire.pop("groups")
    _device_from_wire(wire, context, client_ip)

    user_id = _take(wire, "user_id")
    device_id = _take(wire, "device_id")
    insert_id = _take(wire, "insert_id")
    ms = _take(wire, "time")
    return Event(
        type=type_,
        message_id=insert_id or str(uuid.uuid4()),
        event=event_type if type_ == "track" else None,
        name=name,
        user_id=user_id,
        anonymous_id=device_id,
        group_id=group_id,
        timestamp=fields.iso_from_ms(ms) if ms is not None else None,
        sent_at=sent_at,
        properties=properties,
        traits=traits,
        context=context or None,
        origin=NAME,
        extra=extra,
    )


def _name_from_wire(type_: str, properties: Any) -> tuple[Any, str | None]:
    """(properties, name): a page's or screen's name is one of its event properties at Amplitude."""
    key = _NAME_KEYS.get(type_)
    if key is None or properties is None or not isinstance(properties.get(key), str):
        return properties, None
    properties = dict(properties)
    return properties, properties.pop(key)


def _take_set(wire: dict[str, Any], key: str) -> Any:
    """The `$set` of the operations object `wire[key]`, taken out; Amplitude's other operations ($setOnce, $add, ...)
    stay in the residue, Amplitude's alone."""
    operations = wire[key]
    rest = {k: v for k, v in operations.items() if k != "$set"}
    if rest:
        wire[key] = rest
    else:
        del wire[key]
    return operations["$set"]


def _user_traits_from_wire(wire: dict[str, Any], context: dict[str, Any]) -> Any:
    """The traits a `$set` of user_properties sets; flat user_properties describe the user at the time of the event,
    and go to `context.traits`."""
    user_properties = wire.get("user_properties")
    if not isinstance(user_properties, dict):
        return None
    if not user_properties or not any(str(k).startswith("$") for k in user_properties):
        context["traits"] = wire.pop("user_properties")
    elif _is_operations(user_properties) and isinstance(user_properties.get("$set"), dict):
        return _take_set(wire, "user_properties")
    return None


def _group_from_wire(wire: dict[str, Any], context: dict[str, Any]) -> tuple[Any, Any]:
    """(group_id, traits) of a group call: one group in `groups`, its traits in the `$set` of group_properties."""
    groups = wire.get("groups")
    if not isinstance(groups, dict) or len(groups) != 1:
        return None, None
    [(group_type, group_name)] = groups.items()
    if not isinstance(group_name, str):
        return None, None
    context["groupType"] = group_type
    del wire["groups"]
    group_properties = wire.get("group_properties")
    if isinstance(group_properties, dict) and _is_operations(group_properties) \
            and isinstance(group_properties.get("$set"), dict):
        return group_name, _take_set(wire, "group_properties")
    return group_name, None


def _device_from_wire(wire: dict[str, Any], context: dict[str, Any], client_ip: str | None) -> None:
    library = wire.get("library")
    if isinstance(library, str):
        context["library"] = _library(wire.pop("library"))
    ip = wire.get("ip")
    if isinstance(ip, str):
        del wire["ip"]
        if ip != REMOTE_IP:
            context["ip"] = ip
        elif client_ip:
            context["ip"] = client_ip


class _Problems:
    """Amplitude's 400 body: which events have which invalid, missing or too short fields."""

    def __init__(self) -> None:
        self.invalid: dict[str, list[int]] = {}
        self.missing: dict[str, list[int]] = {}
        self.short_ids: dict[str, list[int]] = {}

    def add(self, kind: dict[str, list[int]], field: str, index: int) -> None:
        kind.setdefault(field, []).append(index)

    def error(self) -> ProtocolError | None:
        if not (self.invalid or self.missing or self.short_ids):
            return None
        details = {
            key: value
            for key, value in (
                ("events_with_invalid_fields", self.invalid),
                ("events_with_missing_fields", self.missing),
                ("events_with_invalid_id_lengths", self.short_ids),
            )
            if value
        }
        return ProtocolError(400, "invalid_request", "Invalid field values on some events", details=details)


def _check_event(item: Any, i: int, min_id_length: int, problems: _Problems) -> None:
    if not isinstance(item, dict):
        problems.add(problems.invalid, "event", i)
        return
    event_type = item.get("event_type")
    if event_type is None or event_type == "":
        problems.add(problems.missing, "event_type", i)
    elif not isinstance(event_type, str):
        problems.add(problems.invalid, "event_type", i)
    _check_ids(item, i, min_id_length, problems)
    _check_types(item, i, problems)


def _check_ids(item: dict[str, Any], i: int, min_id_length: int, problems: _Problems) -> None:
    user_id, device_id = item.get("user_id"), item.get("device_id")
    if user_id is None and device_id is None:
        problems.add(problems.missing, "user_id_or_device_id", i)
    for key, value in (("user_id", user_id), ("device_id", device_id)):
        if value is None:
            continue
        if not isinstance(value, str):
            problems.add(problems.invalid, key, i)
        elif len(value) < min_id_length:
            problems.add(problems.short_ids, key, i)


def _check_types(item: dict[str, Any], i: int, problems: _Problems) -> None:
    ms = item.get("time")
    if ms is not None and (not isinstance(ms, int) or isinstance(ms, bool) or not fields.MIN_MS <= ms <= fields.MAX_MS):
        problems.add(problems.invalid, "time", i)
    for key in ("insert_id", "ip", "library"):
        if item.get(key) is not None and not isinstance(item[key], str):
            problems.add(problems.invalid, key, i)
    for key in _OBJECT_FIELDS:
        if item.get(key) is not None and not isinstance(item[key], dict):
            problems.add(problems.invalid, key, i)


def _missing(field: str) -> ProtocolError:
    return ProtocolError(400, "invalid_request", "Request missing required field", details={"missing_field": field})


def _too_large(message: str) -> ProtocolError:
    return ProtocolError(413, "payload_too_large", message)


def decode(inbound: Inbound) -> Decoded:
    body = json_value(body_json(inbound))
    if not isinstance(body, dict):
        raise ProtocolError(400, "invalid_request", "body must be a JSON object {api_key, events}")
    if inbound.kind == "httpapi" and len(inbound.body) > HTTPAPI_MAX_BYTES:
        raise _too_large("Payload too large: /2/httpapi takes at most 1 MB; use /batch for more")
    api_key = body.get("api_key")
    if not isinstance(api_key, str) or not api_key:
        raise _missing("api_key")
    items = body.get("events")
    if items is None:
        raise _missing("events")
    if not isinstance(items, list):
        raise ProtocolError(400, "invalid_request", "events must be an array", details={"missing_field": "events"})
    if len(items) > MAX_EVENTS:
        raise _too_large(f"Payload too large: {len(items)} events; at most {MAX_EVENTS} per request")
    min_id_length = _min_id_length(body.get("options"))
    problems = _Problems()
    for i, item in enumerate(items):
        _check_event(item, i, min_id_length, problems)
    if (error := problems.error()) is not None:
        raise error
    sent_at = body.get("client_upload_time") if isinstance(body.get("client_upload_time"), str) else None
    return Decoded(api_key, [event_from_wire(item, inbound.client_ip, sent_at) for item in items])


def _min_id_length(options: Any) -> int:
    if not isinstance(options, dict) or options.get("min_id_length") is None:
        return DEFAULT_MIN_ID_LENGTH
    value = options["min_id_length"]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ProtocolError(400, "invalid_request", "options.min_id_length must be a positive integer")
    return value


# -- answers -----------------------------------------------------------------------------------------------------------


def _json(body: dict[str, Any], status: int, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def respond_ok(inbound: Inbound, decoded: Decoded) -> Response:
    return _json(
        {
            "code": 200,
            "events_ingested": len(decoded.events),
            "payload_size_bytes": len(inbound.body),
            "server_upload_time": int(time.time() * 1000),
        },
        200,
    )


def respond_error(inbound: Inbound, error: ProtocolError) -> Response:
    message = error.message
    if error.status == 401:
        # The SDKs recognise a bad key by this prefix and stop retrying, as with Amplitude itself.
        message = f"Invalid API key: {message}"
    return _json({"code": error.status, "error": message, **error.details}, error.status, error.retry_after)


# -- outbound ----------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def event_to_wire(event: Event) -> dict[str, Any]:
    same = event.origin == NAME
    wire: dict[str, Any] = dict(event.extra) if same else {}
    context = event.context or {}
    type_ = event.type

    if type_ == "track":
        if isinstance(event.event, str):
            wire["event_type"] = event.event
    else:
        wire["event_type"] = fields.special_event(type_, NAME)
    _ids_to_wire(event, wire)
    wire["insert_id"] = event.message_id
    ms = fields.ms_from_iso(event.timestamp)
    if ms is not None:
        wire["time"] = ms
    _properties_to_wire(event, wire)
    if type_ == "group":
        _group_to_wire(event, context, wire, same)
    else:
        _user_properties_to_wire(event, context, wire)
        if "groups" in context:
            wire["groups"] = context["groups"]
    _device_to_wire(context, wire)
    _CONTEXT.to_wire(context, wire)
    return wire


def _ids_to_wire(event: Event, wire: dict[str, Any]) -> None:
    if event.type == "alias":
        # No alias in Amplitude's event API: an $identify carrying both ids merges the previous id's device into
        # the user, which is what an alias asks for.
        if event.user_id is not None:
            wire["user_id"] = _text(event.user_id)
        if event.previous_id is not None or event.anonymous_id is not None:
            wire["device_id"] = _text(event.previous_id if event.previous_id is not None else event.anonymous_id)
        wire.setdefault("user_properties", {})
        return
    if event.user_id is not None:
        wire["user_id"] = _text(event.user_id)
    if event.anonymous_id is not None:
        wire["device_id"] = _text(event.anonymous_id)


def _properties_to_wire(event: Event, wire: dict[str, Any]) -> None:
    properties = dict(event.properties) if event.properties is not None else None
    key = _NAME_KEYS.get(event.type)
    if key is not None and event.name is not None:
        properties = properties if properties is not None else {}
        properties[key] = event.name
    if properties is not None:
        wire["event_properties"] = properties


def _device_to_wire(context: dict[str, Any], wire: dict[str, Any]) -> None:
    library = context.get("library")
    if isinstance(library, dict) and library.get("name") is not None:
        text = _text(library["name"])
        wire["library"] = text if library.get("version") is None else f"{text}/{_text(library['version'])}"
    if context.get("ip") is not None:
        wire["ip"] = context["ip"]


def _user_properties_to_wire(event: Event, context: dict[str, Any], wire: dict[str, Any]) -> None:
    residue = wire.get("user_properties")
    flat = context.get("traits")
    if residue is None and event.traits is None and not isinstance(flat, dict):
        return
    user_properties = dict(residue) if isinstance(residue, dict) else {}
    if event.traits is not None:
        user_properties["$set"] = event.traits
    if isinstance(flat, dict):
        if _is_operations(user_properties):
            # Amplitude takes operations or plain properties, not both: plain ones join $set (explicit traits win).
            user_properties["$set"] = {**flat, **user_properties.get("$set", {})}
        else:
            user_properties.update(flat)
    wire["user_properties"] = user_properties


def _group_to_wire(event: Event, context: dict[str, Any], wire: dict[str, Any], same: bool) -> None:
    if event.group_id is not None:
        group_type = context.get("groupType", fields.DEFAULT_GROUP_TYPE)
        wire["groups"] = {_text(group_type): _text(event.group_id)}
    elif "groups" in context:
        wire["groups"] = context["groups"]
    if event.traits is not None:
        residue = wire.get("group_properties")
        wire["group_properties"] = {**(residue if isinstance(residue, dict) else {}), "$set": event.traits}
    if not same and isinstance(context.get("traits"), dict):
        wire["user_properties"] = context["traits"]


def encode(event: Event) -> bytes:
    return orjson.dumps(event_to_wire(event))


def build_batch(items: Sequence[bytes], destination: Destination, kind: EndpointKind = "event") -> OutboundRequest:
    api_key = orjson.dumps(destination.credentials["api_key"])
    body = b'{"api_key":' + api_key + b',"events":[' + b",".join(items) + b'],"options":{"min_id_length":1}}'
    return OutboundRequest(
        url=f"{destination.endpoint}{OUTBOUND_PATH}", headers={"Content-Type": "application/json"}, body=body
    )


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
    credentials=("api_key",),
)
