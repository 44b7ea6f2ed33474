"""Click, rage-click and dead-click heatmaps per page, for UX designers: the binned positions of every analysed session
(replay.detect.heat) summed per page, layout (desktop, tablet, phone) and kind. Aggregates only: no session ids, no
identifiers, no times. The period and source filter by the session's start.

A heatmap is drawn over the page as it looked: `page_snapshot` gives the events that rebuild the page of the latest
view of it in that layout (the page load's Meta and FullSnapshot, then the DOM changes until SNAPSHOT_SETTLE_MS after
the view began, so a single-page app's route has rendered), with nothing of what the person did (no pointer, input,
console or custom events) and every external URL replaced (replay.offline).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from replay import csv_cells, offline, rrweb
from replay.database import Connection
from replay.detect.heat import CLICK, HEAT_KINDS, LAYOUTS, X_BINS, Y_BIN_PX
from replay.reports import Period

SNAPSHOT_SETTLE_MS = 1500
_PAGE_SOURCES = frozenset({rrweb.MUTATION, rrweb.STYLE_SHEET_RULE, rrweb.STYLE_DECLARATION,
                           rrweb.ADOPTED_STYLE_SHEET, rrweb.VIEWPORT_RESIZE})
CSV_COLUMNS = ("page_url", "layout", "kind", "x_bin", "y_bin", "x_from_percent", "y_from_px", "clicks")


def pages(conn: Connection, period: Period) -> list[dict[str, Any]]:
    """Every page and layout with placed clicks in the period, with its clicks of each kind; most clicked first."""
    where, args = period.where("s.first_ts")
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for page_url, layout, kind, clicks in conn.execute(
        f"""SELECT h.page_url, h.layout, h.kind, sum(h.clicks)
            FROM replay_heat h JOIN replay_sessions s USING (session_id)
            WHERE {where} GROUP BY h.page_url, h.layout, h.kind""",
        args,
    ):
        row = rows.setdefault((page_url, layout), {"page_url": page_url, "layout": layout,
                                                   **{f"{k}s": 0 for k in HEAT_KINDS}})
        row[f"{kind}s"] = clicks
    return sorted(rows.values(), key=lambda r: (-r[f"{CLICK}s"], r["page_url"], LAYOUTS.index(r["layout"])))


def heatmap(conn: Connection, page_url: str, layout: str, period: Period) -> dict[str, Any]:
    """The cells of one page in one layout: `{kind, x_bin, y_bin, clicks}`, x in X_BINS columns of the viewport's
    width, y in rows of Y_BIN_PX pixels from the top of the document."""
    where, args = period.where("s.first_ts")
    cursor = conn.execute(
        f"""SELECT h.kind, h.x_bin, h.y_bin, sum(h.clicks) FROM replay_heat h JOIN replay_sessions s USING (session_id)
            WHERE h.page_url = ? AND h.layout = ? AND {where}
            GROUP BY h.kind, h.x_bin, h.y_bin ORDER BY h.kind, h.y_bin, h.x_bin""",
        (page_url, layout, *args),
    )
    cells = [{"kind": kind, "x_bin": x, "y_bin": y, "clicks": n} for kind, x, y, n in cursor]
    totals = {f"{k}s": sum(c["clicks"] for c in cells if c["kind"] == k) for k in HEAT_KINDS}
    return {"page_url": page_url, "layout": layout, "x_bins": X_BINS, "y_bin_px": Y_BIN_PX, **totals, "cells": cells}


def to_csv(heat: dict[str, Any]) -> str:
    """One page's cells as CSV, each with where its area starts (percent of the width, pixels down)."""
    rows = [{"page_url": heat["page_url"], "layout": heat["layout"], **c,
             "x_from_percent": round(c["x_bin"] * 100 / X_BINS, 2), "y_from_px": c["y_bin"] * Y_BIN_PX}
            for c in heat["cells"]]
    return csv_cells.write_csv(rows, list(CSV_COLUMNS))


def latest_view(conn: Connection, page_url: str, layout: str) -> tuple[str, str, int] | None:
    """(session, window, entered_at) of the latest view of the page in a session that clicked on it in that layout,
    None if there is none."""
    row = conn.execute(
        """SELECT p.session_id, p.window_id, p.entered_at FROM replay_pages p
           WHERE p.page_url = ? AND EXISTS (SELECT 1 FROM replay_heat h WHERE h.session_id = p.session_id
                                            AND h.page_url = p.page_url AND h.layout = ?)
           ORDER BY p.entered_at DESC LIMIT 1""",
        (page_url, layout),
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def page_snapshot(events: Iterable[dict[str, Any]], entered_at: int) -> list[dict[str, Any]]:
    """The events that rebuild the page entered at `entered_at`, from a window's events in time order: from the last
    page load (Meta) at or before it, the DOM only, until SNAPSHOT_SETTLE_MS later."""
    kept: list[dict[str, Any]] = []
    for event in _until(events, entered_at + SNAPSHOT_SETTLE_MS):
        kind, data = event.get("type"), event.get("data")
        if kind == rrweb.META and event["timestamp"] <= entered_at:
            kept = []
        if kind in (rrweb.META, rrweb.FULL_SNAPSHOT) or (
                kind == rrweb.INCREMENTAL_SNAPSHOT and isinstance(data, dict) and data.get("source") in _PAGE_SOURCES):
            offline.rewrite_event(event)
            kept.append(event)
    return kept


def _until(events: Iterable[dict[str, Any]], end: int) -> Iterator[dict[str, Any]]:
    for event in events:
        ts = event.get("timestamp") if isinstance(event, dict) else None
        if not isinstance(ts, int):
            continue
        if ts > end:
            return
        yield event
