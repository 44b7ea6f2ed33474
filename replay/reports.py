"""The frustration report for UX designers: where people rage- and dead-click, which forms they abandon and where,
and how that moves day by day. Aggregates only: no session ids, no identifiers, no input values.

Tables, each a list of flat rows (so the same data serves JSON, CSV and the charts):
- pages: per page by route (the address-bar URL after single-page-app route changes, normalized), page views,
  sessions, the sessions that ended there (drop-off page: exits and exit rate) and the signals found there;
- elements: per page and element, rage/dead/error clicks and the number of sessions affected;
- forms: per page and form, episodes started and submitted, abandonments, the abandonment rate, and how the drop-off
  fields are distributed (autosave forms left out: they cannot be abandoned);
- autosave_forms: per page and form, the episodes of forms that save as the user goes, and the changes saved;
- daily: per day (UTC), sessions recorded and signals of each kind.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from replay import csv_cells
from replay.database import Connection
from replay.detect import KINDS
from replay.store import CLICK_KINDS

TABLES = ("pages", "elements", "forms", "autosave_forms", "daily")


@dataclass(frozen=True)
class Period:
    since_ms: int | None = None
    until_ms: int | None = None
    source: str | None = None

    def where(self, ts_column: str, session_alias: str = "s") -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[str | int] = []
        if self.since_ms is not None:
            clauses.append(f"{ts_column} >= ?")
            args.append(self.since_ms)
        if self.until_ms is not None:
            clauses.append(f"{ts_column} < ?")
            args.append(self.until_ms)
        if self.source is not None:
            clauses.append(f"{session_alias}.source = ?")
            args.append(self.source)
        return (" AND ".join(clauses) or "TRUE"), args


def elements(conn: Connection, period: Period) -> list[dict[str, Any]]:
    where, args = period.where("g.timestamp")
    per_kind = ", ".join(f"count(CASE WHEN g.kind = '{kind}' THEN 1 END) AS {kind}s" for kind in CLICK_KINDS)
    cursor = conn.execute(
        f"""SELECT g.page_url, g.selector, max(g.description) AS description, {per_kind},
                   count(DISTINCT g.session_id) AS sessions_affected
            FROM replay_signals g JOIN replay_sessions s USING (session_id)
            WHERE g.kind IN ({', '.join('?' * len(CLICK_KINDS))}) AND {where}
            GROUP BY g.page_url, g.selector
            -- count(*): rage, dead and error clicks together (the kinds counted above, all the WHERE keeps)
            ORDER BY count(*) DESC, g.page_url, g.selector""",
        (*CLICK_KINDS, *args),
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def pages(conn: Connection, period: Period) -> list[dict[str, Any]]:
    where, args = period.where("p.entered_at")
    rows: dict[str, dict[str, Any]] = {}
    for page_url, views, sessions, exits in conn.execute(
        f"""SELECT p.page_url, count(*), count(DISTINCT p.session_id), sum(p.exited)
            FROM replay_pages p JOIN replay_sessions s USING (session_id) WHERE {where}
            GROUP BY p.page_url""",
        args,
    ):
        rows[page_url] = {"page_url": page_url, "views": views, "sessions": sessions, "exits": exits,
                          "exit_rate": round(exits / sessions, 4) if sessions else 0.0,
                          **{f"{kind}s": 0 for kind in KINDS}}
    where, args = period.where("g.timestamp")
    for page_url, kind, count in conn.execute(
        f"""SELECT g.page_url, g.kind, count(*) FROM replay_signals g JOIN replay_sessions s USING (session_id)
            WHERE {where} GROUP BY g.page_url, g.kind""",
        args,
    ):
        if page_url in rows and f"{kind}s" in rows[page_url]:
            rows[page_url][f"{kind}s"] = count
    return sorted(rows.values(), key=lambda r: (-r["views"], r["page_url"]))


def forms(conn: Connection, period: Period) -> list[dict[str, Any]]:
    where, args = period.where("f.started_at")
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    drop_offs: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for page_url, form, submitted, drop_off in conn.execute(
        f"""SELECT f.page_url, f.form, f.submitted, f.drop_off_field
            FROM replay_forms f JOIN replay_sessions s USING (session_id) WHERE f.autosave = 0 AND {where}""",
        args,
    ):
        row = grouped.setdefault((page_url, form), {"page_url": page_url, "form": form, "starts": 0, "submits": 0,
                                                     "abandonments": 0})
        row["starts"] += 1
        if submitted:
            row["submits"] += 1
        else:
            row["abandonments"] += 1
            drop_offs[(page_url, form)][drop_off or "(unknown field)"] += 1
    result = []
    for key, row in grouped.items():
        row["abandonment_rate"] = round(row["abandonments"] / row["starts"], 4) if row["starts"] else 0.0
        row["drop_off_fields"] = dict(drop_offs[key].most_common())
        result.append(row)
    result.sort(key=lambda r: (-r["abandonments"], r["page_url"], r["form"]))
    return result


def autosave_forms(conn: Connection, period: Period) -> list[dict[str, Any]]:
    where, args = period.where("f.started_at")
    cursor = conn.execute(
        f"""SELECT f.page_url, f.form, count(*) AS episodes, count(DISTINCT f.session_id) AS sessions,
                   sum(f.saved_changes) AS changes_saved
            FROM replay_forms f JOIN replay_sessions s USING (session_id) WHERE f.autosave != 0 AND {where}
            GROUP BY f.page_url, f.form ORDER BY episodes DESC, f.page_url, f.form""",
        args,
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def daily(conn: Connection, period: Period) -> list[dict[str, Any]]:
    days: dict[str, dict[str, Any]] = {}

    def day_row(day: str) -> dict[str, Any]:
        return days.setdefault(day, {"day": day, "sessions": 0, **{f"{k}s": 0 for k in KINDS}})

    where, args = period.where("s.first_ts")
    for (first_ts,) in conn.execute(f"SELECT s.first_ts FROM replay_sessions s WHERE {where}", args):
        if first_ts is not None:
            day_row(_day(first_ts))["sessions"] += 1
    where, args = period.where("g.timestamp")
    for timestamp, kind in conn.execute(
        f"SELECT g.timestamp, g.kind FROM replay_signals g JOIN replay_sessions s USING (session_id) WHERE {where}",
        args,
    ):
        day_row(_day(timestamp))[f"{kind}s"] += 1
    return [days[d] for d in sorted(days)]


def frustration_report(conn: Connection, period: Period) -> dict[str, Any]:
    return {"pages": pages(conn, period), "elements": elements(conn, period), "forms": forms(conn, period),
            "autosave_forms": autosave_forms(conn, period), "daily": daily(conn, period)}


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One report table as CSV (cells safe in a spreadsheet); nested values (the drop-off distribution) as
    `selector=n; selector=n`."""
    if not rows:
        return ""
    flat = [{k: "; ".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else v for k, v in row.items()}
            for row in rows]
    return csv_cells.write_csv(flat, list(rows[0]))
