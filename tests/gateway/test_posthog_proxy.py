"""posthog-js's other requests (flags, remote config, its recorder) pass through to the source's PostHog destination:
the app's key (the gateway's write key) is swapped for the destination's project key on the way out and back in the
answer, so neither side learns the other's key; static files are the same for every project and pass as they are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy
from tests.support.fake_vendor import Answer, FakeVendor, Recorded

APP_KEY, PROJECT_KEY = "phc_app_key_of_the_gateway", "phc_project_key_at_posthog"


def posthog_answer(request: Recorded) -> Answer | None:
    """What PostHog answers: its config names the project by the key it was asked with."""
    if request.path.startswith("/array/"):
        return Answer(200, f'window._POSTHOG_REMOTE_CONFIG["{PROJECT_KEY}"]={{}};'.encode(),
                      {"Content-Type": "application/javascript"})
    if request.path.startswith("/static/"):
        return Answer(200, f"/* built for {PROJECT_KEY} */".encode(), {"Content-Type": "application/javascript"})
    return Answer(200, orjson.dumps({"flags": {}, "asked_with": request.json().get("token")}))


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
    assert sent.json() == {"token": PROJECT_KEY, "distinct_id": "u1"}
    assert sent.query == {"v": "2", "api_key": PROJECT_KEY}
    assert response.json() == {"flags": {}, "asked_with": APP_KEY}  # named back as the SDK knows the project


def test_static_files_pass_as_they_are(client: TestClient, posthog: FakeVendor) -> None:
    response = client.get("/static/recorder.js?v=1.449.2")
    assert (last(posthog).path, last(posthog).query) == ("/static/recorder.js", {"v": "1.449.2"})
    assert response.text == f"/* built for {PROJECT_KEY} */"


def test_a_key_no_source_has_is_refused_and_nothing_is_asked(client: TestClient, posthog: FakeVendor) -> None:
    before = len(posthog.received())
    response = client.get("/array/phc_someone_else/config")
    assert response.status_code == 401 and len(posthog.received()) == before
