"""CORS for browser SDKs: credentialed requests from allowed origins only, with the Origin echoed, never `*`."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.protocols import DESTINATION_PROTOCOLS
from policies.loader import parse_policy

POLICY = """
[[sources]]
name = "web"
write_keys = ["wk"]
destinations = ["sink"]
allowed_origins = ["https://shop.example.com"]

[[destinations]]
name = "sink"
protocol = "sink"
"""
ALLOWED = "https://shop.example.com"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    policy = parse_policy(POLICY, "cors.toml", DESTINATION_PROTOCOLS, {})
    with TestClient(create_app(policy, Path(tmp_path_factory.mktemp("cors")), lambda token: None)) as test_client:
        yield test_client


def test_preflight_from_an_allowed_origin_mirrors_the_requested_headers(client: TestClient) -> None:
    response = client.options(
        "/v1/t",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-allow-headers"] == "authorization, content-type"


def test_preflight_from_another_origin_is_refused(client: TestClient) -> None:
    response = client.options(
        "/v1/t", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_a_credentialed_post_gets_its_origin_echoed(client: TestClient) -> None:
    response = client.post(
        "/v1/t",
        content=b'{"writeKey":"wk","event":"A","anonymousId":"a"}',
        headers={"Origin": ALLOWED, "Content-Type": "text/plain"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"


def test_no_cors_headers_for_an_origin_not_allowed(client: TestClient) -> None:
    response = client.post("/v1/t", content=b'{"writeKey":"wk","event":"A"}', headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_admin_api_gets_no_cors_headers(client: TestClient) -> None:
    response = client.get("/admin/v1/outbox", headers={"Origin": ALLOWED})
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers
