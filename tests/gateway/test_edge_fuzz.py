"""A bounded fuzz of every path a client can reach without a token: each vendor's ingest paths (both methods, every
body form and encoding), recordings, consent and PostHog's pass-through, with bytes, JSON of any shape, JSON nested
from one level to past what orjson reads, and compressed bodies. Whatever arrives, the answer is never a server error
(and the test client re-raises anything the app did not handle)."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy
from tests.support.fake_vendor import FakeVendor

WRITE_KEY = "fuzz-key"
PATHS = [
    # Segment
    "/v1/batch", "/v1/track", "/v1/t", "/v1/identify", "/v1/page", "/v1/b", "/v1/import",
    # Amplitude (and PostHog's /batch on it)
    "/2/httpapi", "/batch",
    # Mixpanel (and PostHog's legacy /track, /engage on them)
    "/track", "/track/", "/engage", "/groups", "/import",
    # PostHog
    "/e/", "/i/v0/e/", "/capture", "/batch/", "/i/v1/analytics/events",
    # recordings, consent, PostHog's pass-through
    "/s/", "/v1/replay/fuzz-session", "/v1/consent", "/flags/", "/decide/", f"/array/{WRITE_KEY}/config.js",
    "/static/recorder.js",
]
QUERIES = ["", "?verbose=1", "?compression=gzip-js", "?compression=lz64", "?compression=base64", "?beacon=1",
           "?ip=1&img=1", "?callback=cb", f"?writeKey={WRITE_KEY}", f"?token={WRITE_KEY}", "?data=e30%3D"]
KEYS = {"writeKey": WRITE_KEY, "api_key": WRITE_KEY, "token": WRITE_KEY}


def nested(depth: int) -> bytes:
    """JSON `depth` levels deep (past 1,024, orjson refuses to read it)."""
    return b'{"a":' * (depth // 2) + b"[" * (depth - depth // 2) + b"1" + b"]" * (depth - depth // 2) + b"}" * (
        depth // 2)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
event_like = st.fixed_dictionaries({}, optional={
    "event": st.sampled_from(["E", "$pageview", "$snapshot", "$identify", ""]) | json_values,
    "type": st.sampled_from(["track", "identify", 2, 3]) | json_values,
    "distinct_id": st.sampled_from(["u1", ""]) | json_values,
    "userId": json_values, "user_id": json_values, "event_type": json_values, "uuid": json_values,
    "timestamp": st.integers() | json_values, "data": json_values,
    "properties": st.dictionaries(st.sampled_from(["token", "distinct_id", "$session_id", "$snapshot_data", "x"]),
                                  json_values, max_size=4) | json_values,
})
envelope = st.builds(
    lambda keys, events, extra: {**keys, **extra, "batch": events, "events": events, "data": events},
    st.dictionaries(st.sampled_from(sorted(KEYS)), st.sampled_from([WRITE_KEY, "other", ""]), max_size=2),
    st.lists(event_like, max_size=3),
    st.dictionaries(st.sampled_from(["created_at", "sent_at", "granted", "userId"]), json_values, max_size=2),
)
deep_bodies = st.builds(
    lambda depth, key: b'{"writeKey":"%s","api_key":"%s","event":"E","properties":{"x":%s}}' % (
        key.encode(), key.encode(), nested(depth)),
    st.integers(0, 1100), st.just(WRITE_KEY))
# The stdlib writes integers of any size, as a client may.
json_bodies = st.one_of(envelope, st.lists(event_like, max_size=3), json_values).map(lambda v: json.dumps(v).encode())


def compressed(body: bytes, how: str) -> tuple[bytes, dict[str, str]]:
    if how == "gzip":
        return gzip.compress(body), {"Content-Encoding": "gzip"}
    if how == "gzip-unlabelled":
        return gzip.compress(body), {"Content-Type": "text/plain"}
    if how == "deflate":
        return zlib.compress(body), {"Content-Encoding": "deflate"}
    if how == "zstd":
        return zstandard.ZstdCompressor().compress(body), {"Content-Encoding": "zstd"}
    if how == "form":
        return b"data=" + quote(base64.b64encode(body)).encode(), {
            "Content-Type": "application/x-www-form-urlencoded"}
    if how == "truncated-gzip":
        return gzip.compress(body)[:-7], {"Content-Encoding": "gzip"}
    return body, {}


bodies = st.tuples(
    st.one_of(json_bodies, deep_bodies, st.binary(max_size=300)),
    st.sampled_from(["plain", "gzip", "gzip-unlabelled", "deflate", "zstd", "form", "truncated-gzip"]),
).map(lambda pair: compressed(*pair))
authorization = st.sampled_from([None, f"Bearer {WRITE_KEY}", "Bearer phx_personal", "Basic " + base64.b64encode(
    f"{WRITE_KEY}:".encode()).decode(), "Basic !!!", "Bearer"])


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    posthog = FakeVendor().start()
    policy = parse_policy(f"""
[[sources]]
name = "web"
write_keys = ["{WRITE_KEY}"]
consent_model = "opt-out"
destinations = ["sink", "posthog"]

[[destinations]]
name = "sink"
protocol = "sink"

[[destinations]]
name = "posthog"
protocol = "posthog"
endpoint = "{posthog.url}"
credentials = {{ api_key = "phc_fuzz_project" }}
""", "fuzz.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, Path(tmp_path_factory.mktemp("edge-fuzz")), lambda token: None)) as test:
        yield test
    posthog.stop()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), query=st.sampled_from(QUERIES), method=st.sampled_from(["POST", "POST", "GET"]),
       body=bodies, auth=authorization)
def test_no_request_to_any_public_path_gets_a_server_error(
    client: TestClient, path: str, query: str, method: str, body: tuple[bytes, dict[str, str]], auth: str | None
) -> None:
    content, headers = body
    if auth is not None:
        headers = {**headers, "Authorization": auth}
    response = client.request(method, path + query, content=content if method == "POST" else None, headers=headers)
    assert response.status_code < 500 or (path in ("/static/recorder.js",) and response.status_code == 502), (
        response.status_code, response.text[:300])
    assert b"phc_fuzz_project" not in response.content


def deep_event(depth: int) -> bytes:
    """One event that many paths take as theirs (an rrweb event, a PostHog $snapshot, a track call), deep inside."""
    snapshot = b'{"type":3,"timestamp":1800000000000,"data":{"source":0,"x":%s}}' % nested(depth)
    return (b'{"type":"track","event":"$snapshot","event_type":"E","userId":"u1","distinct_id":"u1","token":"%s",'
            b'"uuid":"0190b4f6-3c6e-7d6b-9a1b-1a2b3c4d5e6f","timestamp":1800000000000,"data":{"source":0},'
            b'"properties":{"$session_id":"s1","$snapshot_data":[%s],"x":%s}}' % (WRITE_KEY.encode(), snapshot,
                                                                                  nested(depth)))


@pytest.mark.parametrize("depth", [1, 100, 195, 200, 201, 254, 255, 600, 1024, 1025, 5000])
@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith(("/array", "/static"))])
def test_json_nested_to_any_depth_never_gets_a_server_error(client: TestClient, path: str, depth: int) -> None:
    key = WRITE_KEY.encode()
    for body in (nested(depth), b"[%s]" % deep_event(depth), b'{"writeKey":"%s","api_key":"%s","batch":[%s]}' % (
            key, key, deep_event(depth)), b'{"writeKey":"%s","events":[%s]}' % (key, deep_event(depth))):
        response = client.post(path, content=body, headers={"Authorization": f"Bearer {WRITE_KEY}"})
        assert response.status_code < 500, (path, depth, response.status_code, response.text[:200])
