"""End to end on PostgreSQL: a real gateway process keeps all its state in a PostgreSQL database (none in its data
directory), delivers what the official Segment SDK sends, and delivers what it acknowledged while the vendor was down
after a SIGKILL and a restart. Every part of the gateway is on PostgreSQL: a part left behind would make serve
refuse (gateway.schema.check_backend) and these tests fail, never skip."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
import tomli_w
from segment.analytics import Client

from gateway.schema import DATABASE_FILE
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, SERVER_KEY, WRITE_KEY, GatewayProcess, segment_policy
from tests.support.postgres import PostgresServer
from tests.support.waiting import REQUEST_TIMEOUT_S, wait_until

pytestmark = pytest.mark.e2e  # every part is on PostgreSQL: a part left behind makes serve refuse, and these fail

def test_a_gateway_on_postgresql_delivers_and_keeps_what_it_acknowledged_across_a_kill(
    tmp_path: Path, vendor: FakeVendor, postgres: PostgresServer, postgres_url: str
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    gateway = GatewayProcess(tmp_path, segment_policy(vendor.url),
                             args=["--database-url", postgres_url])
    healthy = FakeVendor().start()
    try:
        gateway.start()
        errors: list[Exception] = []
        client = Client(WRITE_KEY, host=gateway.url, upload_interval=0.05, on_error=lambda e, batch: errors.append(e))
        client.identify(user_id="user-1", anonymous_id="anon-1", traits={"plan": "pro"}, message_id="m-identify")
        client.track(user_id="user-1", event="Order Completed", properties={"total": 42.5}, message_id="m-track")
        client.shutdown()
        assert errors == []
        vendor.wait_for_message_ids({"m-identify", "m-track"})
        assert not (gateway.data_dir / DATABASE_FILE).exists()  # the state is in PostgreSQL, not in a node's file
        assert postgres.sql("SELECT count(*) FROM identity_links", database) != "0"  # the identify's link
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        assert httpx.get(gateway.url + "/admin/v1/audit", headers=admin,
                         timeout=REQUEST_TIMEOUT_S).status_code == 200  # audited: audit.read

        # The vendor goes down: a raw batch is acknowledged (committed to PostgreSQL), then the node is killed.
        vendor.respond_with(503, times=100_000)
        batch = {"batch": [{"type": "track", "userId": "user-2", "event": f"Step {n}", "messageId": f"m-held-{n}"}
                           for n in range(20)]}
        assert ingest.post(gateway.url + "/v1/batch", auth=(WRITE_KEY, ""), json=batch).status_code == 200
        gateway.kill()
        held = int(postgres.sql("SELECT count(*) FROM outbox WHERE message_id LIKE 'm-held-%'", database))
        assert held == 20 - len(vendor.message_ids() & {f"m-held-{n}" for n in range(20)})

        # Restarted against a vendor that answers: every acknowledged event arrives, once.
        assert gateway.policy_path is not None
        gateway.policy_path.write_text(tomli_w.dumps(segment_policy(healthy.url)))
        gateway.start()
        healthy.wait_for_message_ids({f"m-held-{n}" for n in range(20)})
        assert max(Counter(e["messageId"] for e in healthy.segment_events()).values()) == 1

        # The audit chain goes on across the restart: the read before the kill and the one after, verified.
        assert httpx.get(gateway.url + "/admin/v1/audit", headers=admin, timeout=REQUEST_TIMEOUT_S).status_code == 200
        verified = httpx.get(gateway.url + "/admin/v1/audit/verify", headers=admin, timeout=REQUEST_TIMEOUT_S).json()
        assert verified == {"ok": True, "rows": 2, "first_bad_id": None}
    finally:
        gateway.close()
        healthy.stop()


def test_on_postgresql_consent_governs_delivery_and_an_access_request_and_a_deletion_reach_the_subject(
    tmp_path: Path, vendor: FakeVendor, postgres: PostgresServer, postgres_url: str
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    gateway = GatewayProcess(tmp_path, segment_policy(vendor.url), args=["--database-url", postgres_url]).start()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def track(message_id: str, user: str = "user-7") -> None:
        event = {"userId": user, "anonymousId": f"anon-of-{user}", "event": "Viewed", "messageId": message_id}
        assert ingest.post(gateway.url + "/v1/track", auth=(WRITE_KEY, ""), json=event).status_code == 200

    try:
        track("m-before")
        vendor.wait_for_message_ids({"m-before"})
        # The person opts out (opt-out model): recorded in the ledger on PostgreSQL, the next event is not sent.
        withdrawn = httpx.post(gateway.url + "/v1/consent", auth=(SERVER_KEY, ""),
                               json={"userId": "user-7", "denied": ["analytics"]}, timeout=REQUEST_TIMEOUT_S)
        assert withdrawn.status_code == 200, withdrawn.text
        assert postgres.sql("SELECT count(*) FROM consent_history", database) == "1"
        track("m-after-withdrawal")
        track("m-bystander", user="user-8")
        vendor.wait_for_message_ids({"m-bystander"})
        assert "m-after-withdrawal" not in vendor.message_ids()

        filed = httpx.post(gateway.url + "/admin/v1/privacy/access-requests", headers=admin,
                           json={"identifiers": {"userId": "user-7"}, "reference": "ticket 7"},
                           timeout=REQUEST_TIMEOUT_S)
        assert filed.status_code == 201, filed.text
        export = httpx.get(gateway.url + f"/admin/v1/privacy/access-requests/{filed.json()['id']}/export",
                           headers=admin, timeout=REQUEST_TIMEOUT_S).json()
        assert len(export["consent_history"]) == 1

        created = httpx.post(gateway.url + "/admin/v1/privacy/deletions", headers=admin, timeout=REQUEST_TIMEOUT_S,
                             json={"identifiers": {"userId": "user-7"}, "reason": "art. 17", "destinations": []})
        assert created.status_code == 202, created.text
        deletion = f"/admin/v1/privacy/deletions/{created.json()['id']}"
        status = wait_until(lambda: (s := httpx.get(gateway.url + deletion, headers=admin,
                                                    timeout=REQUEST_TIMEOUT_S).json())["status"] in (
            "completed", "failed") and s, timeout=60, what="the deletion to finish")
        assert status["status"] == "completed", status
        # Her consent history is gone (the default policy keeps no proof of it), and so are her identity links.
        assert postgres.sql("SELECT count(*) FROM consent_history", database) == "0"
        assert postgres.sql("SELECT count(*) FROM identity_links", database) == "2"  # the bystander's, both ways
        track("m-after-deletion")
        track("m-bystander-2", user="user-8")
        vendor.wait_for_message_ids({"m-bystander-2"})
        assert "m-after-deletion" not in vendor.message_ids()  # suppressed
        actions = {e["action"] for e in httpx.get(gateway.url + "/admin/v1/audit?limit=100", headers=admin,
                                                  timeout=REQUEST_TIMEOUT_S).json()["entries"]}
        assert {"access_request.create", "subject.export"} <= actions
        assert httpx.get(gateway.url + "/admin/v1/audit/verify", headers=admin,
                         timeout=REQUEST_TIMEOUT_S).json()["ok"] is True
    finally:
        gateway.close()
