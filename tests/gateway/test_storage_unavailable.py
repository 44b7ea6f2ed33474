"""When the database cannot take writes, every ingest path answers 503 with Retry-After in its own vendor's shape, and
takes requests again by itself once writes work: the four codecs, the native and PostHog recording endpoints, and the
consent API. /readyz says why it is not ready meanwhile.

The writes fail for real: `PRAGMA max_page_count` on the gateway's own writer makes SQLite answer SQLITE_FULL
("database or disk is full"), as a full file system does.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.database import PROBE_TABLE, StorageUnavailable
from gateway.protocols import DESTINATION_PROTOCOLS
from gateway.state import Gateway
from policies.loader import parse_policy
from tests.support.sink_policy import SINK_POLICY
from tests.support.waiting import wait_until

POLICY = SINK_POLICY + """
[storage]
retry_after_s = 7
min_free_mb = {min_free_mb}
"""
RRWEB = [{"type": 4, "data": {"href": "https://shop.example/", "width": 1280, "height": 720},
          "timestamp": 1_700_000_000_000}]
BASIC = {"Authorization": "Basic " + base64.b64encode(b"wk:").decode()}


@dataclass(frozen=True)
class Path_:
    name: str
    send: Callable[[TestClient], Any]
    ok: int  # the status of an accepted request
    check_refusal: Callable[[Any], None]  # the 503's body is in the endpoint's own shape


def json_error(answer: Any) -> None:
    assert answer.json()["error"] == "unavailable" and "retry later" in answer.json()["message"]


def plain_text(answer: Any) -> None:
    assert answer.headers["content-type"].startswith("text/plain") and "retry later" in answer.text


PATHS = [
    Path_("segment", lambda c: c.post("/v1/batch", json={"writeKey": "wk", "batch": [
        {"type": "track", "event": "Viewed", "userId": "u-1"}]}), 200,
        lambda a: a.json() == {"success": False, "code": "unavailable", "message": a.json()["message"]}),
    Path_("amplitude", lambda c: c.post("/2/httpapi", json={"api_key": "wk", "events": [
        {"event_type": "Viewed", "user_id": "user-1"}]}), 200,
        lambda a: a.json()["code"] == 503 and "retry later" in a.json()["error"]),
    Path_("mixpanel", lambda c: c.post("/track?verbose=1", json=[
        {"event": "Viewed", "properties": {"token": "wk", "distinct_id": "u-1"}}]), 200,
        lambda a: a.json()["status"] == 0 and "retry later" in a.json()["error"]),
    Path_("posthog", lambda c: c.post("/i/v0/e/", json={"api_key": "wk", "event": "Viewed", "distinct_id": "u-1"}),
          200, plain_text),
    Path_("native recording", lambda c: c.post("/v1/replay/session-1", json=RRWEB, headers=BASIC), 200, json_error),
    Path_("posthog recording", lambda c: c.post("/s/", content=gzip.compress(orjson.dumps([
        {"event": "$snapshot", "properties": {"$snapshot_data": RRWEB, "$session_id": "session-2",
                                              "$window_id": "w-1", "distinct_id": "u-1", "token": "wk"}}])),
        headers={"Content-Type": "text/plain"}), 200, plain_text),
    Path_("consent", lambda c: c.post("/v1/consent", json={"writeKey": "wk", "anonymousId": "a-1",
                                                          "granted": ["analytics"]}), 200, json_error),
]


def client_for(data_dir: Path, min_free_mb: int = 0) -> TestClient:
    policy = parse_policy(POLICY.format(min_free_mb=min_free_mb), "storage.toml", DESTINATION_PROTOCOLS, {})
    return TestClient(create_app(policy, data_dir, announce_token=lambda token: None))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(tmp_path_factory.mktemp("storage")) as test_client:
        yield test_client


def gateway_of(client: TestClient) -> Gateway:
    return client.app.state.gateway  # type: ignore[attr-defined]


def make_writes_fail(gateway: Gateway) -> None:
    """No page may be added to the file any more, and a write that needs some shows the writer so."""
    db = gateway.db
    db.write_sync(lambda c: c.execute(f"PRAGMA max_page_count = {c.execute('PRAGMA page_count').fetchone()[0]}"))
    with pytest.raises(StorageUnavailable):
        db.write_sync(lambda c: c.execute(f"INSERT INTO {PROBE_TABLE} VALUES (zeroblob(1048576))"))
    assert db.health.failing


def let_writes_work(gateway: Gateway) -> None:
    """Room again; the writer's own try (once a second while failing) finds out."""
    gateway.db.write_sync(lambda c: c.execute("PRAGMA max_page_count = 1073741823"))
    wait_until(lambda: not gateway.db.health.failing, what="the writer to find that writes work again")


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_every_ingest_path_answers_503_with_retry_after_in_its_shape_while_writes_fail(
    client: TestClient, path: Path_
) -> None:
    assert path.send(client).status_code == path.ok  # the request itself is good
    gateway = gateway_of(client)
    make_writes_fail(gateway)
    try:
        refused = path.send(client)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "7"
        path.check_refusal(refused)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert any("database writes failing" in reason and "disk full" in reason for reason in ready.json()["reasons"])
    finally:
        let_writes_work(gateway)
    assert client.get("/readyz").json() == {"status": "ready"}
    assert path.send(client).status_code == path.ok


def test_a_refused_request_stored_nothing_and_the_refusals_are_counted(client: TestClient) -> None:
    gateway = gateway_of(client)
    before = gateway.outbox.depth()["sink"], gateway.metrics.value(
        "gateway_storage_unavailable_total", endpoint="segment", reason="disk full")
    make_writes_fail(gateway)
    try:
        assert PATHS[0].send(client).status_code == 503
    finally:
        let_writes_work(gateway)
    wait_until(lambda: gateway.outbox.depth()["sink"] == 0, what="the sink to take what was queued")
    sink = client.get("/metrics").text
    assert 'gateway_database_writable 1' in sink
    assert gateway.metrics.value("gateway_storage_unavailable_total", endpoint="segment", reason="disk full") \
        == before[1] + 1


def test_below_the_disk_reserve_ingest_is_refused_before_the_disk_is_full(tmp_path: Path) -> None:
    with client_for(tmp_path, min_free_mb=1_000_000_000) as client:  # more than any disk here has free
        refused = PATHS[0].send(client)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "7"
        assert "disk nearly full" in refused.json()["message"]
        reasons = client.get("/readyz").json()["reasons"]
        assert any("below [storage] min_free_mb = 1000000000" in reason for reason in reasons), reasons
