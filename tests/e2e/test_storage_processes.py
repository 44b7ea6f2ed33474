"""Which processes may serve which database: one per SQLite data directory (a second is refused at start, saying
why), or any number on one PostgreSQL database (tests/e2e/test_two_nodes.py). `privacy-gateway migrate` prepares
either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from gateway.schema import MIGRATIONS, not_on_postgres
from tests.support import ingest
from tests.support.fake_vendor import FakeVendor
from tests.support.gateway_process import ROOT, WRITE_KEY, GatewayProcess, segment_policy
from tests.support.postgres import PostgresServer
from tests.support.waiting import REQUEST_TIMEOUT_S


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`privacy-gateway serve ...` expected to refuse: it exits on its own (a server would run until the timeout)."""
    return subprocess.run([sys.executable, "-m", "gateway", "serve", "--port", "0", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, check=False, env=env)


def test_a_second_gateway_on_the_same_data_directory_is_refused_and_the_first_keeps_serving(
    tmp_path: Path, vendor: FakeVendor
) -> None:
    first = GatewayProcess(tmp_path, segment_policy(vendor.url)).start()
    try:
        assert first.proc is not None
        second = serve("--data-dir", str(first.data_dir), "--policy", str(first.policy_path), env=first.env)
        assert second.returncode != 0
        assert f"the data directory {first.data_dir} is in use by another gateway process (pid {first.proc.pid})" \
            in second.stderr
        answer = ingest.post(first.url + "/v1/track", auth=(WRITE_KEY, ""),
                             json={"userId": "u1", "event": "Still here", "messageId": "m-still"})
        assert answer.status_code == 200
        vendor.wait_for_message_ids({"m-still"})

        first.kill()  # SIGKILL: the kernel releases the lock with the process, nothing stale is left behind
        first.start()
        assert httpx.get(first.url + "/readyz", timeout=REQUEST_TIMEOUT_S).status_code == 200
    finally:
        first.close()


def test_migrate_prepares_the_moved_tables_on_postgresql_once(postgres: PostgresServer, postgres_url: str) -> None:
    def migrate() -> str:
        done = subprocess.run([sys.executable, "-m", "gateway", "migrate", "--database-url", postgres_url],
                              capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
        return done.stdout

    first = migrate()
    moved = [m.name for m in MIGRATIONS if m.postgres is not None]  # in schema order
    assert f"applied {len(moved)} step(s): {', '.join(moved)}" in first
    unmoved = not_on_postgres()  # named while any part is left (until then serving there is refused)
    assert ("not on PostgreSQL yet" in first) == bool(unmoved) and all(part in first for part in unmoved)
    assert "applied 0 step(s)" in migrate()
    database = postgres_url.rsplit("/", 1)[1]
    tables = set(postgres.sql("SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables "
                              "WHERE schemaname = 'public'", database).split())
    assert {"outbox", "outbox_subjects", "dead_letters", "suppressed_subjects", "replay_sessions", "replay_chunks",
            "replay_blobs", "replay_session_subjects", "replay_keys", "replay_key_subjects", "replay_objects",
            "deletion_requests", "deletion_subjects", "deletion_calls", "deletion_leases", "destination_owners",
            "audit_log", "audit_anchor", "identity_links", "consent_history", "consent_state", "catalog_events",
            "catalog_properties", "catalog_accounts", "catalog_sdks", "access_requests", "access_request_subjects",
            "replay_reviews"} <= tables


def test_migrate_brings_a_sqlite_data_directory_up_to_date(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "gateway", "migrate", "--data-dir", str(tmp_path / "data")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert "gateway.sqlite3: applied" in done.stdout and "outbox-1" in done.stdout
    assert "not on PostgreSQL" not in done.stdout
