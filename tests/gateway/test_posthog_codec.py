"""The PostHog protocol: every body form and compression its SDKs use decodes to canonical events, answers are
PostHog's, tokens are checked as PostHog does, and encoding gives every decoded event back unchanged."""

from __future__ import annotations

import base64
import gzip
import uuid
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers, QueryParams

from gateway.protocols import posthog
from gateway.protocols.codec import Inbound, ProtocolError
from gateway.protocols.lzstring import LZStringError, decompress_from_base64
from policies.policy import Destination
from tests.support.lzstring import compress_to_base64

CLIENT_IP = "203.0.113.9"
UUID = "0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e6f"

# (text, LZString.compressToBase64(text)) from the lz-string 1.5.0 JavaScript library itself.
LZ_VECTORS = [
    ('', 'Q==='),
    ('a', 'IZA='),
    ('hello world', 'BYUwNmD2AEDukCcwBMg='),
    ('ÿ€😀 unicode ✓', 'P+GoJLwbgAewBArgdgSwMYHsAmBTKhkciA=='),
    ('[{"event":"$pageview","properties":{"distinct_id":"d-1","token":"phc_test",'
     '"$current_url":"https://example.com/a?b=c"}}]',
     'NobwRApgbhB2AuYBcYAkAHAhgc2gSwgHcwAaMdAJwHt0IL4CBnZcAEz0YdgGN4B9PK2RhWAWgCMpMPCoBrOMPQALbn3gROU1NwCuFCnH56ANsKX'
     'x46RkgD0NiAA9MAW3TGIAOm5VnNzAH4AIwBebjAAX3CAXSA=='),
    ('a' * 114, 'IY18ZXTt/DpA'),
    (orjson.dumps({"big": [f"k{i}é" for i in range(300)]}).decode(),
     ('N4IgRglg5iBcDaIDWAGAlyANMgjB7SATPsgMwlIAsFArBQGwUDsFAHBQJwU7pa558kOYoJzlR1UXVGNRLUe1FdBhXgUID1I9ePWT'
      '109bPXz1i9coKk1ZTWW1ldZfWUNljZU2XNlLySjZUdlQOVE5ULlRuVB5UXlQ+VH5INIE0wTShNOE0kTTRNLE08TSJNMn0gfTB9KH'
      '04fSR9NH0sfTx9In0yUyBTMFMoUzhTJFM0UyxTPFMiUzJrIGswayhrOGskazRrLGs8ayJrMkcgRzBHKEc4RyRHNEcsRzxHIkcyTy'
      'BPME8oTzhPEiPGiPFiPHiPESPA+PG4OB+wjhAJwQJwIJwYJwEJwUJwH1U3A0hL+hABhCBhBBhDBhAhhChhA+1m4pB+pD+pABpCBp'
      'BBpDBpAhpChpA+AW4lB+lD+lABlCBlBBlDBlAhlChlA+qW46R1f2yOqB+R1YOKOqh5W4lStP1qVoBjStINaVohnStH163H63r+w2'
      '9QPG3rB029UPm3EWkZ+q0jAM2kZBu0jEMOkY+p245yzf2uWaB9yzYOeWah7woqkCqmCqlCqnCqkiqmiqliqniqkSqmSGir8IriJU'
      'YgHTbRA7bWIHXbxFYJKiJ87rpNnTcps7btNnXcZFeZKlZu7rnN3Td5u7bgt3XdFFfFKklt7rstvTcVt7bqtvXc1Fe1Kl1/51ga/5'
      'Nsa/5tma/5dpaKjWrBNZ2rBDaOrBLYurBHburBPZeioPp4XW/p4U2QZ4W2oZ4V2EYqFGNE1rGNENgmNEtsmNEdmmNE9pmKjZrxdZ'
      '5rxTaFrxbYlrxXbliAAC6AC+QA==')),
]
POSTHOG_JS_BODY = ('[{"event":"$pageview","properties":{"distinct_id":"d-1","$device_id":"d-1","token":"phc_test",'
                   '"$current_url":"https://shop.example.com/p/1?ref=home","title":"Prüfung ✓ 😀"},'
                   '"uuid":"0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e6f","timestamp":"2026-11-27T10:00:00.000Z"}]')
POSTHOG_JS_LZ64 = (
    'NobwRApgbhB2AuYBcYAkAHAhgc2gSwgHcwAaMdAJwHt0IL4CBnZcAEz0YdgGN4B9PK2RhWAWgCMpNK3zcIAoSjGSy8KgGs4w9AAt'
    'ufeBE5TU3AK4UKcfhYA2wnfHjpGSAPRvGOmgDoIAD0wAW3RbCB9uKiC3dDdxAH4rADMAXm8giCkGeDDhAAUKAB+ks1hsAAJAZHJy'
    'wF4NwAA9sABfMjMzQWEABnEATg6AIwAWJIA2UQBmbmGIUQB2VmG+0W7McUXxTAAmPomB1gBWCGGkrLwMzmD0YQ2OjdHxcVENmYAV'
    'cQ6kDvfPn0+OgC0mgBdIA===')


def inbound(
    body: Any, query: dict[str, str] | None = None, method: str = "POST", client_ip: str | None = None
) -> Inbound:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Inbound("capture", method, QueryParams(query or {}), Headers({}), raw, client_ip)


# What posthog 7.91.1 (Python) posts to /batch/ for capture() and set().
SDK_BATCH = {
    "batch": [
        {"properties": {"plan": "pro", "$lib": "posthog-python", "$lib_version": "7.91.1", "$geoip_disable": True},
         "timestamp": "2026-11-27T10:00:00.123456+00:00", "distinct_id": "user-1", "event": "Order Completed",
         "uuid": UUID},
        {"timestamp": "2026-11-27T10:00:01+00:00", "distinct_id": "user-1", "$set": {"email": "a@example.com"},
         "event": "$set", "uuid": "0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e70",
         "properties": {"$lib": "posthog-python", "$lib_version": "7.91.1", "$geoip_disable": True}},
    ],
    "sent_at": "2026-11-27T10:00:02+00:00",
    "api_key": "phc_project",
}


def test_python_sdk_batch_decodes_with_the_api_key_and_ids() -> None:
    decoded = posthog.decode(inbound(SDK_BATCH, client_ip=CLIENT_IP))
    assert decoded.write_key == "phc_project"
    track, identify = decoded.events
    assert (track.type, track.event, track.user_id, track.message_id) == ("track", "Order Completed", "user-1", UUID)
    assert track.properties == {"plan": "pro", "$geoip_disable": True}
    assert track.context == {"library": {"name": "posthog-python", "version": "7.91.1"}}  # geoip disabled: no IP
    assert (identify.type, identify.user_id, identify.traits) == ("identify", "user-1", {"email": "a@example.com"})
    assert all(e.sent_at == "2026-11-27T10:00:02+00:00" for e in decoded.events)
    for sent, event in zip(SDK_BATCH["batch"], decoded.events, strict=True):
        assert orjson.loads(posthog.encode(event)) == sent


def test_posthog_js_events_carry_the_distinct_id_among_properties_and_the_request_address_becomes_ip() -> None:
    [event] = posthog.decode(inbound(POSTHOG_JS_BODY.encode(), client_ip=CLIENT_IP)).events
    assert (event.type, event.user_id, event.anonymous_id) == ("page", None, "d-1")  # anonymous: distinct id = device
    assert event.context == {"page": {"url": "https://shop.example.com/p/1?ref=home"}, "ip": CLIENT_IP}
    wire = orjson.loads(posthog.encode(event))
    assert wire["properties"]["$ip"] == CLIENT_IP
    assert "token" not in wire["properties"]  # the write key is the gateway's, never forwarded
    assert wire["properties"]["distinct_id"] == wire["properties"]["$device_id"] == "d-1"


def test_identify_from_posthog_js_merges_the_anonymous_id_into_the_user() -> None:
    item = {"event": "$identify", "uuid": UUID, "properties": {
        "distinct_id": "user-1", "$anon_distinct_id": "anon-1", "$device_id": "anon-1", "$set": {"plan": "pro"},
        "token": "phc_project"}}
    [event] = posthog.decode(inbound([item])).events
    assert (event.type, event.user_id, event.anonymous_id, event.traits) == (
        "identify", "user-1", "anon-1", {"plan": "pro"})
    item["properties"].pop("token")
    assert orjson.loads(posthog.encode(event)) == item


@pytest.mark.parametrize(("item", "expected"), [
    ({"event": "$create_alias", "distinct_id": "anon-1", "properties": {"distinct_id": "anon-1", "alias": "user-1"}},
     {"type": "alias", "previous_id": "anon-1", "user_id": "user-1"}),
    ({"event": "$groupidentify", "distinct_id": "user-1",
      "properties": {"$group_type": "org", "$group_key": "acme", "$group_set": {"seats": 5}}},
     {"type": "group", "group_id": "acme", "traits": {"seats": 5}, "context": {"groupType": "org"}}),
    ({"event": "$screen", "distinct_id": "user-1", "properties": {"$screen_name": "Cart"}},
     {"type": "screen", "name": "Cart"}),
])
def test_special_events_become_alias_group_and_screen_calls(item: dict[str, Any], expected: dict[str, Any]) -> None:
    [event] = posthog.decode(inbound({"api_key": "phc_project", "batch": [{**item, "uuid": UUID}]})).events
    assert {key: getattr(event, key) for key in expected} == expected
    assert orjson.loads(posthog.encode(event)) == {**item, "uuid": UUID}


def test_a_single_event_object_with_its_own_api_key_is_a_request() -> None:
    body = {"api_key": "phc_project", "event": "A", "distinct_id": "user-1", "properties": {"x": 1}}
    decoded = posthog.decode(inbound(body))
    assert decoded.write_key == "phc_project"
    assert decoded.events[0].properties == {"x": 1}


# -- body forms and compressions ---------------------------------------------------------------------------------------

def decoded_ids(request: Inbound) -> list[str]:
    return [e.message_id for e in posthog.decode(request).events]


def test_lz64_form_body_as_posthog_js_sends_it() -> None:
    body = b"data=" + quote(POSTHOG_JS_LZ64, safe="").encode()
    assert decoded_ids(inbound(body, {"compression": "lz64"})) == [UUID]


def test_lz_string_body_without_a_form() -> None:
    assert decoded_ids(inbound(POSTHOG_JS_LZ64.encode(), {"compression": "lz-string"})) == [UUID]


@pytest.mark.parametrize("compression", ["base64", "b64"])
def test_base64_form_body(compression: str) -> None:
    body = b"data=" + quote(base64.b64encode(POSTHOG_JS_BODY.encode()).decode(), safe="").encode()
    assert decoded_ids(inbound(body, {"compression": compression})) == [UUID]


def test_unescaped_plus_in_a_base64_form_survives() -> None:
    encoded = base64.b64encode(POSTHOG_JS_BODY.encode()).decode()
    assert "+" in encoded or "/" in encoded
    assert decoded_ids(inbound(b"data=" + encoded.encode(), {"compression": "base64"})) == [UUID]


def test_get_with_data_in_the_query() -> None:
    data = base64.b64encode(POSTHOG_JS_BODY.encode()).decode()
    assert decoded_ids(inbound(b"", {"data": data, "compression": "base64"}, method="GET")) == [UUID]


def test_form_data_without_compression_may_be_plain_json() -> None:
    assert decoded_ids(inbound(b"data=" + quote(POSTHOG_JS_BODY).encode())) == [UUID]


def test_gzip_bodies_reach_the_codec_already_inflated_by_ingest() -> None:
    # ingest recognises gzip by its magic bytes (posthog-js sends compression=gzip-js with text/plain); what the codec
    # sees is the JSON, whatever the compression parameter says.
    from gateway.bodies import decode_content

    raw = decode_content(gzip.compress(POSTHOG_JS_BODY.encode()), None, posthog.MAX_BODY_BYTES)
    assert decoded_ids(inbound(raw, {"compression": "gzip-js"})) == [UUID]


# -- tokens ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["api_key", "token", "$token"])
def test_token_from_any_of_its_names(where: str) -> None:
    body = {where: "phc_project", "batch": [{"event": "A", "distinct_id": "u"}]}
    assert posthog.decode(inbound(body)).write_key == "phc_project"


def test_token_from_the_events_properties() -> None:
    body = [{"event": "A", "properties": {"distinct_id": "u", "token": "phc_project"}}]
    assert posthog.decode(inbound(body)).write_key == "phc_project"


@pytest.mark.parametrize(("body", "message"), [
    ({"batch": [{"event": "A", "distinct_id": "u"}]}, "API key is missing"),
    ([{"event": "A", "distinct_id": "u", "api_key": "phc_a"}, {"event": "B", "distinct_id": "u", "api_key": "phc_b"}],
     "different tokens"),
    ({"api_key": "phx_personal", "batch": [{"event": "A", "distinct_id": "u"}]}, "personal API key"),
])
def test_missing_mixed_or_personal_tokens_are_401(body: Any, message: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        posthog.decode(inbound(body))
    assert refused.value.status == 401 and message in refused.value.message


# -- refusals and answers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "query", "status", "message"), [
    (b"{not json", {}, 400, "not valid JSON"),
    (b"data=%%%", {"compression": "lz64"}, 400, "lz-string"),
    ({"api_key": "phc_p", "batch": [{"distinct_id": "u"}]}, {}, 400, "event must be a non-empty string"),
    ({"api_key": "phc_p", "batch": [{"event": "A"}]}, {}, 400, "no distinct_id"),
    ({"api_key": "phc_p", "batch": [{"event": "A", "distinct_id": "u", "uuid": "nope"}]}, {}, 400, "must be a UUID"),
    ({"api_key": "phc_p", "batch": [{"event": "A", "distinct_id": "u", "properties": [1]}]}, {},
     400, "properties must be"),
    ({"api_key": "phc_p", "batch": "x"}, {}, 400, "batch must be an array"),
    ({"api_key": "phc_p", "batch": [{"event": "A", "distinct_id": "u", "properties": {"x": "y" * 2_200_000}}]}, {}, 413,
     "larger than 2 MB"),
])
def test_bad_requests_are_refused_in_plain_text(body: Any, query: dict[str, str], status: int, message: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        posthog.decode(inbound(body, query))
    assert refused.value.status == status and message in refused.value.message
    response = posthog.respond_error(inbound(b""), refused.value)
    assert response.status_code == status and response.media_type == "text/plain"
    assert message in response.body.decode()


def test_success_is_status_ok_and_beacons_get_204() -> None:
    decoded = posthog.decode(inbound(SDK_BATCH))
    assert posthog.respond_ok(inbound(SDK_BATCH), decoded).body == b'{"status":"Ok"}'
    beacon = posthog.respond_ok(inbound(SDK_BATCH, {"beacon": "1"}), decoded)
    assert beacon.status_code == 204 and beacon.body == b""


def test_overload_answer_has_retry_after() -> None:
    response = posthog.respond_error(inbound(b""), ProtocolError(503, "unavailable", "busy", retry_after=5))
    assert response.status_code == 503 and response.headers["retry-after"] == "5"


def test_paths_with_and_without_trailing_slash_get_and_post() -> None:
    routes = {route.path: route.methods for route in posthog.ROUTES}
    for path in ("/e", "/e/", "/i/v0/e", "/i/v0/e/", "/capture", "/capture/", "/batch/"):
        assert routes[path] == ("GET", "POST")


@pytest.mark.parametrize(("query", "body", "expected"), [
    ({"compression": "lz64"}, b"data=abc", True),
    ({}, orjson.dumps({"api_key": "phc_p", "batch": []}), True),
    ({}, orjson.dumps([{"event": "A", "distinct_id": "u"}]), True),
    ({}, b"data=eyJldmVudCI6IkEifQ%3D%3D", False),  # mixpanel-js's base64 form
    ({}, orjson.dumps([{"event": "A", "properties": {"token": "t"}}]), False),  # Mixpanel's JSON
    ({}, orjson.dumps({"$token": "t", "$distinct_id": "u", "$set": {}}), False),  # an /engage update
])
def test_claims_posthog_requests_on_paths_it_shares_with_mixpanel(
    query: dict[str, str], body: bytes, expected: bool
) -> None:
    assert posthog.claims(inbound(body, query)) is expected


# -- outbound ----------------------------------------------------------------------------------------------------------

def test_outbound_batch_posts_to_batch_with_the_destinations_project_key() -> None:
    destination = Destination("ph", "posthog", "http://vendor.test", {"api_key": "phc_dest"}, ("analytics",))
    request = posthog.build_batch([b'{"event":"A","distinct_id":"u"}'], destination)
    assert request.url == "http://vendor.test/batch/"
    body = orjson.loads(request.body)
    assert body["api_key"] == "phc_dest" and body["batch"] == [{"event": "A", "distinct_id": "u"}]
    assert body["sent_at"].endswith("Z")


def test_a_message_id_that_is_not_a_uuid_becomes_the_same_uuid5_on_every_encoding() -> None:
    from gateway.protocols import segment

    [event] = segment.decode(Inbound("track", "POST", {}, Headers({}),
                                     orjson.dumps({"event": "A", "userId": "u", "messageId": "m-1"}))).events
    first, again = (orjson.loads(posthog.encode(event))["uuid"] for _ in range(2))
    assert first == again and uuid.UUID(first).version == 5


# -- lz-string ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "compressed"), LZ_VECTORS, ids=range(len(LZ_VECTORS)))
def test_lz_string_decompression_matches_the_javascript_library(text: str, compressed: str) -> None:
    assert decompress_from_base64(compressed, 10**6) == text


def test_lz_string_output_is_capped() -> None:
    with pytest.raises(LZStringError, match="expands past"):
        decompress_from_base64(LZ_VECTORS[5][1], 50)


@pytest.mark.parametrize("garbage", ["!!!!", "NobwRApgbhB2"])
def test_lz_string_garbage_is_an_error_not_a_crash(garbage: str) -> None:
    with pytest.raises(LZStringError):
        decompress_from_base64(garbage, 10**6)


# -- round trip --------------------------------------------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
RESERVED = {"distinct_id", "token", "alias", "name", "api_key", "uuid", "event", "timestamp", "properties", "$set"}
free_keys = st.text(max_size=10).filter(lambda k: not k.startswith("$") and k not in RESERVED)
ids = st.text(min_size=1, max_size=20) | st.integers(0, 10**9)

context_properties = st.fixed_dictionaries({}, optional={
    "$os": st.text(max_size=8), "$os_version": st.text(max_size=8), "$lib": st.text(max_size=8),
    "$lib_version": st.text(max_size=8), "$current_url": st.text(max_size=20), "$pathname": st.text(max_size=8),
    "$referrer": st.text(max_size=8), "$screen_width": st.integers(0, 5000), "$raw_user_agent": st.text(max_size=20),
    "$browser_language": st.text(max_size=5), "$timezone": st.text(max_size=8), "$device_type": st.text(max_size=8),
    "$ip": st.ip_addresses().map(str), "$groups": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    "$geoip_disable": st.booleans(), "$session_id": st.text(max_size=8), "$insert_id": st.text(max_size=10),
})


@st.composite
def posthog_events(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(["$identify", "$set", "$create_alias", "$groupidentify", "$pageview", "$screen"])
                | st.text(min_size=1, max_size=15))
    properties = {**draw(st.dictionaries(free_keys, json_values, max_size=3)), **draw(context_properties)}
    item: dict[str, Any] = {"event": name, "uuid": str(draw(st.uuids()))}
    user, anonymous = draw(ids), draw(ids)
    if name == "$create_alias":
        item["distinct_id"] = properties["distinct_id"] = anonymous
        properties["alias"] = user
    else:
        shape = draw(st.sampled_from(["server", "anonymous", "identified", "both"]))
        if shape == "server":
            item["distinct_id"] = user
        elif shape == "anonymous":
            properties["distinct_id"] = properties["$device_id"] = anonymous
        elif shape == "identified":
            properties["distinct_id"] = user
            if user != anonymous:
                properties["$device_id"] = anonymous
            if name == "$identify":
                properties["$anon_distinct_id"] = anonymous
        else:
            item["distinct_id"] = properties["distinct_id"] = user
    if name == "$groupidentify":
        properties.update({"$group_type": draw(st.text(max_size=5)), "$group_key": draw(ids),
                           "$group_set": draw(json_objects)})
    elif name == "$set":
        item["$set"] = draw(json_objects)
    elif draw(st.booleans()):
        properties["$set"] = draw(json_objects)
    if name == "$pageview" and draw(st.booleans()):
        properties["name"] = draw(st.text(max_size=8))
    if name == "$screen":
        properties["$screen_name"] = draw(st.text(max_size=8))
    if draw(st.booleans()):
        item["timestamp"] = draw(st.text(max_size=30))
    if draw(st.booleans()):
        item["offset"] = draw(st.integers(0, 10**6))
    if properties or draw(st.booleans()):
        item["properties"] = properties
    return item


@settings(max_examples=400, deadline=None)
@given(st.lists(posthog_events(), min_size=1, max_size=3))
def test_decode_then_encode_reproduces_every_event(events: list[dict[str, Any]]) -> None:
    decoded = posthog.decode(inbound({"api_key": "phc_project", "batch": events}))
    for sent, event in zip(events, decoded.events, strict=True):
        assert orjson.loads(posthog.encode(event)) == orjson.loads(orjson.dumps(sent))


@settings(max_examples=100, deadline=None)
@given(posthog_events())
def test_a_missing_uuid_is_the_only_thing_encoding_adds(item: dict[str, Any]) -> None:
    del item["uuid"]
    [event] = posthog.decode(inbound({"api_key": "phc_project", "batch": [item]})).events
    wire = orjson.loads(posthog.encode(event))
    assert wire.pop("uuid") == event.message_id
    assert wire == orjson.loads(orjson.dumps(item))


def test_the_tests_lz_string_compressor_writes_what_the_javascript_library_writes() -> None:
    # tests.support.lzstring makes lz64 bodies for other tests; these are lz-string's own outputs.
    assert [compress_to_base64(text) for text, _ in LZ_VECTORS] == [packed for _, packed in LZ_VECTORS]
    assert compress_to_base64(POSTHOG_JS_BODY) == POSTHOG_JS_LZ64
