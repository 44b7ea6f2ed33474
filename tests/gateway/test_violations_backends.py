"""Tracking-plan violations as recorded with the events that broke the plan, listed and summed up, on either engine
(each test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from gateway import violations
from gateway.database import Database
from gateway.storage.engine import Engine
from gateway.violations import Found
from policies.plans import Violation


def test_violations_are_listed_newest_first_filtered_and_summed_per_event(database_location: Path | Engine) -> None:
    db = Database(database_location, violations.MIGRATIONS)
    wrong_price = Violation("wrong_type", "properties.price", "number", "string")
    db.write_sync(lambda conn: violations.record(conn, [
        Found("web", "track", "Order Completed", "m1", "flag", (wrong_price,)),
        Found("web", "track", "Order Completed", "m2", "flag", (wrong_price,)),
        Found("app", "track", "Sneaky Event", "m3", "block", (Violation("unplanned_event", "event", "planned", "x"),)),
    ]))

    listed = db.read_sync(lambda conn: violations.query(conn, {"source": "web"}, None, None, 10))
    assert [(v["message_id"], v["rule"], v["path"]) for v in listed] == [
        ("m2", "wrong_type", "properties.price"), ("m1", "wrong_type", "properties.price")]

    summary = db.read_sync(lambda conn: violations.summary(conn, {}, None, None))
    assert [(e["event"], e["violations"], e["events_affected"], e["rules"]) for e in summary["events"]] == [
        ("Order Completed", 2, 2, {"wrong_type": 2}), ("Sneaky Event", 1, 1, {"unplanned_event": 1})]
    [day] = summary["daily"]
    assert (day["violations"], day["flag"], day["block"]) == (3, 2, 1)
    db.close()
