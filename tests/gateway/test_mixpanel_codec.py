"""The Mixpanel protocol: /track, /engage, /groups and /import in every form Mixpanel's SDKs send decode to canonical
events, answers follow the request's verbose/img/callback options, and encoding gives decoded events back (with what
/import requires: integer-millisecond `time`, a valid `$insert_id`, a `distinct_id`)."""

from __future__ import annotations

import base64
import gzip
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers, QueryParams

from gateway.protocols import mixpanel
from gateway.protocols.codec import Inbound, ProtocolError
from policies.policy import Destination

CLIENT_IP = "203.0.113.9"


def inbound(kind: str, body: Any, query: dict[str, str] | None = None, method: str = "POST",
            headers: dict[str, str] | None = None, client_ip: str | None = None) -> Inbound:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Inbound(kind, method, QueryParams(query or {}), Headers(headers or {}), raw, client_ip)


def python_form(records: Any) -> bytes:
    """How mixpanel 5.4.1 (Python) posts: a form with the JSON in data=, and verbose and ip in the form too."""
    return urlencode({"data": orjson.dumps(records).decode(), "verbose": 1, "ip": 0}).encode()


def js_form(records: Any) -> bytes:
    """How mixpanel-browser posts to a host that is not Mixpanel's: base64 JSON in data=."""
    return b"data=" + quote(base64.b64encode(orjson.dumps(records)).decode(), safe="").encode()


SDK_TRACK = {"event": "Order Completed", "properties": {
    "token": "mp-token", "distinct_id": "user-1", "time": 1764237600123, "$insert_id": "0a1b2c3d4e5f",
    "mp_lib": "python", "$lib_version": "5.4.1", "order_id": "o-17", "total": 42.5}}


def without_token(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "properties": {k: v for k, v in item["properties"].items() if k != "token"}}


def test_python_sdk_track_decodes_and_encodes_back() -> None:
    decoded = mixpanel.decode(inbound("track", python_form([SDK_TRACK]), client_ip=CLIENT_IP))
    assert decoded.write_key == "mp-token"
    [event] = decoded.events
    assert (event.type, event.event, event.user_id, event.message_id) == (
        "track", "Order Completed", "user-1", "0a1b2c3d4e5f")
    assert event.timestamp == "2025-11-27T10:00:00.123Z"
    assert event.properties == {"order_id": "o-17", "total": 42.5}
    assert event.context == {"library": {"name": "python", "version": "5.4.1"}}  # ip=0: the address is not used
    assert orjson.loads(mixpanel.encode(event)) == without_token(SDK_TRACK)


def test_browser_base64_form_with_ip_1_uses_the_clients_address() -> None:
    item = {"event": "Clicked", "properties": {"token": "mp-token", "distinct_id": "$device:dev-1",
                                               "$device_id": "dev-1", "time": 1764237600123, "$insert_id": "abc",
                                               "$current_url": "https://x/"}}
    request = inbound("track", js_form([item]), {"ip": "1", "verbose": "1"}, client_ip=CLIENT_IP)
    [event] = mixpanel.decode(request).events
    assert (event.user_id, event.anonymous_id) == (None, "dev-1")
    assert event.context == {"page": {"url": "https://x/"}, "ip": CLIENT_IP}
    wire = orjson.loads(mixpanel.encode(event))
    assert wire["properties"]["ip"] == CLIENT_IP
    assert wire["properties"]["distinct_id"] == "$device:dev-1" and wire["properties"]["$device_id"] == "dev-1"


@pytest.mark.parametrize("body", [
    lambda records: orjson.dumps(records),  # JSON array
    lambda records: b"\n".join(orjson.dumps(r) for r in records),  # NDJSON
    lambda records: b"data=" + quote(orjson.dumps(records).decode()).encode(),  # URL-encoded JSON
    lambda records: js_form(records),
], ids=["json", "ndjson", "form-json", "form-base64"])
def test_import_takes_json_ndjson_and_forms(body: Any) -> None:
    records = [SDK_TRACK, {**SDK_TRACK, "event": "Second"}]
    assert [e.event for e in mixpanel.decode(inbound("import", body(records))).events] == ["Order Completed", "Second"]


def test_import_token_may_be_the_basic_auth_user() -> None:
    item = {"event": "A", "properties": {"distinct_id": "u", "time": 1764237600123, "$insert_id": "x"}}
    auth = "Basic " + base64.b64encode(b"mp-token:").decode()
    assert mixpanel.decode(inbound("import", [item], headers={"Authorization": auth})).write_key == "mp-token"


def test_get_with_data_in_the_query() -> None:
    data = base64.b64encode(orjson.dumps(SDK_TRACK)).decode()
    decoded = mixpanel.decode(inbound("track", b"", {"data": data}, method="GET"))
    assert decoded.events[0].event == "Order Completed"


def test_seconds_and_fractional_seconds_become_integer_milliseconds_for_import() -> None:
    items = [{"event": "A", "properties": {"token": "t", "distinct_id": "u", "time": t}}
             for t in (1764237600, 1764237600.5)]
    events = mixpanel.decode(inbound("track", python_form(items))).events
    assert [orjson.loads(mixpanel.encode(e))["properties"]["time"] for e in events] == [1764237600000, 1764237600500]


def test_a_missing_time_is_the_time_of_receipt_as_mixpanel_records_it() -> None:
    [event] = mixpanel.decode(inbound("track", python_form([{"event": "A", "properties": {"token": "t"}}]))).events
    assert event.timestamp is not None and event.timestamp.endswith("Z")


@pytest.mark.parametrize(("insert_id", "kept"), [("abc-123", True), ("a" * 37, False), ("has_underscore", False)])
def test_insert_ids_mixpanel_would_refuse_become_a_stable_uuid5(insert_id: str, kept: bool) -> None:
    item = {"event": "A",
            "properties": {"token": "t", "distinct_id": "u", "time": 1764237600123, "$insert_id": insert_id}}
    [event] = mixpanel.decode(inbound("track", python_form([item]))).events
    first, again = (orjson.loads(mixpanel.encode(event))["properties"]["$insert_id"] for _ in range(2))
    assert first == again and (first == insert_id) is kept and len(first) <= 36


@pytest.mark.parametrize(("event_name", "kind"), [("$mp_web_page_view", "page"), ("Screen Viewed", "screen"),
                                                  ("$create_alias", "alias")])
def test_special_events(event_name: str, kind: str) -> None:
    item = {"event": event_name, "properties": {"token": "t", "distinct_id": "anon-1", "alias": "user-1",
                                                "name": "Home", "time": 1764237600123, "$insert_id": "x"}}
    [event] = mixpanel.decode(inbound("track", python_form([item]))).events
    assert event.type == kind
    if kind == "alias":
        assert (event.previous_id, event.user_id) == ("anon-1", "user-1")
    else:
        assert event.name == "Home"
    assert orjson.loads(mixpanel.encode(event)) == without_token(item)


def test_engage_set_is_an_identify_with_traits_and_other_operations_stay_mixpanels() -> None:
    update = {"$token": "mp-token", "$distinct_id": "user-1", "$time": 1764237600123, "$set": {"plan": "pro"},
              "$ip": "198.51.100.4", "$ignore_time": True}
    decoded = mixpanel.decode(inbound("engage", python_form([update])))
    assert decoded.write_key == "mp-token"
    [event] = decoded.events
    assert (event.type, event.user_id, event.traits) == ("identify", "user-1", {"plan": "pro"})
    assert event.context == {"ip": "198.51.100.4"} and event.extra == {"$ignore_time": True}
    assert orjson.loads(mixpanel.encode(event)) == {k: v for k, v in update.items() if k != "$token"}


def test_groups_set_is_a_group_call() -> None:
    update = {"$token": "mp-token", "$group_key": "company", "$group_id": "acme", "$set": {"seats": 5}}
    [event] = mixpanel.decode(inbound("groups", python_form([update]))).events
    assert (event.type, event.group_id, event.traits, event.context) == (
        "group", "acme", {"seats": 5}, {"groupType": "company"})
    assert orjson.loads(mixpanel.encode(event)) == {k: v for k, v in update.items() if k != "$token"}


# -- answers -----------------------------------------------------------------------------------------------------------

def answer(request: Inbound, error: ProtocolError | None = None):
    if error is None:
        return mixpanel.respond_ok(request, mixpanel.decode(request))
    return mixpanel.respond_error(request, error)


def test_plain_answer_is_1() -> None:
    response = answer(inbound("track", js_form([SDK_TRACK])))
    assert (response.status_code, response.body) == (200, b"1")


def test_verbose_in_the_form_as_the_python_sdk_sends_it() -> None:
    response = answer(inbound("track", python_form([SDK_TRACK])))
    assert orjson.loads(response.body) == {"status": 1, "error": None}


def test_img_1_gets_a_gif() -> None:
    response = answer(inbound("track", js_form([SDK_TRACK]), {"img": "1"}))
    assert response.media_type == "image/gif" and response.body.startswith(b"GIF89a")


def test_callback_gets_jsonp_and_an_unsafe_callback_name_is_ignored() -> None:
    response = answer(inbound("track", js_form([SDK_TRACK]), {"callback": "mp._jsc.abc", "verbose": "1"}))
    assert response.body == b'mp._jsc.abc({"status":1,"error":null});'
    unsafe = answer(inbound("track", js_form([SDK_TRACK]), {"callback": "alert(1)//"}))
    assert unsafe.body == b"1"


def test_import_answers_in_its_strict_shape() -> None:
    response = answer(inbound("import", orjson.dumps([SDK_TRACK])))
    assert orjson.loads(response.body) == {"code": 200, "num_records_imported": 1, "status": "OK"}


def refusal(kind: str, body: Any, query: dict[str, str] | None = None) -> ProtocolError:
    with pytest.raises(ProtocolError) as refused:
        mixpanel.decode(inbound(kind, body, query))
    return refused.value


@pytest.mark.parametrize(("kind", "body", "status", "message"), [
    ("track", b"data=%7Bnot", 400, "not valid JSON"),
    ("track", b"data=!!!!", 400, "neither JSON nor base64"),
    ("track", python_form([{"properties": {}}]), 400, "event must be a non-empty string"),
    ("track", python_form([{"event": "A", "properties": {"time": "yesterday"}}]), 400, "properties.time"),
    ("track", python_form([{"event": "A", "properties": [1]}]), 400, "properties must be an object"),
    ("track", python_form([{"event": "A", "properties": {"x": "y" * 1_100_000}}]), 400, "larger than 1 MB"),
    ("import", orjson.dumps([{"event": "A"}] * 2001), 413, "at most 2000"),
    ("track", b"", 400, "no data"),
    ("track", python_form([{"event": "A", "properties": {"token": "a"}}, {"event": "B", "properties": {"token": "b"}}]),
     401, "different project tokens"),
])
def test_bad_requests_are_refused_saying_what_is_wrong(kind: str, body: bytes, status: int, message: str) -> None:
    error = refusal(kind, body)
    assert error.status == status and message in error.message


def test_refusal_shapes_follow_the_request() -> None:
    error = ProtocolError(400, "invalid_request", "data[0].event must be a non-empty string")
    assert answer(inbound("track", b"data=x"), error).body == b"0"
    verbose = answer(inbound("track", b"data=x", {"verbose": "1"}), error)
    assert verbose.status_code == 400 and orjson.loads(verbose.body) == {"status": 0, "error": error.message}
    strict = orjson.loads(answer(inbound("import", b"[]"), error).body)
    assert strict == {"code": 400, "error": error.message, "num_records_imported": 0, "status": "Bad Request"}


def test_gzip_import_bodies_reach_the_codec_inflated() -> None:
    from gateway.bodies import decode_content

    raw = decode_content(gzip.compress(orjson.dumps([SDK_TRACK])), "gzip", mixpanel.LIMITS.max_body_bytes)
    assert mixpanel.decode(inbound("import", raw)).events[0].event == "Order Completed"


# -- outbound ----------------------------------------------------------------------------------------------------------

def destination(**credentials: str) -> Destination:
    return Destination("mp", "mixpanel", "http://vendor.test", {"token": "dest-token", **credentials}, ("analytics",))


def basic_user(request: Any) -> str:
    return base64.b64decode(request.headers["Authorization"].split()[1]).decode()


def test_events_go_to_import_authenticated_by_the_destinations_token() -> None:
    request = mixpanel.build_batch([mixpanel.encode(e) for e in mixpanel.decode(inbound("import", [SDK_TRACK])).events],
                                   destination())
    assert request.url == "http://vendor.test/import?strict=1"
    assert basic_user(request) == "dest-token:"
    [event] = orjson.loads(request.body)
    assert event["event"] == "Order Completed"


def test_import_uses_a_service_account_or_the_project_secret_when_configured() -> None:
    item = [b'{"event":"A","properties":{}}']
    service = mixpanel.build_batch(item, destination(service_account_username="sa", service_account_secret="s3",
                                                     project_id="42"))
    assert service.url == "http://vendor.test/import?strict=1&project_id=42" and basic_user(service) == "sa:s3"
    assert basic_user(mixpanel.build_batch(item, destination(api_secret="secret"))) == "secret:"


def test_events_and_profile_updates_each_go_to_their_endpoint_with_the_token() -> None:
    events = mixpanel.decode(inbound("track", python_form([SDK_TRACK]))).events
    events += mixpanel.decode(
        inbound("engage", python_form([{"$token": "t", "$distinct_id": "u", "$set": {"a": 1}}]))
    ).events
    events += mixpanel.decode(inbound("groups", python_form([{"$token": "t", "$group_key": "k", "$group_id": "g",
                                                                "$set": {"b": 2}}]))).events
    encoded = [mixpanel.CODEC.outbox_encoder()(e) for e in events]
    assert [kind for _, kind in encoded] == ["event", "profile", "group"]
    imports, engage, groups = (mixpanel.build_batch([body], destination(), kind) for body, kind in encoded)
    assert imports.url.startswith("http://vendor.test/import?")
    assert engage.url == "http://vendor.test/engage?verbose=1&ip=0"
    assert orjson.loads(engage.body) == [{"$distinct_id": "u", "$set": {"a": 1}, "$token": "dest-token"}]
    assert groups.url == "http://vendor.test/groups?verbose=1&ip=0"
    assert orjson.loads(groups.body)[0]["$token"] == "dest-token"


# -- round trip --------------------------------------------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
RESERVED = {"distinct_id", "token", "alias", "name", "time", "ip"}
free_keys = st.text(max_size=10).filter(
    lambda k: not k.startswith("$") and not k.startswith("mp_") and k not in RESERVED
)
ids = st.text(min_size=1, max_size=20).filter(lambda s: not s.startswith("$device:"))
insert_ids = st.from_regex(r"[A-Za-z0-9-]{1,36}", fullmatch=True)
MS = st.integers(100_000_000_000, 253402300799999)  # Mixpanel's millisecond form, up to year 9999

context_properties = st.fixed_dictionaries({}, optional={
    "mp_lib": st.text(max_size=8), "$lib_version": st.text(max_size=8), "$os": st.text(max_size=8),
    "$os_version": st.text(max_size=8), "$manufacturer": st.text(max_size=8), "$model": st.text(max_size=8),
    "$app_version_string": st.text(max_size=8), "$carrier": st.text(max_size=8), "$city": st.text(max_size=8),
    "$region": st.text(max_size=8), "$current_url": st.text(max_size=20), "$referrer": st.text(max_size=20),
    "$screen_width": st.integers(0, 5000), "ip": st.ip_addresses().map(str), "$browser": st.text(max_size=8),
    "mp_country_code": st.text(max_size=2),
})


@st.composite
def mixpanel_events(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(["$create_alias", "$mp_web_page_view", "Screen Viewed", "$identify"])
                | st.text(min_size=1, max_size=15))
    properties = {**draw(st.dictionaries(free_keys, json_values, max_size=3)), **draw(context_properties),
                  "token": "mp-token", "time": draw(MS), "$insert_id": draw(insert_ids)}
    user, device = draw(ids), draw(ids)
    if name == "$create_alias":
        properties.update({"distinct_id": device, "alias": user})
    else:
        shape = draw(st.sampled_from(["server", "anonymous", "identified", "legacy", "nobody"]))
        properties.update({
            "server": {"distinct_id": user},
            "anonymous": {"distinct_id": f"$device:{device}", "$device_id": device},
            "identified": {"distinct_id": user, "$user_id": user, "$device_id": device},
            "legacy": {"distinct_id": user, "$device_id": device},
            "nobody": {"distinct_id": ""},
        }[shape])
    if name in ("$mp_web_page_view", "Screen Viewed") and draw(st.booleans()):
        properties["name"] = draw(st.text(max_size=8))
    item: dict[str, Any] = {"event": name, "properties": properties}
    if draw(st.booleans()):
        item["extra_top_level"] = draw(json_values)
    return item


profile_updates = st.fixed_dictionaries(
    {"$token": st.just("mp-token"), "$distinct_id": ids},
    optional={"$set": json_objects, "$set_once": json_objects,
              "$add": st.dictionaries(st.text(max_size=5), st.integers(-(2**53), 2**53)),
              "$union": st.dictionaries(st.text(max_size=5), st.lists(st.text(max_size=5))),
              "$unset": st.lists(st.text()),
              "$ip": st.ip_addresses().map(str), "$time": MS, "$ignore_time": st.booleans()},
)
group_updates = st.fixed_dictionaries(
    {"$token": st.just("mp-token"), "$group_key": st.text(max_size=8), "$group_id": ids},
    optional={"$set": json_objects, "$set_once": json_objects, "$remove": json_objects, "$delete": st.just("")},
)


@settings(max_examples=400, deadline=None)
@given(st.lists(mixpanel_events(), min_size=1, max_size=3), st.sampled_from(["track", "import"]))
def test_decode_then_encode_reproduces_every_event(items: list[dict[str, Any]], kind: str) -> None:
    decoded = mixpanel.decode(inbound(kind, python_form(items) if kind == "track" else orjson.dumps(items)))
    for sent, event in zip(items, decoded.events, strict=True):
        assert orjson.loads(mixpanel.encode(event)) == orjson.loads(orjson.dumps(without_token(sent)))


@settings(max_examples=200, deadline=None)
@given(st.lists(profile_updates, min_size=1, max_size=3), st.lists(group_updates, min_size=1, max_size=3))
def test_decode_then_encode_reproduces_every_profile_update(
    people: list[dict[str, Any]], groups: list[dict[str, Any]]
) -> None:
    for kind, updates in (("engage", people), ("groups", groups)):
        for sent, event in zip(updates, mixpanel.decode(inbound(kind, python_form(updates))).events, strict=True):
            expected = {k: v for k, v in sent.items() if k != "$token"}
            assert orjson.loads(mixpanel.encode(event)) == orjson.loads(orjson.dumps(expected))


@settings(max_examples=100, deadline=None)
@given(mixpanel_events())
def test_what_encoding_adds_to_a_bare_event_is_what_import_requires(item: dict[str, Any]) -> None:
    for key in ("$insert_id", "time"):
        del item["properties"][key]
    if item["properties"].get("distinct_id") == "":
        del item["properties"]["distinct_id"]
    [event] = mixpanel.decode(inbound("track", python_form([item]))).events
    properties = orjson.loads(mixpanel.encode(event))["properties"]
    assert properties.pop("$insert_id") == event.message_id
    assert isinstance(properties.pop("time"), int)
    assert properties.setdefault("distinct_id", "") == (item["properties"].get("distinct_id") or "")
    assert properties == without_token(item)["properties"] | {"distinct_id": properties["distinct_id"]}
