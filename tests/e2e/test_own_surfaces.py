"""Nothing personal leaks through the gateway's own surfaces (issue 21). An e-mail address is planted everywhere a
person using the gateway might type or receive one: a session search filter (audit log), a vendor's reply that echoes
it (dead letters), a deletion request's reason, a support agent's review note. It is then found nowhere: not in the
database file's raw bytes (WAL included), the audit log, /metrics, the logs or the vendor's capture. The legitimate
uses still work: the audit search by the same address finds the search, the reviewer reads the note's other words,
and the subject's deletion takes the dead letters naming the subject."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.test_replay_native import post_events, replay_policy
from tests.support import ingest
from tests.support.fake_vendor import Answer, FakeVendor, Recorded
from tests.support.gateway_process import ADMIN_TOKEN, WRITE_KEY, GatewayProcess, sha256
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e

EMAIL = "leaky.lou@example.net"
PLANTED = (EMAIL, "leaky.lou")
SUPPORT, COMPLIANCE = "support-token", "compliance-token"
T = 1_795_000_000_000


def echoing_refusal(request: Recorded) -> Answer:
    """A vendor that refuses the batch and echoes it back, with what it holds on file for the user."""
    return Answer(400, orjson.dumps({"error": "invalid_payload", "message": f"user profile {EMAIL} is locked",
                                     "received": request.json(), "profile": {"email": EMAIL}}))


def policy(vendor_url: str) -> dict[str, Any]:
    surfaces = replay_policy(vendor_url)
    surfaces["access"]["tokens"] += [{"name": "agent", "role": "support", "sha256": sha256(SUPPORT)},
                                     {"name": "dpo", "role": "compliance", "sha256": sha256(COMPLIANCE)}]
    return surfaces


def call(gateway: GatewayProcess, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, gateway.url + path, headers={"Authorization": f"Bearer {token}"},
                         timeout=REQUEST_TIMEOUT_S, **kwargs)


def track(gateway: GatewayProcess, user: str) -> None:
    body = {"writeKey": WRITE_KEY, "batch": [{"type": "track", "event": "Signed Up", "userId": user,
                                              "messageId": f"m-{user}", "properties": {"contact": EMAIL}}]}
    assert ingest.post(gateway.url + "/v1/batch", content=orjson.dumps(body)).status_code == 200


def recording(text: str) -> list[dict[str, Any]]:
    body = {"type": 2, "id": 2, "tagName": "body", "attributes": {}, "childNodes": [
        {"type": 3, "id": 3, "textContent": text}]}
    return [{"type": 4, "timestamp": T, "data": {"href": "https://shop.example/", "width": 1280, "height": 800}},
            {"type": 2, "timestamp": T + 1, "data": {"initialOffset": {"top": 0, "left": 0},
                                                     "node": {"type": 0, "id": 1, "childNodes": [body]}}}]


def dead_letters(gateway: GatewayProcess) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = gateway.admin("/admin/v1/dead-letters").json()["dead_letters"]
    return listed


def found_in(blobs: list[bytes]) -> set[str]:
    return {value for value in PLANTED for blob in blobs if value.encode() in blob}


def test_a_planted_address_is_found_nowhere_while_search_notes_and_deletion_still_work(
    vendor: FakeVendor, start_gateway: Callable[..., GatewayProcess]
) -> None:
    vendor.rule = echoing_refusal
    gateway = start_gateway(policy(vendor.url))
    track(gateway, "kept-user")
    track(gateway, "gone-user")
    letters = wait_until(lambda: dead_letters(gateway) if len(dead_letters(gateway)) == 2 else None,
                         what="two dead letters")

    # The vendor's reply is kept as the scrubber left it, and short; its non-personal words stay.
    reply = gateway.admin(f"/admin/v1/dead-letters/{letters[0]['id']}").json()["reply"]
    assert "invalid_payload" in reply and len(reply) <= 500
    assert found_in([reply.encode()]) == set()

    # A review note naming the person: stored scrubbed, the rest of it shown to the reviewer.
    assert post_events(gateway, "kept-session", {"events": recording("Checkout"), "userId": "kept-user"}
                       ).status_code == 200
    saved = call(gateway, "POST", "/admin/v1/replay/sessions/kept-session/review", SUPPORT,
                 json={"status": "reviewed", "note": f"Customer {EMAIL} says the coupon field is broken"})
    assert saved.status_code == 201, saved.text
    [note] = [r["note"] for r in call(gateway, "GET", "/admin/v1/replay/sessions/kept-session/reviews",
                                      SUPPORT).json()["reviews"]]
    assert note.startswith("Customer ") and note.endswith(" says the coupon field is broken")
    assert found_in([note.encode()]) == set()

    # A session search by the address, then the audit search by the same address finds it.
    assert call(gateway, "GET", "/admin/v1/replay/sessions", SUPPORT, params={"url": EMAIL}).status_code == 200
    audit = call(gateway, "GET", "/admin/v1/audit", COMPLIANCE,
                 params={"action": "replay.list_sessions", "target": EMAIL}).json()["entries"]
    assert [(e["actor"], e["action"]) for e in audit] == [("agent", "replay.list_sessions")]
    assert set(audit[0]["details"]["filters"]) == {"url"}  # which filter was used, not what it held
    assert call(gateway, "GET", "/admin/v1/audit", COMPLIANCE, params={
        "action": "replay.list_sessions", "target": "someone.else@example.net"}).json()["entries"] == []
    # A target naming the person (a receipt pasted with an address for its id) is found the same way.
    checked = call(gateway, "POST", "/admin/v1/privacy/receipts/verify", COMPLIANCE, json={"deletion_id": EMAIL})
    assert checked.json()["valid"] is False
    [verified] = call(gateway, "GET", "/admin/v1/audit", COMPLIANCE,
                      params={"target": EMAIL, "action": "receipt.verify"}).json()["entries"]
    assert verified["target"].startswith("hmac:") and verified["actor"] == "dpo"

    # A deletion request whose reason names the person: the reason kept without the address, the dead letter of the
    # deleted subject gone, the other one kept.
    created = call(gateway, "POST", "/admin/v1/privacy/deletions", COMPLIANCE, json={
        "identifiers": {"userId": "gone-user"}, "reason": f"asked by {EMAIL} on the phone", "destinations": "all"})
    assert created.status_code == 202, created.text
    deletion_id = created.json()["id"]
    done = wait_until(lambda: (s := call(gateway, "GET", f"/admin/v1/privacy/deletions/{deletion_id}",
                                         COMPLIANCE).json())["status"] in ("completed", "failed") and s,
                      timeout=60, what="the deletion to finish")
    assert done["reason"].startswith("asked by ") and done["reason"].endswith(" on the phone")
    assert [d["message_id"] for d in dead_letters(gateway)] == ["m-kept-user"]

    # Nowhere to be read: the audit log (all of it), /metrics, the vendor's capture.
    everything = call(gateway, "GET", "/admin/v1/audit", COMPLIANCE, params={"limit": "1000"})
    assert found_in([everything.content]) == set()
    assert call(gateway, "GET", "/admin/v1/audit/verify", COMPLIANCE).json()["ok"] is True
    assert found_in([httpx.get(gateway.url + "/metrics", timeout=REQUEST_TIMEOUT_S).content]) == set()
    assert vendor.received() and found_in([r.body for r in vendor.received()]) == set()

    # Nor in the database file's bytes or its WAL once the gateway has stopped, nor in its log.
    assert gateway.stop() in (0, -signal.SIGTERM)
    database = gateway.data_dir / "gateway.sqlite3"
    files = [p for p in (database, Path(f"{database}-wal")) if p.exists()]
    assert found_in([p.read_bytes() for p in files]) == set()
    assert found_in([gateway.log().encode()]) == set()
    assert ADMIN_TOKEN not in gateway.log()
