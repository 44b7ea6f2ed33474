"""Which codec takes a request: each path has one owner; on the paths vendors share (PostHog's legacy /track and
/engage on Mixpanel's, /batch on Amplitude's) the guest is asked whether it claims the request, and the owner takes
the rest, refusals of unreadable bodies included. The codecs never import each other; the JSON is parsed once."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from starlette.datastructures import Headers, QueryParams

from gateway.protocols import PROTOCOLS, amplitude, mixpanel, posthog, segment
from gateway.protocols.codec import Codec, Inbound, JsonBody, ProtocolError, Route, read_json
from gateway.protocols.router import ServedPath, served_paths

PATHS = {served.route.path: served for served in served_paths(PROTOCOLS.values())}
POSTHOG_BATCH = {"api_key": "phc_key", "batch": [{"event": "A", "distinct_id": "u1"}]}
AMPLITUDE_BATCH = {"api_key": "amp-key", "events": [{"event_type": "A", "user_id": "user-1"}]}
MIXPANEL_TRACK = [{"event": "A", "properties": {"token": "mp-token", "distinct_id": "u1"}}]


def request(path: str, body: Any = b"", query: dict[str, str] | None = None, method: str = "POST") -> Inbound:
    """The request as ingest hands it to the router: body read and parsed once, kind the owner's route's."""
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Inbound(PATHS[path].route.kind, method, QueryParams(query or {}), Headers({}), raw, None, read_json(raw))


def codec_for(path: str, body: Any = b"", query: dict[str, str] | None = None, method: str = "POST") -> str:
    codec, _ = PATHS[path].choose(request(path, body, query, method))
    return codec.name


def test_every_path_has_one_owner_and_posthog_is_the_only_guest() -> None:
    guests = {path: [guest.codec.name for guest in served.guests] for path, served in PATHS.items() if served.guests}
    assert guests == {path: ["posthog"] for path in ("/batch", "/track", "/track/", "/engage", "/engage/")}
    assert (PATHS["/batch"].owner, PATHS["/track"].owner, PATHS["/batch/"].owner) == (
        amplitude.CODEC, mixpanel.CODEC, posthog.CODEC)


@pytest.mark.parametrize(("body", "query", "expected"), [
    (POSTHOG_BATCH, {}, "posthog"),  # the Python SDK's envelope
    ([{"event": "A", "distinct_id": "u1"}], {}, "posthog"),  # posthog-js's array
    (b"data=eyJldmVudCI6IkEifQ%3D%3D", {}, "posthog"),  # a form: Amplitude's SDKs send only JSON
    (b"N4IgRglg5iBcDaIDWAGAlyA", {"compression": "lz64"}, "posthog"),
    (b"", {"ver": "1.449.2"}, "posthog"),
    (AMPLITUDE_BATCH, {}, "amplitude"),
    ({"batch": [], "events": []}, {}, "amplitude"),
    (b"{not json", {}, "amplitude"),  # nobody can read it: the owner refuses it in its shape
    (b"", {}, "amplitude"),
])
def test_on_amplitudes_batch_path_posthog_takes_everything_not_shaped_like_amplitude(
    body: Any, query: dict[str, str], expected: str
) -> None:
    assert codec_for("/batch", body, query) == expected


@pytest.mark.parametrize("path", ["/track", "/track/", "/engage", "/engage/"])
@pytest.mark.parametrize(("body", "query", "method", "expected"), [
    (POSTHOG_BATCH, {}, "POST", "posthog"),
    ([{"event": "A", "uuid": "0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e6f", "properties": {}}], {}, "POST", "posthog"),
    (b"", {"data": "eyJldmVudCI6IkEifQ==", "ver": "1.449.2"}, "GET", "posthog"),
    (MIXPANEL_TRACK, {}, "POST", "mixpanel"),
    ({"$token": "t", "$distinct_id": "u", "$set": {}}, {}, "POST", "mixpanel"),
    (b"data=" + quote(base64.b64encode(orjson.dumps(MIXPANEL_TRACK)).decode()).encode(), {}, "POST", "mixpanel"),
    (b"", {"data": "eyJldmVudCI6IkEifQ=="}, "GET", "mixpanel"),
    (b"[{", {}, "POST", "mixpanel"),
])
def test_on_mixpanels_paths_posthog_takes_its_parameters_and_its_json(
    path: str, body: Any, query: dict[str, str], method: str, expected: str
) -> None:
    assert codec_for(path, body, query, method) == expected


def test_a_claimed_request_is_decoded_and_answered_by_posthog_as_its_own() -> None:
    for path in ("/batch", "/track"):
        codec, inbound = PATHS[path].choose(request(path, POSTHOG_BATCH))
        decoded = codec.decode(inbound)
        assert decoded.write_key == "phc_key" and decoded.events[0].origin == "posthog"
        assert codec.respond_ok(inbound, decoded).body == b'{"status":"Ok"}'
        refusal = codec.respond_error(inbound, ProtocolError(401, "unauthorized", "unknown key"))
        assert (refusal.status_code, refusal.body) == (401, b"unknown key")


def test_a_request_left_to_the_owner_is_named_by_the_owners_route() -> None:
    codec, inbound = PATHS["/engage/"].choose(request("/engage/", [{"$token": "t", "$distinct_id": "u"}]))
    assert (codec, inbound.kind) == (mixpanel.CODEC, "engage")
    assert codec.decode(inbound).events[0].type == "identify"


def test_a_refusal_before_the_body_is_read_goes_by_the_query() -> None:
    """A body too large or not inflatable: ingest asks with the body still empty."""
    [(posthog_codec, _), (mixpanel_codec, _)] = [
        PATHS["/track"].choose(Inbound("track", "POST", QueryParams(query), Headers({}), b""))
        for query in ({"compression": "gzip-js"}, {"verbose": "1"})
    ]
    assert (posthog_codec, mixpanel_codec) == (posthog.CODEC, mixpanel.CODEC)


@pytest.mark.parametrize(("codec", "kind", "body", "field"), [
    (segment.CODEC, "batch", {"writeKey": "k", "batch": [{"type": "track", "event": "A", "userId": "u"}]}, "event"),
    (amplitude.CODEC, "httpapi", AMPLITUDE_BATCH, "event"),
    (mixpanel.CODEC, "import", MIXPANEL_TRACK, "event"),
    (posthog.CODEC, "capture", POSTHOG_BATCH, "event"),
])
def test_codecs_decode_the_json_ingest_parsed_rather_than_parse_the_body_again(
    codec: Codec, kind: str, body: Any, field: str
) -> None:
    raw = orjson.dumps(body)
    parsed = orjson.loads(raw)
    inbound = Inbound(kind, "POST", QueryParams({}), Headers({}), raw, None, JsonBody(parsed))
    assert getattr(codec.decode(inbound).events[0], field) == "A"
    renamed = orjson.loads(orjson.dumps(parsed).replace(b'"A"', b'"renamed"'))
    again = dataclasses.replace(inbound, json=JsonBody(renamed))
    assert getattr(codec.decode(again).events[0], field) == "renamed"


def test_segment_refuses_a_body_that_is_not_json_with_orjsons_reason() -> None:
    inbound = Inbound("batch", "POST", QueryParams({}), Headers({}), b"{", None, read_json(b"{"))
    with pytest.raises(ProtocolError, match="body is not valid JSON: "):
        segment.decode(inbound)


def owner(name: str, *routes: Route, claims: bool = False) -> Codec:
    return dataclasses.replace(PROTOCOLS["segment"], name=name, routes=routes,
                               claims=(lambda inbound: True) if claims else None)


@pytest.mark.parametrize(("codecs", "message"), [
    ([owner("a", Route("/x", "x")), owner("b", Route("/x", "x"))], "/x is owned by both a and b"),
    ([owner("a", Route("/x", "x", guest=True), claims=True)], "a is a guest on /x, which no codec owns"),
    ([owner("a", Route("/x", "x")), owner("b", Route("/x", "x", guest=True))], "b is a guest on /x but has no claims"),
    ([owner("a", Route("/x", "x")), owner("b", Route("/x", "x", ("GET",), guest=True), claims=True)],
     "/x takes GET only from a guest"),
])
def test_a_mistake_in_the_codecs_routes_stops_the_gateway_from_starting(codecs: list[Codec], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        served_paths(codecs)


def test_a_guest_is_asked_only_on_its_own_methods_and_gets_the_request_under_its_own_kind() -> None:
    asked: list[Inbound] = []

    def claims(inbound: Inbound) -> bool:
        asked.append(inbound)
        return True

    host = owner("host", Route("/x", "host-kind", ("GET", "POST")))
    guest = dataclasses.replace(owner("guest", Route("/x", "guest-kind", ("POST",), guest=True)), claims=claims)
    [served] = served_paths([host, guest])
    assert isinstance(served, ServedPath)
    get = Inbound("host-kind", "GET", QueryParams({}), Headers({}), b"")
    assert served.choose(get) == (host, get) and not asked
    codec, inbound = served.choose(dataclasses.replace(get, method="POST"))
    assert (codec, inbound.kind, [a.kind for a in asked]) == (guest, "guest-kind", ["guest-kind"])
