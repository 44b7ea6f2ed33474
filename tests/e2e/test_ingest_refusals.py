"""Bad input gets a clear error in Segment's shape, never a 500, and nothing of it is stored or forwarded."""

from __future__ import annotations

import base64
import gzip

import orjson
import pytest

from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import WRITE_KEY, GatewayProcess, segment_policy
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

ONE = {"writeKey": WRITE_KEY, "batch": [{"type": "track", "event": "A", "userId": "u", "messageId": "good-1"}]}
GZIP = {"Content-Encoding": "gzip"}
BOMB = gzip.compress(b'{"batch":[' + b" " * 50_000_000 + b"]}")  # 50 MB of spaces in 50 KB

CASES = [
    # (name, path, body, headers, status, code, message fragment)
    ("malformed JSON", "/v1/batch", b'{"batch": [', {}, 400, "invalid_request", "not valid JSON"),
    ("bad gzip", "/v1/batch", gzip.compress(b"x" * 100)[:10] + b"\xff" * 40, GZIP,
     400, "invalid_request", "not valid compressed data"),
    ("truncated gzip", "/v1/batch", gzip.compress(orjson.dumps(ONE))[:-12], GZIP, 400, "invalid_request", "truncated"),
    ("gzip bomb", "/v1/batch", BOMB, GZIP, 400, "invalid_request", "expands past 500 KB"),
    ("oversize body", "/v1/batch", b"[" + b" " * 700_000 + b"]", {}, 413, "payload_too_large", "larger than"),
    ("batch over 500 KB", "/v1/batch", orjson.dumps({"writeKey": WRITE_KEY, "batch": [
        {"type": "track", "event": "A", "properties": {"x": "y" * 30_000}}] * 18}), {},
     400, "invalid_request", "larger than 500 KB"),
    ("unknown write key", "/v1/batch", orjson.dumps({**ONE, "writeKey": "stolen"}), {},
     401, "unauthorized", "write key"),
    ("no write key", "/v1/track", orjson.dumps({"event": "A", "userId": "u"}), {}, 401, "unauthorized", "write key"),
    ("invalid UTF-8", "/v1/batch",
     b'{"writeKey":"' + WRITE_KEY.encode() + b'","batch":[{"type":"track","event":"\xff"}]}', {},
     400, "invalid_request", "not valid JSON"),
    ("deep nesting", "/v1/track", b'{"properties":' * 5000 + b"1" + b"}" * 5000, {},
     400, "invalid_request", "not valid JSON"),
    ("NaN", "/v1/track", b'{"writeKey":"' + WRITE_KEY.encode() + b'","event":"A","properties":{"x":NaN}}', {},
     400, "invalid_request", "not valid JSON"),
    ("unknown encoding", "/v1/batch", orjson.dumps(ONE), {"Content-Encoding": "br"},
     400, "invalid_request", "Content-Encoding"),
    ("one bad item spoils the batch", "/v1/batch", orjson.dumps({**ONE, "batch": [*ONE["batch"], "nope"]}), {},
     400, "invalid_request", "batch[1] must be an object"),
]


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory):
    vendor = FakeVendor().start()
    gateway = GatewayProcess(tmp_path_factory.mktemp("refusals"), segment_policy(vendor.url)).start()
    yield gateway, vendor
    gateway.close()
    vendor.stop()


@pytest.mark.parametrize(("name", "path", "body", "headers", "status", "code", "fragment"), CASES,
                         ids=[c[0] for c in CASES])
def test_refused_in_segments_shape(refusing, name, path, body, headers, status, code, fragment) -> None:
    gateway, _ = refusing
    response = ingest.post(gateway.url + path, content=body, headers=headers, timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["success"] is False and answer["code"] == code
    assert fragment in answer["message"]


def test_nothing_refused_was_stored_or_forwarded(refusing) -> None:
    gateway, vendor = refusing
    for name, path, body, headers, status, *_ in CASES:
        # Each refused as its case says (not shed by a busy gateway, which would store nothing for another reason).
        assert ingest.post(gateway.url + path, content=body, headers=headers).status_code == status, name
    # A good request afterwards is the marker: once it has arrived, anything queued before it would have too.
    assert ingest.post(gateway.url + "/v1/batch", content=orjson.dumps(ONE)).status_code == 200
    vendor.wait_for_message_ids({"good-1"})
    wait_until(lambda: gateway.admin("/admin/v1/outbox").json()["destinations"][0]["queued"] == 0,
               what="drained outbox")
    assert [e["messageId"] for e in vendor.segment_events()] == ["good-1"]


def test_write_key_by_basic_auth_and_text_plain_and_gzip_are_accepted(refusing) -> None:
    gateway, vendor = refusing
    body = {"batch": [{"type": "identify", "userId": "u", "messageId": "basic-1"}]}
    auth = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    headers = {"Authorization": auth, "Content-Type": "text/plain", "Content-Encoding": "gzip"}
    response = ingest.post(gateway.url + "/v1/b", content=gzip.compress(orjson.dumps(body)), headers=headers)
    assert response.status_code == 200 and response.json() == {"success": True}
    vendor.wait_for_message_ids({"basic-1"})
