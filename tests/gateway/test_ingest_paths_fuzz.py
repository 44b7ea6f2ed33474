"""A bounded fuzz of every ingest path (the four vendors' paths, the native and PostHog recording endpoints, the consent
API): whatever arrives, the answer is never a server error. While the database cannot take writes the only 5xx is a
503 with Retry-After, and once writes work again nothing of that time stays refused.

Bodies are raw bytes, JSON shaped like each vendor's (with their keys and the source's write key, so the requests get
past authentication into decoding, the pipeline and the commit), gzip of either, and truncated gzip.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.database import PROBE_TABLE, StorageUnavailable
from gateway.protocols import DESTINATION_PROTOCOLS, PROTOCOLS
from gateway.protocols.router import served_paths
from gateway.state import Gateway
from policies.loader import parse_policy
from tests.support.sink_policy import SINK_POLICY
from tests.support.waiting import wait_until

POLICY = SINK_POLICY + """
[storage]
min_free_mb = 0
retry_after_s = 3
"""
PATHS = sorted({(served.route.path, method) for served in served_paths(PROTOCOLS.values())
                for method in served.route.methods}
               | {("/v1/replay/fuzzed-session", "POST"), ("/s/", "POST"), ("/v1/consent", "POST")})
KEYS = ["writeKey", "api_key", "token", "$token", "batch", "events", "event", "event_type", "type", "userId",
        "user_id", "device_id", "distinct_id", "anonymousId", "properties", "messageId", "uuid", "timestamp", "data",
        "granted", "denied", "$snapshot_data", "$session_id", "$window_id"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    policy = parse_policy(POLICY, "fuzz.toml", DESTINATION_PROTOCOLS, {})
    app = create_app(policy, Path(tmp_path_factory.mktemp("fuzz-paths")), announce_token=lambda token: None)
    with TestClient(app) as test_client:
        yield test_client


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20) | st.just("wk")
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner,
                                                                  max_size=4),
    max_leaves=12,
)
vendor_like = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6).map(
    lambda body: {"writeKey": "wk", "api_key": "wk", "token": "wk", **body})
ids = st.text(min_size=5, max_size=12)
properties = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
# Well-formed requests of each kind with fuzzed contents, so that many get past decoding into the pipeline and the
# commit. Any of them may go to any path: the router decides whose it is.
well_formed = st.one_of(
    st.builds(lambda u, p: {"writeKey": "wk", "type": "track", "event": "Viewed", "userId": u, "properties": p},
              ids, properties),
    st.builds(lambda u, p: {"writeKey": "wk", "batch": [{"type": "identify", "userId": u, "traits": p}]}, ids,
              properties),
    st.builds(lambda u, p: {"api_key": "wk", "events": [{"event_type": "Viewed", "user_id": u,
                                                         "event_properties": p}]}, ids, properties),
    st.builds(lambda u, p: [{"event": "Viewed", "properties": {**p, "token": "wk", "distinct_id": u}}], ids,
              properties),
    st.builds(lambda u, p: {"api_key": "wk", "event": "Viewed", "distinct_id": u, "properties": p}, ids, properties),
    st.builds(lambda t, d: [{"type": 4, "data": {"href": "https://x.example/", "width": 1, "height": 1},
                             "timestamp": t}, {"type": 3, "data": d, "timestamp": t + 1}],
              st.integers(min_value=1, max_value=2**41), properties),
    st.builds(lambda u, d: [{"event": "$snapshot", "properties": {"$snapshot_data": d, "$session_id": u,
                                                                  "$window_id": "w", "distinct_id": u,
                                                                  "token": "wk"}}], ids, st.lists(json_values,
                                                                                                 max_size=3)),
    st.builds(lambda u, g: {"writeKey": "wk", "anonymousId": u, "granted": g}, ids,
              st.lists(st.sampled_from(["analytics", "marketing", "necessary", "nonsense"]), max_size=2)),
)
documents = well_formed | vendor_like | st.lists(vendor_like, max_size=3) | json_values
bodies = st.one_of(
    st.binary(max_size=200),
    documents.map(lambda d: json.dumps(d).encode()),  # stdlib: it writes integers of any size
    documents.map(lambda d: gzip.compress(json.dumps(d).encode())),
    documents.map(lambda d: gzip.compress(json.dumps(d).encode())[:-6]),  # truncated
)
queries = st.dictionaries(st.sampled_from(["compression", "verbose", "ip", "data", "beacon", "ver", "writeKey"]),
                          st.sampled_from(["gzip-js", "lz64", "base64", "1", "0", "wk", "", "%%%"]), max_size=3)


def send(client: TestClient, path: str, method: str, body: bytes, encoding: str | None,
         query: dict[str, str]) -> Any:
    headers = {"Content-Encoding": encoding} if encoding else {}
    if method == "GET":
        return client.get(path, params=query)
    return client.request(method, path, content=body, headers=headers, params=query)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), body=bodies, encoding=st.sampled_from([None, "gzip", "identity", "br"]),
       query=queries)
def test_no_ingest_path_answers_with_a_server_error(
    client: TestClient, path: tuple[str, str], body: bytes, encoding: str | None, query: dict[str, str]
) -> None:
    answer = send(client, *path, body, encoding, query)
    assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])


def gateway_of(client: TestClient) -> Gateway:
    return client.app.state.gateway  # type: ignore[attr-defined]


@pytest.fixture
def writes_failing(client: TestClient) -> Iterator[None]:
    db = gateway_of(client).db
    db.write_sync(lambda c: c.execute(f"PRAGMA max_page_count = {c.execute('PRAGMA page_count').fetchone()[0]}"))
    with pytest.raises(StorageUnavailable):
        db.write_sync(lambda c: c.execute(f"INSERT INTO {PROBE_TABLE} VALUES (zeroblob(1048576))"))
    yield
    db.write_sync(lambda c: c.execute("PRAGMA max_page_count = 1073741823"))
    wait_until(lambda: not db.health.failing, what="writes to work again")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), body=bodies, query=queries)
def test_while_writes_fail_the_only_server_error_is_503_with_retry_after(
    client: TestClient, writes_failing: None, path: tuple[str, str], body: bytes, query: dict[str, str]
) -> None:
    answer = send(client, *path, body, None, query)
    if answer.status_code >= 500:
        assert answer.status_code == 503 and answer.headers["retry-after"] == "3", (path, answer.text[:300])
