"""Whatever bytes arrive, ingest answers 200, 400, 401 or 413 in Segment's shape: never a 500."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy

POLICY = """
[[sources]]
name = "web"
write_keys = ["wk"]
destinations = ["sink"]

[[destinations]]
name = "sink"
protocol = "sink"
"""
PATHS = ["/v1/batch", "/v1/b", "/v1/track", "/v1/t", "/v1/identify", "/v1/page", "/v1/alias", "/v1/group", "/v1/screen"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    policy = parse_policy(POLICY, "fuzz.toml", DESTINATION_PROTOCOLS, {})
    app = create_app(policy, Path(tmp_path_factory.mktemp("fuzz")), announce_token=lambda token: None)
    with TestClient(app) as test_client:
        yield test_client


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
segment_like = st.fixed_dictionaries(
    {},
    optional={
        "writeKey": st.sampled_from(["wk", "other", ""]) | st.integers(),
        "batch": st.lists(st.dictionaries(st.sampled_from(["type", "event", "userId", "properties", "context",
                                                            "messageId", "traits"]), json_values), max_size=4)
        | json_values,
        "type": st.sampled_from(["track", "identify", "bogus"]) | json_values,
        "properties": json_values,
        "context": json_values,
        "messageId": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    segment_like.map(lambda b: json.dumps(b).encode()),  # stdlib: it writes integers of any size
    segment_like.map(lambda b: gzip.compress(json.dumps(b).encode())),
    st.binary(max_size=100).map(lambda b: b"\x1f\x8b" + b),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), body=bodies, encoding=st.sampled_from([None, "gzip", "identity", "zstd"]))
def test_ingest_never_fails_with_a_server_error(
    client: TestClient, path: str, body: bytes, encoding: str | None
) -> None:
    headers = {"Content-Encoding": encoding} if encoding else {}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code in (200, 400, 401, 413), response.text
    answer = response.json()
    assert answer["success"] is (response.status_code == 200)
    if response.status_code != 200:
        assert answer["code"] and answer["message"]
