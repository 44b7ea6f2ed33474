"""The route template a request is counted and logged under: the route the gateway's router chose, through its
mounts, never the raw path (which may carry ids or e-mail addresses)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from gateway.route_template import UNMATCHED
from gateway.state import Gateway
from policies.loader import DEFAULT_POLICY, load_policy

EMAIL = "jane.doe@example.org"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # The embedded default's routes, scrubbing on the loop: its scrub_workers = "auto" would start a worker process
    # (a PII engine's start-up) that route templates do not need.
    default = load_policy(DEFAULT_POLICY, DESTINATION_PROTOCOLS)
    policy = dataclasses.replace(default, http=dataclasses.replace(default.http, scrub_workers=0))
    tokens: list[str] = []
    app = create_app(policy, Path(tmp_path_factory.mktemp("routes")), tokens.append)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {tokens[0]}"  # the first start's admin token
        yield test_client


def answered(client: TestClient) -> dict[str, float]:
    """gateway_http_responses_total summed over statuses, by route."""
    gateway: Gateway = client.app.state.gateway  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for family in gateway.metrics.registry.collect():
        if family.name == "gateway_http_responses":
            for sample in family.samples:
                totals[sample.labels["route"]] = totals.get(sample.labels["route"], 0) + sample.value
    return totals


@pytest.mark.parametrize(("method", "path", "route"), [
    ("POST", "/v1/batch", "/v1/batch"),  # an ingest path
    ("POST", "/e/", "/e/"),
    ("POST", f"/v1/replay/{EMAIL}", "/v1/replay/{session_id}"),  # what was in the path stays out
    ("GET", f"/array/{EMAIL}/config.js", "/array/{token}/config.js"),
    ("GET", "/static/recorder.js", "/static/{file}"),
    ("GET", "/admin/v1/replay/sessions/s-1/events", "/admin/v1/replay/sessions/{session_id}/events"),  # mounted
    ("GET", "/ui/sessions/s-1", "/ui/sessions/{session_id}"),
    ("GET", "/v1/consent", "/v1/consent"),  # the route's, though it answers 405 to GET
    ("GET", f"/admin/v1/{EMAIL}", "/admin/*"),  # inside a mount, no route: the mount
    ("GET", f"/wp-login.php?user={EMAIL}", UNMATCHED),
])
def test_a_request_is_counted_under_the_route_it_was_routed_to(client: TestClient, method: str, path: str,
                                                                route: str) -> None:
    before = answered(client)

    client.request(method, path, follow_redirects=False)

    after = answered(client)
    assert {r: n - before.get(r, 0) for r, n in after.items() if n != before.get(r, 0)} == {route: 1}
    assert not any(EMAIL in r for r in after)
