"""The Segment protocol: every inbound form its SDKs use decodes to canonical events, and encoding gives them back."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers

from gateway.protocols import segment
from gateway.protocols.codec import Inbound, ProtocolError
from policies.event import EVENT_TYPES


def inbound(kind: str, body: Any, headers: dict[str, str] | None = None) -> Inbound:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Inbound(kind, "POST", {}, Headers(headers or {}), raw)


def test_single_track_call_decodes_with_the_path_type_and_keeps_every_field() -> None:
    body = {
        "writeKey": "wk",
        "userId": "u-1",
        "event": "Order Completed",
        "properties": {"total": 12.5, "products": [{"sku": "A-1"}]},
        "context": {"library": {"name": "analytics.js"}},
        "timestamp": "2026-11-27T10:00:00.000Z",
        "messageId": "m-1",
        "_metadata": {"bundled": ["Segment.io"]},
    }
    decoded = segment.decode(inbound("track", body))
    assert decoded.write_key == "wk"
    [event] = decoded.events
    assert (event.type, event.event, event.user_id, event.message_id) == ("track", "Order Completed", "u-1", "m-1")
    assert event.extra == {"_metadata": {"bundled": ["Segment.io"]}}
    wire = orjson.loads(segment.encode(event))
    assert wire == {k: v for k, v in body.items() if k != "writeKey"} | {"type": "track"}


@pytest.mark.parametrize(("short", "kind"), [("t", "track"), ("i", "identify"), ("p", "page"), ("s", "screen"),
                                              ("g", "group"), ("a", "alias")])
def test_analytics_next_short_paths_map_to_their_types(short: str, kind: str) -> None:
    routes = {route.path: route.kind for route in segment.ROUTES}
    assert routes[f"/v1/{short}"] == kind
    event = segment.decode(inbound(kind, {"anonymousId": "a-1", "type": "ignored"})).events[0]
    assert event.type == kind


def test_batch_merges_top_level_context_and_integrations_into_each_item_item_keys_winning() -> None:
    body = {
        "batch": [
            {"type": "track", "event": "A", "userId": "u", "context": {"ip": "1.2.3.4"}},
            {"type": "identify", "userId": "u", "traits": {"plan": "pro"}, "integrations": {"All": False}},
        ],
        "context": {"ip": "9.9.9.9", "library": {"name": "analytics-python"}},
        "integrations": {"All": True, "Mixpanel": False},
        "sentAt": "2026-11-27T10:00:01Z",
    }
    events = segment.decode(inbound("batch", body)).events
    assert events[0].context == {"ip": "1.2.3.4", "library": {"name": "analytics-python"}}
    assert events[0].integrations == {"All": True, "Mixpanel": False}
    assert events[1].integrations == {"All": False, "Mixpanel": False}
    assert all(e.sent_at == "2026-11-27T10:00:01Z" for e in events)


def test_write_key_from_basic_auth_when_the_body_has_none() -> None:
    auth = "Basic " + base64.b64encode(b"key-from-header:").decode()
    decoded = segment.decode(inbound("batch", {"batch": []}, {"Authorization": auth}))
    assert decoded.write_key == "key-from-header"


def test_write_key_is_never_kept_in_events() -> None:
    body = {"batch": [{"type": "track", "event": "A", "anonymousId": "x", "writeKey": "secret"}], "writeKey": "secret"}
    [event] = segment.decode(inbound("batch", body)).events
    assert b"secret" not in segment.encode(event)


def test_message_id_is_assigned_when_missing_and_distinct_per_event() -> None:
    events = segment.decode(inbound("batch", {"batch": [{"type": "track", "event": "A"}] * 3})).events
    ids = {e.message_id for e in events}
    assert len(ids) == 3 and all(ids)


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        ("batch", b"{not json", "not valid JSON"),
        ("batch", b"[1, 2]", "must be a JSON object"),
        ("batch", {"batch": "x"}, "batch must be an array"),
        ("batch", {"batch": [1]}, "batch[0] must be an object"),
        ("batch", {"batch": [{"type": "nonsense"}]}, "batch[0].type must be one of"),
        ("batch", {"batch": [{"type": "track", "properties": [1]}]}, "batch[0].properties must be an object"),
        ("batch", {"batch": [{"type": "track"}] * 2501}, "at most 2500"),
        ("track", {"event": "A", "properties": {"blob": "x" * 33 * 1024}}, "larger than 32 KB"),
        ("batch", {"batch": [{"type": "track", "properties": {"blob": "x" * 33 * 1024}}]},
         "batch[0] is larger than 32 KB"),
    ],
)
def test_bad_bodies_are_refused_with_400_saying_what_is_wrong(kind: str, body: Any, message: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        segment.decode(inbound(kind, body))
    assert refused.value.status == 400
    assert message in refused.value.message


def test_error_response_has_segments_shape_and_retry_after() -> None:
    response = segment.respond_error(inbound("batch", b""), ProtocolError(503, "unavailable", "busy", retry_after=7))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert orjson.loads(response.body) == {"success": False, "code": "unavailable", "message": "busy"}


# -- round trip -------------------------------------------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
ids = st.none() | st.text(min_size=1, max_size=30) | st.integers(0, 10**12)
texts = st.text(max_size=30)

segment_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES), "messageId": st.text(min_size=1, max_size=40)},
    optional={
        "event": texts,
        "name": texts,
        "userId": ids,
        "anonymousId": ids,
        "groupId": ids,
        "previousId": ids,
        "timestamp": texts,
        "sentAt": texts,
        "properties": json_objects,
        "traits": json_objects,
        "context": json_objects,
        "integrations": json_objects,
        "originalTimestamp": texts,
        "category": st.none() | texts,
        "version": st.integers(1, 2),
        "_metadata": json_objects,
    },
)


@settings(max_examples=300, deadline=None)
@given(segment_messages)
def test_decode_then_encode_reproduces_every_field(message: dict[str, Any]) -> None:
    [event] = segment.decode(inbound("batch", {"batch": [message]})).events
    assert orjson.loads(segment.encode(event)) == orjson.loads(orjson.dumps(message))


def test_outbound_batch_carries_the_destinations_write_key_and_the_items_unchanged() -> None:
    from policies.policy import Destination

    destination = Destination("seg", "segment", "http://vendor.test", {"write_key": "dest-key"}, ("analytics",))
    items = [b'{"type":"track","messageId":"1"}', b'{"type":"identify","messageId":"2"}']
    request = segment.build_batch(items, destination)
    assert request.url == "http://vendor.test/v1/batch"
    assert base64.b64decode(request.headers["Authorization"].split()[1]) == b"dest-key:"
    body = orjson.loads(request.body)
    assert [e["messageId"] for e in body["batch"]] == ["1", "2"]
    assert body["sentAt"].endswith("Z")
