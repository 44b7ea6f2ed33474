"""The event catalog as it is written and read: each event's property paths with their types and value shapes, never a
value; counts that add up across flushes; SDKs; volume per account under the account's keyed hash;
bounds on what senders choose (names, keys) so that the catalog cannot grow without end. The stored catalog is tested
on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest

from gateway import catalog
from gateway.catalog import Catalog, account_hasher
from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.engine import Engine
from policies.event import Event

KEY = b"k" * 32


@pytest.fixture
def db(database_location: Path | Engine):
    database = Database(database_location, MIGRATIONS)
    yield database
    database.close()


def exported(i: int, **properties: Any) -> Event:
    return Event("track", f"m-{i}", event="Report Exported", context={"library": {"name": "analytics.js"}},
                 properties={"account_id": f"acme-{i % 2}", "format": "csv", "rows": i,
                             "filters": {"since": "2026-12-01T00:00:00Z"}, **properties})


def test_paths_types_and_shapes_add_up_across_flushes_and_hold_no_value(db: Database) -> None:
    events = Catalog(db, "properties.account_id", account_hasher(KEY))
    events.observe("web", [exported(i) for i in range(3)])
    db.write_sync(events.take())
    between = time.time()
    events.observe("web", [exported(3, rows="many")])
    db.write_sync(events.take())

    [entry] = db.read_sync(catalog.read_catalog)
    assert (entry["name"], entry["count"], entry["sdks"]) == ("Report Exported", 4, {"analytics.js": 4})
    assert entry["first_seen"] < between < entry["last_seen"]  # the day's row spans both flushes
    paths = {p["path"]: p for p in entry["properties"]}
    assert set(paths) == {"properties.account_id", "properties.format", "properties.rows", "properties.filters",
                          "properties.filters.since"}
    assert paths["properties.rows"]["types"] == ["integer", "string"]
    assert paths["properties.rows"]["seen"] == 4
    assert paths["properties.format"]["distinct_values"] == 1
    assert paths["properties.filters.since"]["formats"] == ["date-time"]
    assert (paths["properties.account_id"]["min_length"], paths["properties.account_id"]["max_length"]) == (6, 6)
    stored = repr(db.read_sync(lambda c: [c.execute(f"SELECT * FROM {t}").fetchall() for t in (
        "catalog_events", "catalog_properties", "catalog_accounts")]))
    assert [v for v in ("acme-0", "acme-1", "csv", "many", "2026-12-01") if v in stored] == []


def test_accounts_are_counted_under_their_keyed_hash(db: Database) -> None:
    events = Catalog(db, "properties.account_id", account_hasher(KEY))
    events.observe("web", [exported(i) for i in range(5)])
    db.write_sync(events.take())
    expected = {hmac.new(KEY, f"acme-{n}".encode(), hashlib.sha256).hexdigest()[:32]: count
                for n, count in ((0, 3), (1, 2))}
    assert {a["account"]: a["count"] for a in db.read_sync(catalog.read_accounts)} == expected


def test_the_account_hash_is_the_same_after_its_cache_starts_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "ACCOUNT_CACHE", 2)
    hashed = account_hasher(KEY)
    first = [hashed(f"acct-{i}") for i in range(5)]
    assert [hashed(f"acct-{i}") for i in range(5)] == first
    assert len(set(first)) == 5 and account_hasher(b"other" * 8)("acct-0") != first[0]


def test_names_and_paths_past_their_limits_are_counted_without_growing_the_catalog(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids in event names or property keys (the sender's choice) must not grow the catalog without end."""
    monkeypatch.setattr(catalog, "MAX_NAMES", 3)
    monkeypatch.setattr(catalog, "MAX_PATHS", 4)
    events = Catalog(db, "properties.account_id", account_hasher(KEY))

    def viewed(n: int) -> Event:
        return Event("track", f"m-{n}", event=f"Viewed item {n}", properties={f"item_{n}_{k}": k for k in range(6)})

    events.observe("web", [viewed(n) for n in range(2)])
    db.write_sync(events.take())
    events.observe("web", [viewed(n) for n in range(1, 5)])  # one known name, three new ones
    db.write_sync(events.take())

    counts = {e["name"]: e["count"] for e in db.read_sync(catalog.read_catalog)}
    assert counts == {"Viewed item 0": 1, "Viewed item 1": 2, "Viewed item 2": 1, catalog.OTHER_NAMES: 2}
    assert {e["name"]: len(e["properties"]) for e in db.read_sync(catalog.read_catalog)} == {
        "Viewed item 0": 4, "Viewed item 1": 4, "Viewed item 2": 4, catalog.OTHER_NAMES: 4}


def test_between_flushes_memory_holds_a_bounded_number_of_events(db: Database,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "MAX_SHAPES", 2)
    events = Catalog(db, "properties.account_id", str)
    events.observe("web", [Event("track", f"m-{n}", event=f"Viewed item {n}") for n in range(10)])
    db.write_sync(events.take())
    counts = {e["name"]: e["count"] for e in db.read_sync(catalog.read_catalog)}
    assert counts == {"Viewed item 0": 1, "Viewed item 1": 1, catalog.OTHER_NAMES: 8}


def test_plan_infer_leaves_the_names_past_the_limit_out_of_the_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gateway.cli import main
    from gateway.schema import DATABASE_FILE

    monkeypatch.setattr(catalog, "MAX_NAMES", 1)
    db = Database(tmp_path / DATABASE_FILE, MIGRATIONS)
    events = Catalog(db, "properties.account_id", str)
    events.observe("web", [Event("track", f"m-{n}", event=f"Item {n} Viewed", properties={"n": n}) for n in range(3)])
    db.write_sync(events.take())
    db.close()

    assert main(["plan", "infer", "--source", "web", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert list(json.loads(out)["events"]) == ["Item 0 Viewed"]
    assert "more than 1 event names" in err
