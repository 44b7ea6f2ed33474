"""The Amplitude protocol: HTTP V2 and Batch API bodies decode to canonical events, answers carry Amplitude's `code`,
refusals list the bad events as Amplitude does, and encoding gives every decoded event back unchanged."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers, QueryParams

from gateway.protocols import amplitude
from gateway.protocols.codec import Inbound, ProtocolError
from policies.policy import Destination

CLIENT_IP = "203.0.113.9"


def inbound(
    body: Any, kind: str = "httpapi", query: dict[str, str] | None = None, client_ip: str | None = None
) -> Inbound:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Inbound(kind, "POST", QueryParams(query or {}), Headers({}), raw, client_ip)


def request(*events: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return {"api_key": "amp-key", "events": list(events), **envelope}


# What amplitude-analytics 1.3.0 sends for client.track(BaseEvent(...)) and client.identify(...).
SDK_TRACK = {
    "event_type": "Order Completed",
    "user_id": "user-1",
    "device_id": "device-1",
    "time": 1764237600123,
    "insert_id": "5f0c6b0e-4c8e-4a53-9d36-1f5cbb0f0a11",
    "event_properties": {"order_id": "o-17", "total": 42.5},
    "library": "amplitude-python/1.3.0",
    "platform": "Web",
}
SDK_IDENTIFY = {
    "event_type": "$identify",
    "user_id": "user-1",
    "time": 1764237600456,
    "insert_id": "7d8a1f43-6b2e-4f0a-8a51-3c2f4f3e9b20",
    "user_properties": {"$set": {"plan": "pro"}, "$add": {"logins": 1}},
    "library": "amplitude-python/1.3.0",
}


def test_sdk_track_decodes_to_a_track_call_with_its_fields_in_canonical_places() -> None:
    decoded = amplitude.decode(inbound(request(SDK_TRACK)))
    assert decoded.write_key == "amp-key"
    [event] = decoded.events
    assert (event.type, event.event, event.user_id, event.anonymous_id) == (
        "track", "Order Completed", "user-1", "device-1")
    assert event.message_id == SDK_TRACK["insert_id"]
    assert event.timestamp == "2025-11-27T10:00:00.123Z"
    assert event.properties == {"order_id": "o-17", "total": 42.5}
    assert event.context == {"library": {"name": "amplitude-python", "version": "1.3.0"}}
    assert event.extra == {"platform": "Web"}  # Amplitude's alone: kept for Amplitude, ignored by other vendors
    assert orjson.loads(amplitude.encode(event)) == SDK_TRACK


def test_identify_maps_set_to_traits_and_keeps_other_operations_for_amplitude() -> None:
    [event] = amplitude.decode(inbound(request(SDK_IDENTIFY))).events
    assert event.type == "identify"
    assert event.traits == {"plan": "pro"}
    assert event.extra["user_properties"] == {"$add": {"logins": 1}}
    assert orjson.loads(amplitude.encode(event)) == SDK_IDENTIFY


def test_flat_user_properties_on_any_event_are_the_users_traits_in_context() -> None:
    body = request({"event_type": "A", "device_id": "device-1", "user_properties": {"plan": "pro"}})
    [event] = amplitude.decode(inbound(body)).events
    assert event.context == {"traits": {"plan": "pro"}}
    assert event.traits is None


def test_group_identify_becomes_a_group_call() -> None:
    item = {"event_type": "$groupidentify", "user_id": "user-1", "groups": {"org": "acme"},
            "group_properties": {"$set": {"seats": 5}}}
    [event] = amplitude.decode(inbound(request(item))).events
    assert (event.type, event.group_id, event.traits) == ("group", "acme", {"seats": 5})
    assert event.context == {"groupType": "org"}
    assert orjson.loads(amplitude.encode(event)) == item | {"insert_id": event.message_id}


@pytest.mark.parametrize(("event_type", "kind", "name_key"), [
    ("[Amplitude] Page Viewed", "page", "name"),
    ("[Amplitude] Screen Viewed", "screen", "[Amplitude] Screen Name"),
])
def test_page_and_screen_views_become_page_and_screen_calls_with_their_name(
    event_type: str, kind: str, name_key: str
) -> None:
    item = {"event_type": event_type, "device_id": "device-1", "insert_id": "i-1",
            "event_properties": {name_key: "Pricing", "[Amplitude] Page Path": "/pricing"}}
    [event] = amplitude.decode(inbound(request(item))).events
    assert (event.type, event.name, event.properties) == (kind, "Pricing", {"[Amplitude] Page Path": "/pricing"})
    assert orjson.loads(amplitude.encode(event)) == item


def test_remote_ip_becomes_the_clients_address_so_amplitude_still_places_the_user() -> None:
    body = request({"event_type": "A", "device_id": "device-1", "ip": "$remote"})
    [event] = amplitude.decode(inbound(body, client_ip=CLIENT_IP)).events
    assert event.context == {"ip": CLIENT_IP}
    assert orjson.loads(amplitude.encode(event))["ip"] == CLIENT_IP


def test_an_explicit_ip_is_kept() -> None:
    body = request({"event_type": "A", "device_id": "device-1", "ip": "198.51.100.4"})
    [event] = amplitude.decode(inbound(body, client_ip=CLIENT_IP)).events
    assert event.context == {"ip": "198.51.100.4"}


def test_insert_id_is_assigned_when_missing_and_distinct_per_event() -> None:
    events = amplitude.decode(inbound(request(*[{"event_type": "A", "device_id": "device-1"}] * 3))).events
    assert len({e.message_id for e in events}) == 3


def test_batch_path_takes_the_same_body_and_min_id_length_option() -> None:
    body = request({"event_type": "A", "user_id": "u1"}, options={"min_id_length": 2})
    [event] = amplitude.decode(inbound(body, kind="batch")).events
    assert event.user_id == "u1"


# -- answers ----------------------------------------------------------------------------------------------------------

def test_success_answer_has_amplitudes_shape_with_code() -> None:
    raw = orjson.dumps(request(SDK_TRACK, SDK_IDENTIFY))
    decoded = amplitude.decode(inbound(raw))
    response = amplitude.respond_ok(inbound(raw), decoded)
    answer = orjson.loads(response.body)
    assert response.status_code == 200
    assert answer["code"] == 200 and answer["events_ingested"] == 2 and answer["payload_size_bytes"] == len(raw)
    assert isinstance(answer["server_upload_time"], int)


def refusal(body: Any, kind: str = "httpapi") -> ProtocolError:
    with pytest.raises(ProtocolError) as refused:
        amplitude.decode(inbound(body, kind=kind))
    return refused.value


def answer_to(error: ProtocolError) -> tuple[int, dict[str, Any]]:
    response = amplitude.respond_error(inbound(b"{}"), error)
    return response.status_code, orjson.loads(response.body)


def test_missing_api_key_is_a_400_naming_the_missing_field() -> None:
    status, answer = answer_to(refusal({"events": []}))
    assert status == 400
    assert answer == {"code": 400, "error": "Request missing required field", "missing_field": "api_key"}


def test_invalid_events_are_listed_by_field_and_index_and_nothing_is_taken() -> None:
    events = [
        {"event_type": "ok", "user_id": "user-1"},
        {"user_id": "user-1"},  # no event_type
        {"event_type": "A"},  # neither user_id nor device_id
        {"event_type": "A", "user_id": "abc"},  # shorter than 5
        {"event_type": "A", "device_id": "device-1", "time": "yesterday"},
        {"event_type": "A", "device_id": "device-1", "event_properties": [1]},
    ]
    status, answer = answer_to(refusal(request(*events)))
    assert status == 400 and answer["code"] == 400
    assert answer["events_with_missing_fields"] == {"event_type": [1], "user_id_or_device_id": [2]}
    assert answer["events_with_invalid_id_lengths"] == {"user_id": [3]}
    assert answer["events_with_invalid_fields"] == {"time": [4], "event_properties": [5]}


def test_min_id_length_option_lets_shorter_ids_in() -> None:
    short_id = request({"event_type": "A", "user_id": "abc"}, options={"min_id_length": 3})
    assert amplitude.decode(inbound(short_id)).events


def test_more_than_2000_events_is_a_413() -> None:
    status, answer = answer_to(refusal(request(*[{"event_type": "A", "device_id": "device-1"}] * 2001)))
    assert status == 413 and answer["code"] == 413


def test_httpapi_over_1_mb_is_a_413_and_batch_takes_it() -> None:
    big = request(*[{"event_type": "A", "device_id": "device-1", "event_properties": {"x": "y" * 1000}}] * 1100)
    assert refusal(big).status == 413
    assert len(amplitude.decode(inbound(big, kind="batch")).events) == 1100


def test_unknown_api_key_is_answered_as_amplitude_does_so_the_sdk_stops_retrying() -> None:
    status, answer = answer_to(ProtocolError(401, "unauthorized", "missing or unknown write key"))
    assert status == 401 and answer["code"] == 401
    assert answer["error"].startswith("Invalid API key:")


def test_overload_is_a_retryable_code_with_retry_after() -> None:
    response = amplitude.respond_error(inbound(b"{}"), ProtocolError(503, "unavailable", "busy", retry_after=7))
    assert response.status_code == 503 and response.headers["retry-after"] == "7"
    assert orjson.loads(response.body)["code"] == 503


@pytest.mark.parametrize("body", [b"{not json", b"[1]"])
def test_bodies_that_are_not_an_amplitude_request_are_400s_in_amplitudes_shape(body: bytes) -> None:
    error = refusal(body)
    status, answer = answer_to(error)
    assert status == 400 and answer["code"] == 400 and answer["error"]


# -- outbound ---------------------------------------------------------------------------------------------------------

def test_outbound_batch_goes_to_the_batch_api_with_the_destinations_key_and_lenient_id_length() -> None:
    destination = Destination("amp", "amplitude", "http://vendor.test", {"api_key": "dest-key"}, ("analytics",))
    request_ = amplitude.build_batch([b'{"event_type":"A","device_id":"d"}'], destination)
    assert request_.url == "http://vendor.test/batch"
    body = orjson.loads(request_.body)
    assert body["api_key"] == "dest-key" and body["options"] == {"min_id_length": 1}
    assert body["events"] == [{"event_type": "A", "device_id": "d"}]


# -- round trip -------------------------------------------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
plain_keys = st.text(max_size=8).filter(lambda k: not k.startswith("$"))
ids = st.text(min_size=5, max_size=20)
operations = st.dictionaries(st.sampled_from(["$set", "$setOnce", "$add", "$append", "$unset"]), json_objects,
                             min_size=1, max_size=3)
user_properties = st.dictionaries(plain_keys, json_values, max_size=3) | operations \
    | st.fixed_dictionaries({"$set": json_objects, "plain": json_values})
event_types = st.sampled_from(["$identify", "$groupidentify", "[Amplitude] Page Viewed", "[Amplitude] Screen Viewed"]) \
    | st.text(min_size=1, max_size=20)
MS_RANGE = (-62135596800000, 253402300799999)  # years 1 to 9999

amplitude_events = st.fixed_dictionaries(
    {"event_type": event_types, "insert_id": st.text(min_size=1, max_size=40)},
    optional={
        "user_id": ids,
        "device_id": ids,
        "time": st.integers(*MS_RANGE),
        "event_properties": json_objects
        | st.fixed_dictionaries({"name": st.text(max_size=8)}, optional={"x": json_values})
        | st.fixed_dictionaries({"[Amplitude] Screen Name": st.text(max_size=8)}),
        "user_properties": user_properties,
        "groups": st.dictionaries(st.text(max_size=6), st.text(max_size=6) | st.lists(st.text(max_size=6), max_size=2),
                                  max_size=2),
        "group_properties": user_properties,
        "library": st.text(max_size=20),
        "ip": st.ip_addresses().map(str) | st.just(None),
        "os_name": st.text(max_size=8), "os_version": st.text(max_size=8), "device_model": st.text(max_size=8),
        "device_brand": json_scalars, "app_version": st.text(max_size=8), "carrier": st.text(max_size=8),
        "country": st.text(max_size=8), "city": st.text(max_size=8), "language": st.text(max_size=8),
        "location_lat": st.floats(-90, 90), "user_agent": st.text(max_size=30),
        "platform": st.text(max_size=8), "session_id": st.integers(0, 2**53), "event_id": st.integers(0, 2**31),
        "price": st.floats(0, 1e6), "revenue": st.floats(-1e6, 1e6), "productId": st.text(max_size=8),
        "plan": st.fixed_dictionaries({"branch": st.text(max_size=5)}), "partner_id": st.text(max_size=8),
    },
).filter(lambda e: "user_id" in e or "device_id" in e)


@settings(max_examples=400, deadline=None)
@given(st.lists(amplitude_events, min_size=1, max_size=3))
def test_decode_then_encode_reproduces_every_event(events: list[dict[str, Any]]) -> None:
    decoded = amplitude.decode(inbound(request(*events), kind="batch"))
    for sent, event in zip(events, decoded.events, strict=True):
        assert orjson.loads(amplitude.encode(event)) == orjson.loads(orjson.dumps(sent))


@settings(max_examples=100, deadline=None)
@given(amplitude_events)
def test_a_missing_insert_id_is_the_only_thing_encoding_adds(item: dict[str, Any]) -> None:
    del item["insert_id"]
    [event] = amplitude.decode(inbound(request(item))).events
    wire = orjson.loads(amplitude.encode(event))
    assert wire.pop("insert_id") == event.message_id
    assert wire == orjson.loads(orjson.dumps(item))


def test_basic_auth_is_not_how_amplitude_authenticates() -> None:
    auth = "Basic " + base64.b64encode(b"amp-key:").decode()
    with pytest.raises(ProtocolError) as refused:
        amplitude.decode(Inbound("httpapi", "POST", QueryParams({}), Headers({"Authorization": auth}),
                                 orjson.dumps({"events": []})))
    assert refused.value.details == {"missing_field": "api_key"}
