"""End to end on PostgreSQL: a real gateway process keeps all its state in a PostgreSQL database (none in its data
directory), delivers what the official Segment SDK sends, and delivers what it acknowledged while the vendor was down
after a SIGKILL and a restart. Runs once every part of the gateway has moved onto PostgreSQL (`not_on_postgres()`
empty); until then `serve --database-url` is refused on purpose (tests/e2e/test_storage_processes.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
import tomli_w
from segment.analytics import Client

from gateway.schema import DATABASE_FILE, not_on_postgres
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ADMIN_TOKEN, WRITE_KEY, GatewayProcess, segment_policy
from tests.support.postgres import PostgresServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(not_on_postgres()), reason=f"parts not on PostgreSQL yet: {', '.join(not_on_postgres())}"),
]

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
        assert httpx.get(gateway.url + "/admin/v1/audit", headers=admin).status_code == 200  # audited: audit.read

        # The vendor goes down: a raw batch is acknowledged (committed to PostgreSQL), then the node is killed.
        vendor.respond_with(503, times=100_000)
        batch = {"batch": [{"type": "track", "userId": "user-2", "event": f"Step {n}", "messageId": f"m-held-{n}"}
                           for n in range(20)]}
        assert httpx.post(gateway.url + "/v1/batch", auth=(WRITE_KEY, ""), json=batch).status_code == 200
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
        assert httpx.get(gateway.url + "/admin/v1/audit", headers=admin).status_code == 200
        verified = httpx.get(gateway.url + "/admin/v1/audit/verify", headers=admin).json()
        assert verified == {"ok": True, "rows": 2, "first_bad_id": None}
    finally:
        gateway.close()
        healthy.stop()
