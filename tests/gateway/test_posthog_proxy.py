"""posthog-js's other requests (flags, remote config, its recorder) pass through to the source's PostHog destination:
only the allowed paths, each built by the gateway; the app's key (the gateway's write key) swapped for the destination's
project key on the way out, in whichever body form posthog-js sends, and no project key ever in an answer; bodies read
and answers passed within limits."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.posthog_proxy import MAX_ANSWER_BYTES, MAX_REQUEST_BYTES, MAX_STATIC_BYTES, REDACTED, StreamRedactor
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy
from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.lzstring import compress_to_base64

APP_KEY, PROJECT_KEY = "phc_app_key_of_the_gateway", "phc_project_key_at_posthog"
OTHER_APP_KEY = "phc_other_app_without_posthog"


def posthog_answer(request: Recorded) -> Answer | None:
    """What PostHog answers: its config and its flags name the project by the key it was asked with."""
    if request.path.startswith("/array/"):
        return Answer(200, f'window._POSTHOG_REMOTE_CONFIG["{PROJECT_KEY}"]={{}};'.encode(),
                      {"Content-Type": "application/javascript"})
    if request.path == "/static/huge.js":
        return Answer(200, b"x" * (MAX_STATIC_BYTES + 1), {"Content-Type": "application/javascript"})
    if request.path.startswith("/static/"):
        return Answer(200, f"/* built for {PROJECT_KEY} */".encode(), {"Content-Type": "application/javascript"})
    if request.query.get("huge"):
        return Answer(200, b'{"flags":"' + b"x" * MAX_ANSWER_BYTES + b'"}')
    asked_with = request.json().get("token") if request.body else request.query.get("token")
    return Answer(200, orjson.dumps({"flags": {}, "asked_with": asked_with, "config": {"token": PROJECT_KEY}}))


@pytest.fixture(scope="module")
def posthog() -> Iterator[FakeVendor]:
    vendor = FakeVendor().start()
    vendor.rule = posthog_answer
    yield vendor
    vendor.stop()


@pytest.fixture(scope="module")
def client(posthog: FakeVendor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    policy = parse_policy(f"""
[[sources]]
name = "web"
write_keys = ["{APP_KEY}"]
destinations = ["ph"]

[[sources]]
name = "backend"
write_keys = ["{OTHER_APP_KEY}"]
destinations = []

[[destinations]]
name = "ph"
protocol = "posthog"
endpoint = "{posthog.url}"
credentials = {{ api_key = "{PROJECT_KEY}" }}
""", "proxy.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, Path(tmp_path_factory.mktemp("proxy")), lambda token: None)) as test_client:
        yield test_client


def last(vendor: FakeVendor) -> Recorded:
    return vendor.received()[-1]


def asked(vendor: FakeVendor, request: Callable[[], object]) -> list[Recorded]:
    """What PostHog was asked while `request` ran."""
    before = len(vendor.received())
    request()
    return vendor.received()[before:]


# -- keys -------------------------------------------------------------------------------------------------------------


def test_remote_config_is_asked_for_with_the_project_key_and_answered_with_the_apps(
    client: TestClient, posthog: FakeVendor
) -> None:
    response = client.get(f"/array/{APP_KEY}/config.js")
    assert last(posthog).path == f"/array/{PROJECT_KEY}/config.js"
    assert response.status_code == 200 and response.headers["content-type"] == "application/javascript"
    assert response.text == f'window._POSTHOG_REMOTE_CONFIG["{APP_KEY}"]={{}};'


def test_flags_get_the_project_key_in_the_body_and_the_query(client: TestClient, posthog: FakeVendor) -> None:
    response = client.post("/flags/?v=2&api_key=" + APP_KEY, content=orjson.dumps({"token": APP_KEY,
                                                                                   "distinct_id": "u1"}))
    sent = last(posthog)
    assert sent.path == "/flags/" and sent.json() == {"token": PROJECT_KEY, "distinct_id": "u1"}
    assert sent.query == {"v": "2", "api_key": PROJECT_KEY}
    assert response.json() == {"flags": {}, "asked_with": APP_KEY, "config": {"token": APP_KEY}}


FLAGS = {"token": APP_KEY, "distinct_id": "u1", "person_properties": {"plan": "pro"}}


@pytest.mark.parametrize(("form", "query", "body", "headers"), [
    ("gzip-js", "compression=gzip-js", gzip.compress(orjson.dumps(FLAGS)), {"Content-Type": "text/plain"}),
    ("gzip labelled", "", gzip.compress(orjson.dumps(FLAGS)), {"Content-Encoding": "gzip"}),
    ("base64 form", "compression=base64", b"data=" + base64.b64encode(orjson.dumps(FLAGS)).replace(b"+", b"%2B"),
     {"Content-Type": "application/x-www-form-urlencoded"}),
    ("lz64", "compression=lz64", b"data=" + compress_to_base64(orjson.dumps(FLAGS).decode()).encode()
     .replace(b"+", b"%2B"), {"Content-Type": "application/x-www-form-urlencoded"}),
])
def test_a_flags_body_in_any_of_posthog_js_forms_reaches_posthog_as_json_with_the_project_key(
    client: TestClient, posthog: FakeVendor, form: str, query: str, body: bytes, headers: dict[str, str]
) -> None:
    response = client.post(f"/flags/?v=2&{query}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    sent = last(posthog)
    assert sent.json() == {**FLAGS, "token": PROJECT_KEY}
    assert sent.headers["content-type"] == "application/json" and "compression" not in sent.query
    assert APP_KEY.encode() not in sent.body
    assert response.json()["asked_with"] == APP_KEY and PROJECT_KEY not in response.text


def test_a_get_carries_its_payload_in_data_with_the_key_swapped(client: TestClient, posthog: FakeVendor) -> None:
    data = base64.b64encode(orjson.dumps({"token": APP_KEY, "distinct_id": "u1"})).decode()
    response = client.get("/decide/", params={"v": "3", "data": data})
    sent = last(posthog)
    assert sent.method == "GET" and sent.path == "/decide/"
    assert orjson.loads(base64.b64decode(sent.query["data"])) == {"token": PROJECT_KEY, "distinct_id": "u1"}
    assert response.status_code == 200 and PROJECT_KEY not in response.text


@pytest.mark.parametrize(("path", "status"), [
    ("/array/phc_someone_else/config", 401),  # no source has the key
    (f"/array/{OTHER_APP_KEY}/config", 401),  # a source without a PostHog destination
    (f"/array/{APP_KEY}/config?token={OTHER_APP_KEY}", 401),  # two keys: whose is it?
    ("/flags/?v=2", 401),  # no key at all
])
def test_a_request_without_exactly_one_known_key_is_refused_and_nothing_is_asked(
    client: TestClient, posthog: FakeVendor, path: str, status: int
) -> None:
    assert asked(posthog, lambda: (client.get(path).status_code == status) or pytest.fail(path)) == []


def test_mixed_keys_in_a_flags_body_are_refused(client: TestClient, posthog: FakeVendor) -> None:
    body = orjson.dumps({"token": APP_KEY, "api_key": OTHER_APP_KEY, "distinct_id": "u1"})
    assert asked(posthog, lambda: client.post("/flags/?v=2", content=body).status_code == 401 or pytest.fail()) == []


# -- no project key in any answer -------------------------------------------------------------------------------------


def test_static_files_pass_as_they_are_but_for_any_project_key(client: TestClient, posthog: FakeVendor) -> None:
    response = client.get("/static/recorder.js?v=1.449.2")
    assert (last(posthog).path, last(posthog).query) == ("/static/recorder.js", {"v": "1.449.2"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/javascript"
    assert response.text == f"/* built for {REDACTED} */"


@pytest.mark.parametrize("chunk", [1, 3, 7, 26, 1000])
def test_a_key_split_across_chunks_of_a_stream_is_still_replaced(chunk: int) -> None:
    stream = f"a{PROJECT_KEY}b{PROJECT_KEY}{PROJECT_KEY}c".encode()
    redactor = StreamRedactor([(PROJECT_KEY.encode(), APP_KEY.encode())])
    out = b"".join(redactor.feed(stream[i:i + chunk]) for i in range(0, len(stream), chunk)) + redactor.end()
    assert out == f"a{APP_KEY}b{APP_KEY}{APP_KEY}c".encode()


# -- paths ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    f"/static/..%2f..%2fdecide/?token={APP_KEY}",  # once fetched /decide/ and answered with the project key
    "/static/..%2F..%2Fapi%2Fprojects%2F",
    "/static/%2e%2e/array.js",
    "/static/a%5c..%5cb.js",
    "/static/.%2farray.js",
    f"/array/{APP_KEY}%2f..%2f..%2fdecide/config",
])
def test_escapes_and_dot_segments_are_refused_and_nothing_is_asked(
    client: TestClient, posthog: FakeVendor, path: str
) -> None:
    def request() -> None:
        response = client.get(path)
        assert response.status_code in (400, 404) and PROJECT_KEY not in response.text, (path, response.text)

    assert asked(posthog, request) == []


@pytest.mark.parametrize("path", ["/static/recorder.txt", "/static/.hidden.js", "/static/sub/dir.js",
                                  "/static/", "/array/x/other", "/api/projects/", "/static/recorder.js.php"])
def test_only_the_allowed_paths_reach_posthog(client: TestClient, posthog: FakeVendor, path: str) -> None:
    assert asked(posthog, lambda: client.get(path).status_code in (400, 401, 404, 405) or pytest.fail(path)) == []


# -- limits -----------------------------------------------------------------------------------------------------------


def test_a_flags_body_past_the_limit_is_refused_before_anything_is_asked(
    client: TestClient, posthog: FakeVendor
) -> None:
    body = b'{"token":"' + APP_KEY.encode() + b'","x":"' + b"a" * MAX_REQUEST_BYTES + b'"}'
    assert asked(posthog, lambda: client.post("/flags/", content=body).status_code == 413 or pytest.fail()) == []


def test_an_answer_past_the_limit_is_not_passed_on(client: TestClient) -> None:
    assert client.post("/flags/?huge=1", content=orjson.dumps(FLAGS)).status_code == 502
    response = client.get("/static/huge.js")
    assert response.status_code == 502 and len(response.content) < MAX_STATIC_BYTES


def test_a_flags_body_nested_too_deep_is_refused(client: TestClient, posthog: FakeVendor) -> None:
    deep = b'{"token":"' + APP_KEY.encode() + b'","x":' + b"[" * 300 + b"]" * 300 + b"}"
    assert asked(posthog, lambda: client.post("/flags/", content=deep).status_code == 400 or pytest.fail()) == []
