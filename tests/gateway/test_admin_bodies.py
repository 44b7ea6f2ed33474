"""Admin request bodies are read as carefully as ingest bodies: an admin token can leak and a script can misbehave.
Every admin endpoint that takes a JSON body refuses one that is too large (413), not JSON, nested past the depth
limit or not an object (400), in the admin API's error shape, and stores nothing of it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.admin_request import MAX_BODY
from gateway.schema import DATABASE_FILE
from tests.gateway.test_edge_fuzz import nested
from tests.gateway.test_ui_auth import TOKENS, ui_client

# Each endpoint with the role allowed to call it.
ENDPOINTS = [
    ("/admin/v1/privacy/deletions", "compliance"),
    ("/admin/v1/privacy/subjects/export", "compliance"),
    ("/admin/v1/privacy/receipts/verify", "compliance"),
    ("/admin/v1/privacy/access-requests", "compliance"),
    ("/admin/v1/replay/sessions/search", "support"),
    ("/admin/v1/replay/sessions/s-1/review", "support"),
]
BAD_BODIES = {
    "too large": (b'{"reason": "' + b"x" * MAX_BODY + b'"}', 413, "payload_too_large"),
    "not JSON": (b"reason=forgotten", 400, "invalid_request"),
    "nested too deep": (nested(300), 400, "invalid_request"),
    "not an object": (b'["userId", "u-1"]', 400, "invalid_request"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    data_dir = tmp_path_factory.mktemp("admin-bodies")
    with ui_client(data_dir) as test_client:
        yield test_client, data_dir


def stored_requests(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / DATABASE_FILE) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                   for table in ("deletion_requests", "access_requests", "replay_reviews"))


@pytest.mark.parametrize(("path", "role"), ENDPOINTS)
@pytest.mark.parametrize("bad", BAD_BODIES)
def test_a_bad_admin_body_is_refused_in_the_admin_shape_and_nothing_is_stored(
    client: tuple[TestClient, Path], path: str, role: str, bad: str
) -> None:
    test_client, data_dir = client
    body, status, code = BAD_BODIES[bad]
    response = test_client.post(path, content=body, headers={"Authorization": f"Bearer {TOKENS[role]}",
                                                              "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"] == code and response.json()["message"]
    assert stored_requests(data_dir) == 0
