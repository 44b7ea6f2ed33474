"""Mixpanel's ingestion API: decode what Mixpanel's SDKs send, answer as Mixpanel does, encode for /import, /engage
and /groups.

Inbound (reference/vendor-wire-formats.md, Mixpanel; mixpanel/docs ingestion.openapi.yaml):
- `/track` (events), `/engage` (user profile updates), `/groups` (group profile updates), `/import` (events), with and
  without mixpanel-js's trailing slash; GET (`data=` in the query) and POST.
- Bodies: a form `data=` holding base64 (mixpanel-js to any host but Mixpanel's) or URL-encoded JSON (the Python SDK),
  whatever the Content-Type says (beacons say text/plain); or JSON or NDJSON (/import); gzip or not.
- Options from the query or the form: `ip=1` (use the request's address: it becomes `context.ip`, so Mixpanel still
  gets it after forwarding), `verbose=1` (answer `{status, error}` instead of `1`/`0`), `img=1` (answer a 1x1 GIF),
  `callback=` (JSONP).
- The project token (`properties.token`, `$token`; on /import also the Basic-auth user) is the gateway's write key.
- Limits: 2000 events and 2 MB of JSON per request (413 above, which mixpanel-js answers by halving its batch), 1 MB
  per event.

`/track` and `/engage` are also PostHog's legacy paths: the router (gateway.protocols.router) hands the requests PostHog
claims to that codec, and the rest to this one.

Outbound: events go to `POST {endpoint}/import?strict=1`, which takes events of any age (/track refuses those older
than 5 days, and a gateway replays its backlog after an outage), gzip and proper HTTP statuses (400 lists the bad
events, 429 asks to slow down). /import authenticates with the project token as Basic-auth user; a service account
(`service_account_username`, `service_account_secret`, `project_id`) or the legacy `api_secret` is used instead when
configured. Profile updates go to `/engage` and `/groups`: each encoded event says which (`kind_of`), and its outbox row
keeps that. /import needs `time`, `distinct_id` and a `$insert_id` of at
most 36 of [A-Za-z0-9-] on every event: decoding fills in `time` (the time of receipt, which is what /track would have
recorded) and encoding writes `time` as integer milliseconds and derives a valid `$insert_id` (uuid5) from any other
messageId, so retries keep it.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.responses import Response

from gateway.protocols import fields
from gateway.protocols.codec import (
    Codec,
    Decoded,
    EndpointKind,
    Inbound,
    JsonBody,
    Limits,
    OutboundRequest,
    ProtocolError,
    Route,
    basic_auth_user,
    body_json,
    read_json,
)
from gateway.protocols.forms import (
    form_fields,
    invalid,
    json_or_ndjson,
    params,
    payload_bytes,
)
from policies.event import Event
from policies.policy import Destination

NAME = "mixpanel"
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_EVENT_BYTES = 1024 * 1024
MAX_EVENTS = 2000
# Forms carry the JSON base64- or URL-encoded, up to twice its size: read that much, then hold the JSON to 2 MB.
LIMITS = Limits(max_body_bytes=2 * MAX_JSON_BYTES, max_event_bytes=MAX_EVENT_BYTES, max_events=MAX_EVENTS)
OUTBOUND_LIMITS = Limits(max_body_bytes=MAX_JSON_BYTES - 4096, max_event_bytes=MAX_EVENT_BYTES, max_events=MAX_EVENTS)

_KINDS = ("track", "engage", "groups", "import")
ROUTES = tuple(
    Route(f"/{kind}{slash}", kind, ("GET", "POST")) for kind in _KINDS for slash in ("", "/")
)

_TYPES = {fields.special_event(t, NAME): t for t in ("alias", "page", "screen")}
_NAME_KEY = "name"
_CONTEXT = fields.context_map(NAME, prefix="properties.")
_ID_SLOTS = ("$user_id", "$device_id")  # written back only where a decoded event had them
_DEVICE_PREFIX = "$device:"  # Mixpanel's distinct_id for a device not yet identified (simplified ID merge)
_JSONP_CALLBACK = re.compile(r"[A-Za-z_$][\w$.\[\]]{0,127}")
# The smallest transparent GIF: what Mixpanel answers to img=1.
_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# -- inbound -----------------------------------------------------------------------------------------------------------


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _epoch_ms(value: Any, where: str) -> int:
    """Mixpanel's `time`: seconds or milliseconds since the epoch, integer or not, as integer milliseconds."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        raise invalid(f"{where} must be a number of seconds or milliseconds since the epoch")
    return round(value) if abs(value) >= 1e11 else round(value * 1000)


def _distinct_id(user_id: Any, anonymous_id: Any) -> Any:
    if user_id is not None:
        return user_id
    if anonymous_id is not None:
        return f"{_DEVICE_PREFIX}{anonymous_id}"
    return ""  # "not tied to a user": /import needs the field, and takes the empty string for that


def event_from_wire(item: dict[str, Any], client_ip: str | None, use_ip: bool, now_ms: int) -> Event:
    """A validated /track or /import event as a canonical Event; what the model has no place for stays in `extra`."""
    wire = dict(item)
    name = wire.pop("event")
    type_ = _TYPES.get(name, "track")
    extra: dict[str, Any] = wire
    has_properties = isinstance(wire.get("properties"), dict)
    properties = {k: v for k, v in wire.pop("properties").items() if k != "token"} if has_properties else {}

    slots = {} if type_ == "alias" else {key: properties.pop(key) for key in _ID_SLOTS if key in properties}
    user_id, anonymous_id, previous_id = _ids_from_wire(type_, properties, slots)
    insert_id = properties.pop("$insert_id", None)
    timestamp = _timestamp_from_wire(properties, now_ms)
    context = _CONTEXT.from_wire(properties)
    if use_ip and "ip" not in context and client_ip:
        context["ip"] = client_ip
    event_name = None
    if type_ in ("page", "screen") and isinstance(properties.get(_NAME_KEY), str):
        event_name = properties.pop(_NAME_KEY)
    if slots:
        extra["properties"] = slots
    return Event(
        type=type_,
        message_id=insert_id if isinstance(insert_id, str) and insert_id else str(uuid.uuid4()),
        event=name if type_ == "track" else None,
        name=event_name,
        user_id=user_id,
        anonymous_id=anonymous_id,
        previous_id=previous_id,
        timestamp=timestamp,
        properties=properties if has_properties or properties else None,
        context=context or None,
        origin=NAME,
        extra=extra,
    )


def _ids_from_wire(type_: str, properties: dict[str, Any], slots: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(user_id, anonymous_id, previous_id) from distinct_id and the $user_id and $device_id found in `slots`."""
    distinct_id = properties.pop("distinct_id", None)
    if type_ == "alias":
        return properties.pop("alias", None), None, distinct_id
    user_id, anonymous_id = slots.get("$user_id"), slots.get("$device_id")
    if user_id is None and distinct_id not in (None, "") and distinct_id != _distinct_id(None, anonymous_id):
        user_id = distinct_id  # the server SDKs' form: distinct_id alone is the user
    return user_id, anonymous_id, None


def _timestamp_from_wire(properties: dict[str, Any], now_ms: int) -> str:
    """`properties.time`, taken out, as ISO 8601; the time of receipt when there is none."""
    ms = _epoch_ms(properties.pop("time"), "properties.time") if properties.get("time") is not None else now_ms
    timestamp = fields.iso_from_ms(ms)
    if timestamp is None:
        raise invalid("properties.time is out of range")
    return timestamp


def profile_from_wire(item: dict[str, Any], kind: str, client_ip: str | None, use_ip: bool) -> Event:
    """An /engage (user) or /groups (group) profile update as an identify or group call."""
    wire = {k: v for k, v in item.items() if k != "$token"}
    context: dict[str, Any] = {}
    user_id = group_id = None
    if kind == "groups":
        if "$group_key" in wire:
            context["groupType"] = wire.pop("$group_key")
        group_id = wire.pop("$group_id", None)
    else:
        user_id = wire.pop("$distinct_id", None)
    traits = wire.pop("$set") if isinstance(wire.get("$set"), dict) else None
    if wire.get("$ip") is not None:
        context["ip"] = wire.pop("$ip")
    elif use_ip and client_ip:
        context["ip"] = client_ip
    ms = _epoch_ms(wire.pop("$time"), "$time") if wire.get("$time") is not None else None
    if ms is not None and fields.iso_from_ms(ms) is None:
        raise invalid("$time is out of range")
    return Event(
        type="group" if kind == "groups" else "identify",
        message_id=str(uuid.uuid4()),  # profile updates have no dedup id at Mixpanel; this one is the gateway's
        user_id=user_id,
        group_id=group_id,
        timestamp=fields.iso_from_ms(ms) if ms is not None else None,
        traits=traits,
        context=context or None,
        origin=NAME,
        extra=wire,  # $set_once, $add, $union, $unset, $delete, ...: Mixpanel's alone
    )


def _token(items: list[dict[str, Any]], kind: str, headers: Mapping[str, str]) -> str | None:
    key = "$token" if kind in ("engage", "groups") else None
    found = set()
    for item in items:
        value = item.get(key) if key else (item.get("properties") or {}).get("token")
        if isinstance(value, str) and value:
            found.add(value)
    if len(found) > 1:
        raise ProtocolError(401, "unauthorized", "the events of one request carry different project tokens")
    if found:
        return found.pop()
    return basic_auth_user(headers) if kind == "import" else None


def _check(item: Any, kind: str, where: str, measure: bool) -> None:
    if not isinstance(item, dict):
        raise invalid(f"{where} must be an object")
    if measure and len(orjson.dumps(item)) > MAX_EVENT_BYTES:
        raise invalid(f"{where} is larger than 1 MB")
    if kind in ("engage", "groups"):
        return
    if not isinstance(item.get("event"), str) or not item["event"]:
        raise invalid(f"{where}.event must be a non-empty string")
    if item.get("properties") is not None and not isinstance(item["properties"], dict):
        raise invalid(f"{where}.properties must be an object")


def _raw_json(inbound: Inbound) -> tuple[bytes, JsonBody | None, dict[str, str]]:
    """The request's JSON bytes, already parsed when they are the body itself, and its options."""
    form = form_fields(inbound.body)
    data = form.get("data")
    if data is None and not inbound.body:
        data = inbound.query.get("data")
    if data is not None:
        return payload_bytes(data), None, params(inbound.query, form)
    if form:
        raise invalid("form has no data= field")
    return inbound.body, body_json(inbound), params(inbound.query, {})


def decode(inbound: Inbound) -> Decoded:
    raw, parsed, options = _raw_json(inbound)
    if not raw.strip():
        raise invalid("no data: send events as data= or as a JSON body")
    if len(raw) > MAX_JSON_BYTES:
        raise ProtocolError(413, "payload_too_large", "request is larger than 2 MB of JSON")
    body = json_or_ndjson(raw, parsed if parsed is not None else read_json(raw))
    items = body if isinstance(body, list) else [body]
    if len(items) > MAX_EVENTS:
        raise ProtocolError(413, "payload_too_large", f"{len(items)} records; at most {MAX_EVENTS} per request")
    measure = len(raw) > MAX_EVENT_BYTES
    for i, item in enumerate(items):
        _check(item, inbound.kind, f"data[{i}]", measure)
    token = _token(items, inbound.kind, inbound.headers)
    use_ip = options.get("ip") == "1"
    if inbound.kind in ("engage", "groups"):
        events = [profile_from_wire(item, inbound.kind, inbound.client_ip, use_ip) for item in items]
    else:
        now = _now_ms()
        events = [event_from_wire(item, inbound.client_ip, use_ip, now) for item in items]
    return Decoded(token, events)


# -- answers -----------------------------------------------------------------------------------------------------------


def _options(inbound: Inbound) -> dict[str, str]:
    return params(inbound.query, form_fields(inbound.body) if inbound.method == "POST" else {})


def _answer(options: Mapping[str, str], status: int, error: str | None,
            retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if options.get("img") == "1":
        return Response(_PIXEL, status_code=status, media_type="image/gif", headers=headers)
    if options.get("verbose") == "1":
        body = orjson.dumps({"status": 0 if error else 1, "error": error})
    else:
        body = b"0" if error else b"1"
    callback = options.get("callback")
    if callback and _JSONP_CALLBACK.fullmatch(callback):
        return Response(callback.encode() + b"(" + body + b");", status_code=status,
                        media_type="application/javascript", headers=headers)
    media = "application/json" if options.get("verbose") == "1" else "text/plain"
    return Response(body, status_code=status, media_type=media, headers=headers)


_STRICT_STATUS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 413: "Request Entity Too Large",
                  429: "Too Many Requests", 503: "Service Unavailable"}


def _strict(status: int, body: dict[str, Any], retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    body = {"code": status, **body, "status": _STRICT_STATUS.get(status, "Error")}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def respond_ok(inbound: Inbound, decoded: Decoded) -> Response:
    options = _options(inbound)
    if inbound.kind == "import" and options.get("verbose") != "1":
        return _strict(200, {"num_records_imported": len(decoded.events)})
    return _answer(options, 200, None)


def respond_error(inbound: Inbound, error: ProtocolError) -> Response:
    try:
        options = _options(inbound)
    except ProtocolError:
        options = dict(inbound.query)
    if inbound.kind == "import" and options.get("verbose") != "1":
        return _strict(error.status, {"error": error.message, "num_records_imported": 0, **error.details},
                       error.retry_after)
    return _answer(options, error.status, error.message, error.retry_after)


# -- outbound ----------------------------------------------------------------------------------------------------------


def event_to_wire(event: Event) -> dict[str, Any]:
    same = event.origin == NAME
    extra = dict(event.extra) if same else {}
    if event.type == "identify":
        return _profile_to_wire(event, extra, same)
    if event.type == "group":
        return _group_to_wire(event, extra, same)
    name = event.event if event.type == "track" else fields.special_event(event.type, NAME)
    wire: dict[str, Any] = {"event": name if name is not None else ""}
    slots = extra.pop("properties", None)
    wire.update(extra)
    properties = dict(event.properties) if event.properties is not None else {}
    _CONTEXT.to_wire(event.context, properties)
    if event.type in ("page", "screen") and event.name is not None:
        properties[_NAME_KEY] = event.name
    properties["time"] = fields.ms_from_iso(event.timestamp) or _now_ms()
    _ids_to_wire(event, properties, (slots if isinstance(slots, dict) else {}) if same else None)
    properties["$insert_id"] = fields.mixpanel_insert_id(event.message_id)
    wire["properties"] = properties
    return wire


def _ids_to_wire(event: Event, properties: dict[str, Any], slots: dict[str, Any] | None) -> None:
    """distinct_id, and the $user_id and $device_id: where the decoded event had them (`slots`, for a Mixpanel event),
    or else the device's id, and with it the user's, which links the two at Mixpanel."""
    if event.type == "alias":
        properties["distinct_id"] = event.previous_id if event.previous_id is not None else ""
        if event.user_id is not None:
            properties["alias"] = event.user_id
        return
    properties["distinct_id"] = _distinct_id(event.user_id, event.anonymous_id)
    if slots is not None:
        for key, value in (("$user_id", event.user_id), ("$device_id", event.anonymous_id)):
            if key in slots and value is not None:
                properties[key] = value
    elif event.anonymous_id is not None:
        properties["$device_id"] = event.anonymous_id
        if event.user_id is not None:
            properties["$user_id"] = event.user_id


def _profile_to_wire(event: Event, extra: dict[str, Any], same: bool) -> dict[str, Any]:
    wire: dict[str, Any] = {"$distinct_id": _distinct_id(event.user_id, event.anonymous_id)}
    if same and event.user_id is None and event.anonymous_id is None:
        del wire["$distinct_id"]
    wire.update(extra)
    _profile_common(event, wire, same)
    return wire


def _group_to_wire(event: Event, extra: dict[str, Any], same: bool) -> dict[str, Any]:
    context = event.context or {}
    wire: dict[str, Any] = {}
    group_type = context.get("groupType", None if same else fields.DEFAULT_GROUP_TYPE)
    if "groupType" in context or not same:
        wire["$group_key"] = group_type
    if event.group_id is not None:
        wire["$group_id"] = event.group_id
    wire.update(extra)
    _profile_common(event, wire, same)
    return wire


def _profile_common(event: Event, wire: dict[str, Any], same: bool) -> None:
    if event.traits is not None:
        wire["$set"] = event.traits
    elif not same:
        wire["$set"] = {}  # an update needs an operation; an empty $set touches nothing
    ip = (event.context or {}).get("ip")
    if ip is not None:
        wire["$ip"] = ip
    ms = fields.ms_from_iso(event.timestamp)
    if ms is not None:
        wire["$time"] = ms


def encode(event: Event) -> bytes:
    return orjson.dumps(event_to_wire(event))


def _import_auth(credentials: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Basic-auth pair and query for /import: a service account, else the legacy project secret, else the token."""
    user, secret = credentials.get("service_account_username"), credentials.get("service_account_secret")
    if user and secret and credentials.get("project_id"):
        return f"{user}:{secret}", {"project_id": credentials["project_id"]}
    if credentials.get("api_secret"):
        return f"{credentials['api_secret']}:", {}
    return f"{credentials['token']}:", {}


def kind_of(event: Event) -> EndpointKind:
    """Where an encoded event goes: identify calls are user profile updates (/engage), group calls group profile
    updates (/groups), everything else an event (/import)."""
    return _KIND_OF_TYPE.get(event.type, "event")


_KIND_OF_TYPE: dict[str, EndpointKind] = {"identify": "profile", "group": "group"}
_PROFILE_PATHS = {"profile": "/engage", "group": "/groups"}


def build_batch(items: Sequence[bytes], destination: Destination, kind: EndpointKind = "event") -> OutboundRequest:
    """Events to /import; user profile updates to /engage and group profile updates to /groups, each update with the
    destination's project token."""
    if kind == "event":
        pair, query = _import_auth(destination.credentials)
        auth = "Basic " + base64.b64encode(pair.encode()).decode()
        return OutboundRequest(
            url=f"{destination.endpoint}/import?{urlencode({'strict': '1', **query})}",
            headers={"Content-Type": "application/json", "Authorization": auth},
            body=b"[" + b",".join(items) + b"]",
        )
    token = orjson.dumps(destination.credentials["token"])
    # ip=0: the profile's place comes from its $ip, never from the gateway's own address.
    return OutboundRequest(
        url=f"{destination.endpoint}{_PROFILE_PATHS[kind]}?verbose=1&ip=0",
        headers={"Content-Type": "application/json"},
        body=b"[" + b",".join(_with_token(update, token) for update in items) + b"]",
    )


def _with_token(update: bytes, token: bytes) -> bytes:
    """An encoded profile update (a JSON object) with `"$token": token` as its last key."""
    return update[:-1] + (b',"$token":' if update != b"{}" else b'"$token":') + token + b"}"


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
    credentials=("token",),
    kind_of=kind_of,
)
