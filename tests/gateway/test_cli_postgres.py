"""The commands that open the database follow the gateway to PostgreSQL: with `[storage] database_url` in the policy
(or `--database-url`), `db`, `plan infer`, `purge` and `audit verify` work on that database, not on a SQLite file in
the data directory (which such a deployment does not have)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli_w

from gateway import audit_checkpoints, keys
from gateway.audit import AuditLog
from gateway.catalog import Catalog
from gateway.cli import _load, main
from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.postgres import postgres_engine
from policies.event import Event
from tests.support.gateway_process import VENDOR_WRITE_KEY, segment_policy


@pytest.fixture
def deployment(tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A data directory holding only keys (as a node's does on PostgreSQL), and its policy naming the database."""
    monkeypatch.setenv("VENDOR_WRITE_KEY", VENDOR_WRITE_KEY)
    policy = segment_policy("http://127.0.0.1:9")
    policy["storage"] = {"database_url": postgres_url}
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(tomli_w.dumps(policy))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    loaded = _load(str(policy_file))
    db = Database(postgres_engine(postgres_url), MIGRATIONS)
    try:
        catalog = Catalog(db, "properties.account_id", str)
        catalog.observe("web", [Event("track", f"m-{i}", event="Report Exported", properties={"rows": i})
                                for i in range(3)])
        db.write_sync(catalog.take())
        log = AuditLog(db, keys.derive(keys.load_secret(loaded, data_dir), "audit"), b"values-key" * 4)
        for i in range(3):
            db.write_sync(lambda c, i=i: log.append(c, "ann", "support", "replay.read_events", f"s-{i}"))
        signing = keys.load_signing_key(loaded, data_dir)
        checkpoint = db.read_sync(lambda c: audit_checkpoints.make(c, signing))
    finally:
        db.close()
    (tmp_path / "checkpoints.jsonl").write_text(json.dumps(checkpoint) + "\n")
    return policy_file, data_dir


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_db_shows_the_postgresql_databases_tables_and_migrations(
    deployment: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy_file, data_dir = deployment
    code, out = run(capsys, "db", "--policy", str(policy_file), "--data-dir", str(data_dir), "--json")
    shown = json.loads(out)
    assert code == 0 and shown["engine"].startswith("PostgreSQL ")
    assert "password" not in shown["path"]
    tables = {t["name"]: t for t in shown["tables"]}
    assert tables["catalog_events"]["rows"] == 1 and tables["audit_log"]["rows"] == 3
    assert "migrations" not in tables
    assert [m["name"] for m in shown["migrations"]["applied"]] == [m.name for m in MIGRATIONS]
    assert shown["migrations"]["pending"] == []


def test_plan_infer_and_purge_work_on_the_postgresql_database(
    deployment: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy_file, data_dir = deployment
    code, out = run(capsys, "plan", "infer", "--source", "web", "--policy", str(policy_file),
                    "--data-dir", str(data_dir))
    assert code == 0 and list(json.loads(out)["events"]) == ["Report Exported"]
    code, out = run(capsys, "purge", "--policy", str(policy_file), "--data-dir", str(data_dir))
    assert code == 0 and out.startswith("purged: ")


def test_audit_verify_holds_the_postgresql_audit_log_against_its_checkpoints(
    deployment: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy_file, data_dir = deployment
    checkpoints = policy_file.parent / "checkpoints.jsonl"
    code, out = run(capsys, "audit", "verify", "--checkpoint", str(checkpoints), "--policy", str(policy_file),
                    "--data-dir", str(data_dir))
    assert code == 0 and "audit log verified against the checkpoints" in out
    url = _load(str(policy_file)).storage.database_url
    assert url is not None
    db = Database(postgres_engine(url), MIGRATIONS)
    try:
        db.write_sync(lambda c: c.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2"))
    finally:
        db.close()
    code, out = run(capsys, "audit", "verify", "--checkpoint", str(checkpoints), "--policy", str(policy_file),
                    "--data-dir", str(data_dir))
    assert code == 1 and "AUDIT LOG DOES NOT VERIFY" in out
