"""PostHog's capture API: decode what PostHog's SDKs send, answer as PostHog does, encode for /batch/.

Inbound (reference/vendor-wire-formats.md, PostHog capture):
- Paths `/e`, `/i/v0/e`, `/capture`, `/batch` with and without a trailing slash, and the legacy `/track`, `/engage`;
  GET (payload in the query's `data=`) and POST. `/track`, `/engage` are Mixpanel's paths and `/batch` is Amplitude's:
  there this codec is a guest, and takes the requests it `claims` (gateway.protocols.router).
- Bodies: a JSON array of events (posthog-js), `{api_key|token, batch: [...], sent_at, historical_migration}` (the
  server SDKs), one event, or a form `data=`; `compression=gzip|gzip-js` (or gzip's magic bytes: ingest already
  inflated those), `lz64|lz-string` (lz-string base64), `base64|b64`. posthog-js labels all of them text/plain.
- The token is `api_key`, `token` or `$token`, on the request or on the events; none, several different ones, or a
  personal `phx_` key is a 401. It is the gateway's write key and is never forwarded.
- `distinct_id` (top level or among the properties) is required. `beacon=1` is answered 204, success is
  `{"status":"Ok"}`, errors are plain text.
- PostHog places users by the request's address unless told not to (`$geoip_disable`): the client's address becomes
  `context.ip`, so PostHog still gets it (as `$ip`) after forwarding.
- Capture v1 (`POST /i/v1/analytics/events`, posthog-python's `capture_mode='v1'`): the key is the `Authorization:
  Bearer` token; the body is `{created_at, batch, historical_migration}`, gzip, deflate (zlib) or zstd by
  Content-Encoding; an event carries `options` (typed stand-ins for `$cookieless_mode`, `$ignore_sent_at`,
  `$product_tour_id`, `$process_person_profile`), `session_id` and `window_id` at the top level, a required `uuid`, and
  no `$lib`: that comes from the `PostHog-Sdk-Info` header. Each event is put back into the legacy shape before
  decoding, so the rest of the gateway sees one PostHog event. Success is 200 `{"results": {uuid: {"result": "ok"}}}`
  for every event; errors are JSON `{"error", "error_description"}`.

Outbound: `POST {endpoint}/batch/` `{api_key, batch, sent_at}` with the destination's project `api_key`, as the
server SDKs do; session recordings (`$snapshot` events, gateway.protocols.posthog_snapshots) in the same envelope to
`{endpoint}/s/`, where posthog-js sends them. `uuid` is PostHog's dedup id; a messageId that is not a UUID becomes
a deterministic uuid5.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.responses import PlainTextResponse, Response

from gateway.protocols import fields, posthog_snapshots
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
    read_json,
)
from gateway.protocols.forms import (
    b64decode,
    form_fields,
    invalid,
    looks_like_json,
    payload_bytes,
    restore_plus,
)
from gateway.protocols.lzstring import LZStringError, decompress_from_base64
from policies.event import Event
from policies.policy import Destination

NAME = "posthog"
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_EVENT_BYTES = 2 * 1024 * 1024
# PostHog sets no count limit; the body limit bounds it. This only keeps one request's work finite.
LIMITS = Limits(max_body_bytes=MAX_BODY_BYTES, max_event_bytes=MAX_EVENT_BYTES, max_events=100_000)
OUTBOUND_LIMITS = Limits(max_body_bytes=5 * 1024 * 1024, max_event_bytes=MAX_EVENT_BYTES, max_events=1000)
OUTBOUND_PATH = "/batch/"
RECORDING_PATH = "/s/"  # where posthog-js sends `$snapshot` events (gateway.protocols.posthog_snapshots)

_PATHS = ("/e", "/i/v0/e", "/capture")
V1 = "v1"  # the kind of capture v1's path
# Kinds of the paths PostHog shares: Amplitude's /batch, and Mixpanel's /track and /engage.
_ON_AMPLITUDES, _ON_MIXPANELS = "amplitude-batch", "mixpanel-legacy"
ROUTES = (
    *(Route(path + slash, "capture", ("GET", "POST")) for path in _PATHS for slash in ("", "/")),
    Route("/batch/", "capture", ("GET", "POST")),
    *(Route("/i/v1/analytics/events" + slash, V1, ("POST",)) for slash in ("", "/")),
    Route("/batch", _ON_AMPLITUDES, ("POST",), guest=True),
    *(Route(f"/{path}{slash}", _ON_MIXPANELS, ("GET", "POST"), guest=True)
      for path in ("track", "engage") for slash in ("", "/")),
)
_REQUEST_PARAMETERS = ("compression", "ver", "beacon")  # what posthog-js adds to every request's query
# Capture v1's typed options and top-level fields, and the legacy properties they stand for.
_V1_OPTIONS = {"cookieless_mode": "$cookieless_mode", "disable_skew_correction": "$ignore_sent_at",
               "product_tour_id": "$product_tour_id", "process_person_profile": "$process_person_profile"}
_V1_TOP_LEVEL = {"session_id": "$session_id", "window_id": "$window_id"}

_TOKEN_KEYS = ("api_key", "token", "$token")
_TYPES = {fields.special_event(t, NAME): t for t in ("identify", "group", "alias", "page", "screen")}
IDENTIFY_EVENTS = ("$identify", "$set")  # the Python SDK's set() sends `$set` events: profile updates, as identify
_TYPES["$set"] = "identify"
_NAME_KEYS = {"page": "name", "screen": "$screen_name"}
_CONTEXT = fields.context_map(NAME, prefix="properties.")
# Identity keys among the properties. Where a decoded event had them, encoding writes the current ids there again.
_ID_SLOTS = ("distinct_id", "$device_id", "$anon_distinct_id")


class _Unauthorized(ProtocolError):
    def __init__(self, message: str) -> None:
        super().__init__(401, "unauthorized", message)


# -- request forms -----------------------------------------------------------------------------------------------------


def _json_payload(inbound: Inbound, max_bytes: int) -> tuple[Any, int]:
    """The JSON of a request, whichever of PostHog's forms and compressions carried it, and its size in bytes."""
    if looks_like_json(inbound.body):
        raw, parsed = inbound.body, body_json(inbound)
    else:
        raw, parsed = _unpacked(inbound, max_bytes), None
    if len(raw) > max_bytes:
        raise ProtocolError(413, "payload_too_large", f"body is larger than {max_bytes // (1024 * 1024)} MB")
    return json_value(parsed if parsed is not None else read_json(raw)), len(raw)


def _unpacked(inbound: Inbound, max_bytes: int) -> bytes:
    """The JSON bytes of a body that is not JSON itself: a form's or the query's `data=`, or the whole body, each
    perhaps lz-string or base64."""
    query = inbound.query
    form = form_fields(inbound.body)
    compression = (query.get("compression") or form.get("compression") or "").lower()
    if "data" in form:
        text = form["data"]
    elif inbound.body:
        text = inbound.body.decode("utf-8")  # form_fields has found it to be UTF-8
    elif "data" in query:
        text = query["data"]
    else:
        raise invalid("no data: send events in the body or in the data= parameter")

    if compression in ("lz64", "lz-string"):
        try:
            return decompress_from_base64(restore_plus(text.strip()), max_bytes).encode("utf-8")
        except LZStringError as exc:
            raise invalid(f"body is not valid lz-string data: {exc}") from None
    if compression in ("base64", "b64"):
        return b64decode(restore_plus(text))
    return payload_bytes(text)


def read_payload(inbound: Inbound, max_bytes: int) -> Any:
    """The JSON of any PostHog request (posthog-js's /flags, say) in whichever of the capture forms and compressions
    it came."""
    return _json_payload(inbound, max_bytes)[0]


def read_recording(inbound: Inbound, max_bytes: int) -> tuple[str, list[Any]]:
    """A `/s/` request of posthog-js: its project token and its raw `$snapshot` events (decoded from any of the
    capture forms and compressions). The events are validated by the replay module, which knows rrweb."""
    body, _ = _json_payload(inbound, max_bytes)
    items, envelope = _items(body)
    return _token(envelope, items, inbound.query), items


def claims(inbound: Inbound) -> bool:
    """Whether a request on a path PostHog shares is PostHog's: posthog-js's parameters say so, or else its body.
    On Amplitude's /batch, every body that is not Amplitude's `{api_key, events}`: a JSON array, a `{batch}` envelope,
    a form or a compressed body (Amplitude's SDKs send only JSON). On Mixpanel's /track and /engage, a JSON body with
    PostHog's envelope or event keys; not Mixpanel's own (a `data=` form, `{event, properties}`, `{$token, $set}`)."""
    if any(key in inbound.query for key in _REQUEST_PARAMETERS):
        return True
    if inbound.kind == _ON_AMPLITUDES:
        if inbound.body and not looks_like_json(inbound.body):
            return True
        body = body_json(inbound).value
        return isinstance(body, list) or (isinstance(body, dict) and "batch" in body and "events" not in body)
    body = body_json(inbound).value
    if isinstance(body, dict):
        return any(key in body for key in ("api_key", "batch", "uuid", "distinct_id"))
    first = body[0] if isinstance(body, list) and body else None
    return isinstance(first, dict) and any(key in first for key in ("uuid", "distinct_id", "api_key"))


def _items(body: Any) -> tuple[list[Any], dict[str, Any]]:
    """(events, envelope) of a decoded body."""
    if isinstance(body, list):
        return body, {}
    if isinstance(body, dict):
        if "batch" in body:
            if not isinstance(body["batch"], list):
                raise invalid("batch must be an array of events")
            return body["batch"], body
        return [body], {}
    raise invalid("body must be a JSON array of events or an object")


def _token(envelope: Mapping[str, Any], items: list[Any], query: Mapping[str, str]) -> str:
    found = {v for k in _TOKEN_KEYS if isinstance(v := envelope.get(k), str) and v}
    for item in items:
        if isinstance(item, dict):
            found.update(v for k in _TOKEN_KEYS if isinstance(v := item.get(k), str) and v)
            properties = item.get("properties")
            if isinstance(properties, dict):
                found.update(v for k in ("token", "$token") if isinstance(v := properties.get(k), str) and v)
    if not found and isinstance(query.get("token"), str) and query["token"]:
        found.add(query["token"])
    if not found:
        raise _Unauthorized("API key is missing: send api_key, token or $token")
    if len(found) > 1:
        raise _Unauthorized("the events of one request carry different tokens")
    [token] = found
    if token.startswith("phx_"):
        raise _Unauthorized("a personal API key (phx_) cannot send events; use the project API key")
    return token


def _check_event(item: Any, where: str, measure: bool) -> None:
    if not isinstance(item, dict):
        raise invalid(f"{where} must be an object")
    if measure and len(orjson.dumps(item)) > MAX_EVENT_BYTES:
        raise ProtocolError(413, "payload_too_large", f"{where} is larger than {MAX_EVENT_BYTES // (1024 * 1024)} MB")
    name = item.get("event")
    if not isinstance(name, str) or not name:
        raise invalid(f"{where}.event must be a non-empty string")
    properties = item.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise invalid(f"{where}.properties must be an object")
    distinct_id = item.get("distinct_id")
    if distinct_id is None and isinstance(properties, dict):
        distinct_id = properties.get("distinct_id")
    if distinct_id is None or distinct_id == "":
        raise invalid(f"{where} has no distinct_id")
    if isinstance(distinct_id, (dict, list)):
        raise invalid(f"{where}.distinct_id must be a string or a number")
    if item.get("uuid") is not None and not (isinstance(item["uuid"], str) and fields.is_uuid(item["uuid"])):
        raise invalid(f"{where}.uuid must be a UUID")
    if item.get("$set") is not None and not isinstance(item["$set"], dict):
        raise invalid(f"{where}.$set must be an object")


def decode(inbound: Inbound) -> Decoded:
    if inbound.kind == V1:
        return _decode_v1(inbound)
    body, size = _json_payload(inbound, MAX_BODY_BYTES)
    items, envelope = _items(body)
    if len(items) > LIMITS.max_events:
        raise ProtocolError(413, "payload_too_large", f"{len(items)} events; at most {LIMITS.max_events} per request")
    token = _token(envelope, items, inbound.query)
    measure = size > MAX_EVENT_BYTES
    for i, item in enumerate(items):
        _check_event(item, f"batch[{i}]", measure)
    sent_at = envelope.get("sent_at") if isinstance(envelope.get("sent_at"), str) else None
    return Decoded(token, [event_from_wire(item, inbound.client_ip, sent_at) for item in items])


# -- capture v1 --------------------------------------------------------------------------------------------------------


def _bearer(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _Unauthorized("send the project API key as Authorization: Bearer <key>")
    if token.startswith("phx_"):
        raise _Unauthorized("a personal API key (phx_) cannot send events; use the project API key")
    return token


def _sdk_info(headers: Mapping[str, str]) -> dict[str, str]:
    """$lib and $lib_version from `PostHog-Sdk-Info: posthog-python/7.91.1`, which v1 sends instead."""
    name, _, version = headers.get("posthog-sdk-info", "").strip().partition("/")
    return {"$lib": name, "$lib_version": version} if name else {}


def _from_v1(item: Any, lib: dict[str, str], where: str) -> Any:
    """A v1 event in the legacy shape: options and top-level session fields back among the properties."""
    if not isinstance(item, dict):
        return item  # _check_event says what is wrong
    if not isinstance(item.get("uuid"), str):
        raise invalid(f"{where}.uuid is required in capture v1")
    options = item.get("options", {})
    properties = item.get("properties", {})
    if not isinstance(options, dict) or not isinstance(properties, dict):
        raise invalid(f"{where}.options and {where}.properties must be objects")
    legacy = {k: v for k, v in item.items() if k not in ("options", *_V1_TOP_LEVEL)}
    legacy["properties"] = {
        **lib,
        **{_V1_OPTIONS[k]: v for k, v in options.items() if k in _V1_OPTIONS},
        **{prop: item[key] for key, prop in _V1_TOP_LEVEL.items() if key in item},
        **properties,
    }
    return legacy


def _decode_v1(inbound: Inbound) -> Decoded:
    token = _bearer(inbound.headers)
    body = json_value(body_json(inbound))
    if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
        raise invalid('body must be {"batch": [events], "created_at": ...}')
    items = body["batch"]
    if len(items) > LIMITS.max_events:
        raise ProtocolError(413, "payload_too_large", f"{len(items)} events; at most {LIMITS.max_events} per request")
    lib = _sdk_info(inbound.headers)
    legacy = [_from_v1(item, lib, f"batch[{i}]") for i, item in enumerate(items)]
    measure = len(inbound.body) > MAX_EVENT_BYTES
    for i, item in enumerate(legacy):
        _check_event(item, f"batch[{i}]", measure)
    created_at = body.get("created_at") if isinstance(body.get("created_at"), str) else None
    return Decoded(token, [event_from_wire(item, inbound.client_ip, created_at) for item in legacy])


# -- events ------------------------------------------------------------------------------------------------------------


def event_from_wire(item: dict[str, Any], client_ip: str | None, sent_at: str | None) -> Event:
    """One validated PostHog event as a canonical Event; what the model has no place for stays in `extra`."""
    wire = {k: v for k, v in item.items() if k not in _TOKEN_KEYS}  # the write key is the gateway's, never forwarded
    name = wire.pop("event")
    type_ = _TYPES.get(name, "track")
    if type_ == "identify" and name != "$identify":
        wire["event"] = name  # which identify-like event it was: $set
    extra: dict[str, Any] = wire

    has_properties = isinstance(wire.get("properties"), dict)
    properties = _without_token(wire.pop("properties")) if has_properties else {}
    slots: dict[str, Any] = {}
    user_id, anonymous_id, previous_id = _identity_from_wire(type_, wire, properties, slots)
    context: dict[str, Any] = _CONTEXT.from_wire(properties)
    traits, group_id = _traits_from_wire(type_, wire, properties, context)
    if "$groups" in properties:
        context["groups"] = properties.pop("$groups")
    name_key = _NAME_KEYS.get(type_)
    event_name = properties.pop(name_key) if name_key and isinstance(properties.get(name_key), str) else None
    if "ip" not in context and client_ip and not properties.get("$geoip_disable"):
        context["ip"] = client_ip

    if slots:
        extra["properties"] = slots
    message_id = wire.pop("uuid", None) or str(uuid.uuid4())
    timestamp = wire.pop("timestamp") if isinstance(wire.get("timestamp"), str) else None
    return Event(
        type=type_,
        message_id=message_id,
        event=name if type_ == "track" else None,
        name=event_name,
        user_id=user_id,
        anonymous_id=anonymous_id,
        group_id=group_id,
        previous_id=previous_id,
        timestamp=timestamp,
        sent_at=sent_at,
        properties=properties if has_properties or properties else None,
        traits=traits,
        context=context or None,
        origin=NAME,
        extra=extra,
    )


def _without_token(properties: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k not in ("token", "$token")}


def _identity_from_wire(type_: str, wire: dict[str, Any], properties: dict[str, Any], slots: dict[str, Any]
                        ) -> tuple[Any, Any, Any]:
    """(user_id, anonymous_id, previous_id) from distinct_id (top level, as the server SDKs send it, or among the
    properties, as posthog-js does) and the device's ids; the properties they are taken from are noted in `slots`."""
    distinct_id = wire.get("distinct_id")
    if "distinct_id" in properties:
        slots["distinct_id"] = properties.pop("distinct_id")
        if distinct_id is None:
            distinct_id = slots["distinct_id"]
    if type_ == "alias":
        return properties.pop("alias", None), None, distinct_id
    device_id = properties.get("$device_id")
    if type_ == "identify" and properties.get("$anon_distinct_id") is not None:
        user_id, anonymous_id = distinct_id, properties.pop("$anon_distinct_id")
        slots["$anon_distinct_id"] = anonymous_id
    elif device_id is not None and device_id == distinct_id:
        user_id, anonymous_id = None, distinct_id  # posthog-js before identify: the distinct id is the device's
    else:
        user_id, anonymous_id = distinct_id, device_id
    if device_id is not None and device_id == anonymous_id:
        slots["$device_id"] = properties.pop("$device_id")
    return user_id, anonymous_id, None


def _traits_from_wire(type_: str, wire: dict[str, Any], properties: dict[str, Any], context: dict[str, Any]
                      ) -> tuple[Any, Any]:
    """(traits, group_id): a group's $group_set and $group_key, or a person's $set, among the properties or at the
    top level (as the Python SDK's set() sends them)."""
    if type_ == "group":
        if "$group_type" in properties:
            context["groupType"] = properties.pop("$group_type")
        group_id = properties.pop("$group_key", None)
        return (properties.pop("$group_set") if isinstance(properties.get("$group_set"), dict) else None), group_id
    if isinstance(properties.get("$set"), dict):
        return properties.pop("$set"), None
    if isinstance(wire.get("$set"), dict):
        traits = wire["$set"]
        wire["$set"] = {}  # marks where the traits go back
        return traits, None
    return None, None


def event_to_wire(event: Event) -> dict[str, Any]:
    same = event.origin == NAME
    wire: dict[str, Any] = dict(event.extra) if same else {}
    slots = wire.pop("properties", None) if same else None
    slots = slots if isinstance(slots, dict) else {}
    context = event.context or {}
    type_ = event.type

    if type_ == "track":
        if event.event is not None:
            wire["event"] = event.event
    elif type_ != "identify" or wire.get("event") not in IDENTIFY_EVENTS:  # else the identify-like event it came as
        wire["event"] = fields.special_event(type_, NAME)

    properties = dict(event.properties) if event.properties is not None else {}
    _CONTEXT.to_wire(context, properties)
    if "groups" in context:
        properties["$groups"] = context["groups"]
    if type_ in _NAME_KEYS and event.name is not None:
        properties[_NAME_KEYS[type_]] = event.name
    _traits_to_wire(event, context, wire, properties, same)
    _identity_to_wire(event, wire, properties, slots, same)
    wire["uuid"] = fields.posthog_uuid(event.message_id)
    if event.timestamp is not None:
        wire["timestamp"] = event.timestamp
    if properties or event.properties is not None:
        wire["properties"] = properties
    return wire


def _traits_to_wire(event: Event, context: dict[str, Any], wire: dict[str, Any], properties: dict[str, Any],
                    same: bool) -> None:
    if event.type == "group":
        group_type = context.get("groupType", None if same else fields.DEFAULT_GROUP_TYPE)
        if group_type is not None:
            properties["$group_type"] = group_type
        if event.group_id is not None:
            properties["$group_key"] = event.group_id
        if event.traits is not None:
            properties["$group_set"] = event.traits
    elif "$set" in wire:
        if event.traits is None:
            del wire["$set"]
        else:
            wire["$set"] = event.traits
    elif event.traits is not None:
        properties["$set"] = event.traits


def _identity_to_wire(event: Event, wire: dict[str, Any], properties: dict[str, Any], slots: dict[str, Any],
                      same: bool) -> None:
    if event.type == "alias":
        distinct_id, anonymous_id = event.previous_id, None
        if event.user_id is not None:
            properties["alias"] = event.user_id
    else:
        distinct_id = event.user_id if event.user_id is not None else event.anonymous_id
        anonymous_id = event.anonymous_id
    if not same:
        # As posthog-js: the device's id alongside, and on $identify the anonymous id it merges into the user.
        if distinct_id is not None:
            wire["distinct_id"] = distinct_id
        if anonymous_id is not None:
            properties["$device_id"] = anonymous_id
            if event.type == "identify" and event.user_id is not None:
                properties["$anon_distinct_id"] = anonymous_id
        return
    # Same protocol: the ids go back where they were found, with their current (perhaps pseudonymised) values.
    if "distinct_id" in wire or "distinct_id" not in slots:
        _put_or_drop(wire, "distinct_id", distinct_id)
    for key in _ID_SLOTS:
        if key in slots:
            _put_or_drop(properties, key, distinct_id if key == "distinct_id" else anonymous_id)


def _put_or_drop(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def encode(event: Event) -> bytes:
    return orjson.dumps(event_to_wire(event))


def build_batch(items: Sequence[bytes], destination: Destination, kind: EndpointKind = "event") -> OutboundRequest:
    api_key = orjson.dumps(destination.credentials["api_key"])
    sent_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = b'{"api_key":' + api_key + b',"batch":[' + b",".join(items) + b'],"sent_at":"' + sent_at.encode() + b'"}'
    path = RECORDING_PATH if kind == "recording" else OUTBOUND_PATH
    return OutboundRequest(url=f"{destination.endpoint}{path}", headers={"Content-Type": "application/json"}, body=body)


# -- answers -----------------------------------------------------------------------------------------------------------

_OK = b'{"status":"Ok"}'


def respond_ok(inbound: Inbound, decoded: Decoded) -> Response:
    if inbound.kind == V1:  # a result per event; each is accepted (consent may still keep it from PostHog)
        results = {event.message_id: {"result": "ok"} for event in decoded.events}
        return Response(orjson.dumps({"results": results}), media_type="application/json")
    if inbound.query.get("beacon") == "1":
        return Response(status_code=204)
    return Response(_OK, media_type="application/json")


def respond_error(inbound: Inbound, error: ProtocolError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    if inbound.kind == V1:
        body = orjson.dumps({"error": error.code, "error_description": error.message})
        return Response(body, status_code=error.status, headers=headers, media_type="application/json")
    return PlainTextResponse(error.message, status_code=error.status, headers=headers)


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
    claims=claims,
    encode_recording=posthog_snapshots.snapshot_events,
)
