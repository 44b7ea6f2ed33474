"""`privacy-gateway db`: what an operator sees of the database (tables, row counts, schema, migrations applied and
pending), read-only, safe beside a running gateway, and never a row's contents."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.database import Database
from gateway.schema import DATABASE_FILE, MIGRATIONS

NAMES = ("ops-alice", "ops-bob", "ops-carol")


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A database one migration behind this version, open for writing (as a running gateway holds it)."""
    db = Database(tmp_path / DATABASE_FILE, MIGRATIONS[:-1])
    db.write_sync(lambda conn: conn.executemany(
        "INSERT INTO access_tokens (sha256, name, role, created_at) VALUES (?, ?, 'admin', 0)",
        [(hashlib.sha256(name.encode()).hexdigest(), name) for name in NAMES]))
    yield tmp_path
    db.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["db", *args]) == 0
    return capsys.readouterr().out


def test_lists_each_table_with_its_rows_and_the_migrations_still_to_apply(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--data-dir", str(data_dir))
    tokens = next(line for line in out.splitlines() if line.startswith("access_tokens "))
    assert tokens.split()[1] == "3" and "sha256, name, role, created_at" in tokens
    assert f"migrations: {len(MIGRATIONS) - 1} applied (last: {MIGRATIONS[-2].name} at " in out
    assert f"pending (applied at the next start): {MIGRATIONS[-1].name}" in out
    assert not any(name in out for name in NAMES)  # counts and structure, never what the rows hold


def test_the_json_form_has_every_table_its_schema_and_the_migrations_in_order(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(run(capsys, "--data-dir", str(data_dir), "--json"))
    tables = {table["name"]: table for table in report["tables"]}
    assert tables["access_tokens"]["rows"] == 3
    assert tables["access_tokens"]["schema"].startswith("CREATE TABLE access_tokens")
    assert "outbox_destination" in tables["outbox"]["indexes"]
    assert "migrations" not in tables and "sqlite_sequence" not in tables
    assert [m["name"] for m in report["migrations"]["applied"]] == [m.name for m in MIGRATIONS[:-1]]
    assert report["migrations"]["pending"] == [MIGRATIONS[-1].name] and report["migrations"]["unknown"] == []


def test_looking_changes_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--data-dir", str(data_dir), "--schema")
    conn = sqlite3.connect(data_dir / DATABASE_FILE)
    try:
        applied = [row[0] for row in conn.execute("SELECT name FROM migrations")]
    finally:
        conn.close()
    assert MIGRATIONS[-1].name not in applied  # the pending migration is shown, not applied


def test_a_directory_without_a_database_is_named(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"no database at .*gateway\.sqlite3: is --data-dir the gateway's\?"):
        main(["db", "--data-dir", str(tmp_path)])
