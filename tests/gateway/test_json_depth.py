"""Every body is held to one nesting limit (policies.json_depth.MAX_DEPTH levels): a body nested that deep is taken
and everything made of it can be read back; one level more is refused with a 400 in the path's own error shape and
nothing is stored. (orjson reads 1,024 levels but writes 254: a recording 254 levels deep used to get a 500.)"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.json_depth import MAX_DEPTH, within
from policies.loader import parse_policy
from tests.support.fake_vendor import FakeVendor

WRITE_KEY = "depth-write-key"
ADMIN_TOKEN = "pgw_depth_admin"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TS = 1_800_000_000_000
DEEP = "<deep>"  # where a body's deep value goes


def depth(value: Any) -> int:
    """Levels of nesting, counted independently of the module under test: a scalar 0, `[]` 1, `{"a": []}` 2."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def levels_above(value: Any) -> int:
    """How many containers hold the DEEP marker."""
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        if child == DEEP:
            return 1
        if (below := levels_above(child)) >= 0:
            return 1 + below
    return -1


def nested(levels: int) -> Any:
    value: Any = "bottom"
    for i in range(levels):
        value = {"k": value} if i % 2 else [value]
    return value


def with_depth(template: Any, total: int) -> bytes:
    """`template` with its DEEP marker replaced so that the whole body nests exactly `total` levels."""
    opening, closing = _as_text(nested(total - levels_above(template)))
    raw = orjson.dumps(template).replace(orjson.dumps(DEEP), (opening + closing).encode())
    assert depth(orjson.loads(raw)) == total
    return raw


def _as_text(value: Any) -> tuple[str, str]:
    """A deep value as text, built without an encoder (which stops at 254 levels)."""
    opening, closing = [], []
    while isinstance(value, (dict, list)):
        if isinstance(value, dict):
            opening.append('{"k":')
            closing.append("}")
            value = value["k"]
        else:
            opening.append("[")
            closing.append("]")
            value = value[0]
    return "".join(opening) + orjson.dumps(value).decode(), "".join(reversed(closing))


def snapshot(data: Any) -> dict[str, Any]:
    return {"type": 3, "timestamp": TS, "data": {"source": 0, "texts": [], "attributes": [], "removes": [],
                                                  "adds": [], "extra": data}}


# (name, path, body template, how the path's error looks)
PATHS: list[tuple[str, str, Any, Callable[[Any], bool]]] = [
    ("segment", "/v1/track", {"writeKey": WRITE_KEY, "userId": "u1", "event": "E", "properties": {"x": DEEP}},
     lambda r: r.json()["success"] is False and r.json()["code"] == "invalid_request"),
    ("amplitude", "/2/httpapi", {"api_key": WRITE_KEY, "events": [{"event_type": "E", "user_id": "user-1",
                                                                    "event_properties": {"x": DEEP}}]},
     lambda r: r.json()["code"] == 400 and "error" in r.json()),
    ("mixpanel", "/track?verbose=1", [{"event": "E", "properties": {"token": WRITE_KEY, "distinct_id": "u1",
                                                                     "x": DEEP}}],
     lambda r: r.json()["status"] == 0 and r.json()["error"]),
    ("posthog", "/i/v0/e/", {"api_key": WRITE_KEY, "event": "E", "distinct_id": "u1", "properties": {"x": DEEP}},
     lambda r: r.headers["content-type"].startswith("text/plain")),
    ("posthog recording", "/s/", {"api_key": WRITE_KEY, "event": "$snapshot", "distinct_id": "u1", "properties": {
        "$session_id": "ph-deep", "$window_id": "w1", "$snapshot_data": [snapshot(DEEP)]}},
     lambda r: r.headers["content-type"].startswith("text/plain")),
    ("native recording", f"/v1/replay/native-deep?writeKey={WRITE_KEY}", [snapshot(DEEP)],
     lambda r: r.json()["error"] == "invalid_request"),
    ("consent", "/v1/consent", {"writeKey": WRITE_KEY, "anonymousId": "a1", "granted": ["analytics"], "x": DEEP},
     lambda r: r.json()["error"] == "invalid_request"),
]


@pytest.fixture(scope="module")
def vendor() -> Iterator[FakeVendor]:
    fake = FakeVendor().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def client(vendor: FakeVendor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    destinations = "".join(f"""
[[destinations]]
name = "{protocol}"
protocol = "{protocol}"
endpoint = "{vendor.url}"
credentials = {credentials}
""" for protocol, credentials in (("segment", '{ write_key = "w" }'), ("amplitude", '{ api_key = "a" }'),
                                  ("mixpanel", '{ token = "t", api_secret = "s" }'), ("posthog", '{ api_key = "p" }')))
    policy = parse_policy(f"""
[[sources]]
name = "web"
write_keys = ["{WRITE_KEY}"]
consent_model = "opt-out"
destinations = ["segment", "amplitude", "mixpanel", "posthog"]
{destinations}
[[access.tokens]]
name = "ops"
role = "admin"
sha256 = "{__import__("hashlib").sha256(ADMIN_TOKEN.encode()).hexdigest()}"
""", "depth.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, Path(tmp_path_factory.mktemp("depth")), lambda token: None)) as test_client:
        yield test_client


def stored(client: TestClient) -> tuple[float, int, int]:
    """Events received, consent records and recorded sessions, as the gateway counts them."""
    samples = {line.rpartition(" ")[0]: float(line.rpartition(" ")[2])
               for line in client.get("/metrics").text.splitlines() if line and not line.startswith("#")}
    received = sum(v for k, v in samples.items() if k.startswith("gateway_events_received_total"))
    consents = sum(v for k, v in samples.items() if k.startswith("gateway_consent_records_total"))
    sessions = len(client.get("/admin/v1/replay/sessions?limit=100", headers=ADMIN).json()["sessions"])
    return received, int(consents), sessions


@pytest.mark.parametrize(("name", "path", "template", "vendor_shape"), PATHS, ids=[p[0] for p in PATHS])
def test_a_body_one_level_past_the_limit_is_refused_in_the_paths_shape_and_nothing_is_stored(
    client: TestClient, name: str, path: str, template: Any, vendor_shape: Callable[[Any], bool]
) -> None:
    before = stored(client)
    response = client.post(path, content=with_depth(template, MAX_DEPTH + 1))
    assert response.status_code == 400, response.text
    assert vendor_shape(response) and f"deeper than {MAX_DEPTH} levels" in response.text
    assert stored(client) == before


@pytest.mark.parametrize(("name", "path", "template", "vendor_shape"), PATHS, ids=[p[0] for p in PATHS])
def test_a_body_at_the_limit_is_taken(
    client: TestClient, name: str, path: str, template: Any, vendor_shape: Callable[[Any], bool]
) -> None:
    response = client.post(path, content=with_depth(template, MAX_DEPTH))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("over", [MAX_DEPTH + 1, 254, 600, 1000])
def test_no_depth_orjson_can_read_gets_a_server_error(client: TestClient, over: int) -> None:
    for _, path, template, _ in PATHS:
        assert client.post(path, content=with_depth(template, over)).status_code == 400


def test_recordings_at_the_limit_are_read_back_whole(client: TestClient) -> None:
    body = with_depth([snapshot(DEEP)], MAX_DEPTH)
    assert client.post(f"/v1/replay/read-back?writeKey={WRITE_KEY}&userId=reader", content=body).status_code == 200
    events = client.get("/admin/v1/replay/sessions/read-back/events", headers=ADMIN)
    assert events.status_code == 200 and depth(events.json()) == MAX_DEPTH
    export = client.post("/admin/v1/privacy/subjects/export", headers=ADMIN, json={"identifiers": {"userId": "reader"}})
    assert export.status_code == 200 and "read-back" in export.text


def test_a_posthog_recording_whose_packed_fields_nest_too_deep_is_refused(client: TestClient) -> None:
    deep_text = "".join(_as_text(nested(MAX_DEPTH)))
    packed = gzip.compress(deep_text.encode()).decode("latin-1")
    event = {"type": 2, "timestamp": TS, "cv": "2024-10", "data": packed}
    body = {"api_key": WRITE_KEY, "event": "$snapshot", "distinct_id": "u1",
            "properties": {"$session_id": "packed-deep", "$window_id": "w1", "$snapshot_data": [event]}}
    response = client.post("/s/", content=orjson.dumps(body))
    assert response.status_code == 400 and f"deeper than {MAX_DEPTH} levels" in response.text
    assert within(orjson.loads(orjson.dumps(body)))  # the request itself is shallow: the packed field was deep
