"""Tracking plan violations as stored: which event broke which rule where, what was expected and what type was
observed, and what the gateway did (flag, omit_properties, block). No values: a violation can be listed and
exported without showing what anyone sent. `allow` violations are only counted in /metrics, not stored.

Written in the same transaction as the request's events (the ingest commit), so a 2xx means the violation is on
record too. Read by the admin API (gateway.tracking_api): a filtered list, and a summary per event and per day for
the Data quality page.
"""

from __future__ import annotations

import datetime
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.database import Migration
from policies.plans import Violation

MIGRATIONS = (
    Migration(
        "violations-1",
        (
            """CREATE TABLE plan_violations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at REAL NOT NULL,
                day TEXT NOT NULL,
                source TEXT NOT NULL,
                type TEXT NOT NULL,
                event TEXT NOT NULL,
                message_id TEXT NOT NULL,
                rule TEXT NOT NULL,
                path TEXT NOT NULL,
                expected TEXT NOT NULL,
                observed TEXT NOT NULL,
                action TEXT NOT NULL
            )""",
            "CREATE INDEX plan_violations_at ON plan_violations (at)",
            "CREATE INDEX plan_violations_event ON plan_violations (source, event, day)",
        ),
    ),
)

COLUMNS = ("id", "at", "day", "source", "type", "event", "message_id", "rule", "path", "expected", "observed",
           "action")
# Keys a caller may filter the list on, each matched exactly.
FILTERS = ("source", "event", "rule", "action", "type", "message_id")
MAX_TEXT = 200  # paths and names are cut here: a key is the sender's choice too


@dataclass(frozen=True, slots=True)
class Found:
    """One event's violations, as the plan step records them for the commit."""

    source: str
    type: str
    event: str
    message_id: str
    action: str
    violations: tuple[Violation, ...]


def record(conn: sqlite3.Connection, found: Sequence[Found]) -> None:
    now = time.time()
    day = datetime.datetime.fromtimestamp(now, datetime.UTC).date().isoformat()
    conn.executemany(
        """INSERT INTO plan_violations (at, day, source, type, event, message_id, rule, path, expected, observed,
               action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(now, day, f.source, f.type, f.event[:MAX_TEXT], str(f.message_id)[:MAX_TEXT], v.rule, v.path[:MAX_TEXT],
          v.expected[:MAX_TEXT], v.observed, f.action) for f in found for v in f.violations],
    )


def _where(filters: dict[str, str], since: float | None, until: float | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for key in FILTERS:
        if filters.get(key):
            clauses.append(f"{key} = ?")
            args.append(filters[key])
    if since is not None:
        clauses.append("at >= ?")
        args.append(since)
    if until is not None:
        clauses.append("at < ?")
        args.append(until)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


def query(conn: sqlite3.Connection, filters: dict[str, str], since: float | None, until: float | None,
          limit: int) -> list[dict[str, Any]]:
    """Violations matching `filters`, newest first."""
    where, args = _where(filters, since, until)
    rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM plan_violations {where} ORDER BY id DESC LIMIT ?",
                        (*args, limit))
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def summary(conn: sqlite3.Connection, filters: dict[str, str], since: float | None, until: float | None
            ) -> dict[str, list[dict[str, Any]]]:
    """Per event (violations, events affected, the rules broken, what was done) and per day (violations by action),
    and the rows of both per event and day, for the CSV."""
    where, args = _where(filters, since, until)
    events: dict[tuple[str, str], dict[str, Any]] = {}
    for source, event, rule, action, n, affected, last in conn.execute(
            f"""SELECT source, event, rule, action, count(*), count(DISTINCT message_id), max(at)
                FROM plan_violations {where} GROUP BY source, event, rule, action""", args):
        item = events.setdefault((source, event), {"source": source, "event": event, "violations": 0,
                                                   "events_affected": 0, "rules": {}, "actions": {},
                                                   "last_seen": last})
        item["violations"] += n
        item["events_affected"] = max(item["events_affected"], affected)
        item["rules"][rule] = item["rules"].get(rule, 0) + n
        item["actions"][action] = item["actions"].get(action, 0) + n
        item["last_seen"] = max(item["last_seen"], last)
    days: dict[str, dict[str, Any]] = {}
    by_event_day = []
    for day, source, event, action, n in conn.execute(
            f"""SELECT day, source, event, action, count(*) FROM plan_violations {where}
                GROUP BY day, source, event, action ORDER BY day, source, event, action""", args):
        row = days.setdefault(day, {"day": day, "violations": 0, "flag": 0, "omit_properties": 0, "block": 0})
        row["violations"] += n
        row[action] = row.get(action, 0) + n
        by_event_day.append({"day": day, "source": source, "event": event, "action": action, "violations": n})
    ordered = sorted(events.values(), key=lambda e: (-e["violations"], e["source"], e["event"]))
    return {"events": ordered, "daily": [days[d] for d in sorted(days)], "by_event_day": by_event_day}
