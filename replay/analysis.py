"""Running the detectors on stored sessions and keeping their signals.

A session is analysed once it has been idle for the policy's `analyze_after_idle_s` (a background loop in the gateway
looks for such sessions), and on demand (`privacy-gateway replay analyze`). Analysis replaces the session's signals in
one transaction; signal ids are derived from their content, so analysing again gives the same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson

from policies.detect import DetectConfig
from replay.database import Connection
from replay.detect import KINDS, SessionAnalysis, analyze_session
from replay.store import ReplayStore

log = logging.getLogger("replay")

SCHEMA = (
    """CREATE TABLE replay_signals (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        window_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        page_url TEXT NOT NULL,
        selector TEXT NOT NULL,
        description TEXT NOT NULL,
        details TEXT NOT NULL
    )""",
    "CREATE INDEX replay_signals_session ON replay_signals (session_id, timestamp)",
    "CREATE INDEX replay_signals_kind ON replay_signals (kind, page_url)",
)
# Every form episode (started = a field got input), submitted or abandoned: the funnel the UX report shows.
FORMS_SCHEMA = (
    """CREATE TABLE replay_forms (
        session_id TEXT NOT NULL,
        window_id TEXT NOT NULL,
        page_url TEXT NOT NULL,
        form TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        submitted INTEGER NOT NULL,
        fields_filled INTEGER NOT NULL,
        drop_off_field TEXT
    )""",
    "CREATE INDEX replay_forms_session ON replay_forms (session_id)",
    "CREATE INDEX replay_forms_page ON replay_forms (page_url, form)",
)
# Single-page apps (issue 22): the address-bar URL of each signal, autosave form episodes apart, and every page view
# with the session's exit page.
PAGES_SCHEMA = (
    "ALTER TABLE replay_signals ADD COLUMN url TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE replay_forms ADD COLUMN autosave INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE replay_forms ADD COLUMN saved_changes INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE replay_pages (
        session_id TEXT NOT NULL,
        window_id TEXT NOT NULL,
        page_url TEXT NOT NULL,
        url TEXT NOT NULL,
        entered_at INTEGER NOT NULL,
        left_at INTEGER NOT NULL,
        exited INTEGER NOT NULL
    )""",
    "CREATE INDEX replay_pages_session ON replay_pages (session_id)",
    "CREATE INDEX replay_pages_page ON replay_pages (page_url)",
)
# Heatmaps (issue 18): each session's clicks, rage and dead clicks binned per page (replay.detect.heat); reports sum
# them over sessions (replay.heatmaps). Sessions analysed before this table existed get rows when analysed again.
HEAT_SCHEMA = (
    """CREATE TABLE replay_heat (
        session_id TEXT NOT NULL,
        page_url TEXT NOT NULL,
        layout TEXT NOT NULL,
        kind TEXT NOT NULL,
        x_bin INTEGER NOT NULL,
        y_bin INTEGER NOT NULL,
        clicks INTEGER NOT NULL
    )""",
    "CREATE INDEX replay_heat_session ON replay_heat (session_id)",
    "CREATE INDEX replay_heat_page ON replay_heat (page_url, layout, kind)",
)
SIGNAL_COLUMNS = (
    "id", "session_id", "window_id", "kind", "timestamp", "page_url", "url", "selector", "description", "details"
)


def analyze_stored(store: ReplayStore, session_id: str, config: DetectConfig) -> SessionAnalysis | None:
    """Analyse one stored session (reading only). None when there is no such session. The detectors get the events
    as the store parses them, once each."""
    windows = store.db.read_sync(
        lambda c: c.execute("SELECT windows FROM replay_sessions WHERE session_id = ?", (session_id,)).fetchone()
    )
    if windows is None:
        return None
    return analyze_session(
        session_id, {w: store.read_events(session_id, w) for w in orjson.loads(windows[0])}, config
    )


def save_analysis(conn: Connection, analysis: SessionAnalysis, analyzed_at: float) -> None:
    """Replace the session's signals, form episodes, page views, heatmap cells and counts (inside the caller's
    write)."""
    conn.execute("DELETE FROM replay_signals WHERE session_id = ?", (analysis.session_id,))
    conn.executemany(
        f"INSERT INTO replay_signals ({', '.join(SIGNAL_COLUMNS)}) VALUES ({', '.join('?' * len(SIGNAL_COLUMNS))})",
        [(s.id, s.session_id, s.window_id, s.kind, s.timestamp, s.page_url, s.url, s.selector, s.description,
          orjson.dumps(dict(s.details)).decode()) for s in analysis.signals],
    )
    conn.execute("DELETE FROM replay_forms WHERE session_id = ?", (analysis.session_id,))
    conn.executemany(
        """INSERT INTO replay_forms (session_id, window_id, page_url, form, started_at, ended_at, submitted,
                                     fields_filled, drop_off_field, autosave, saved_changes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(analysis.session_id, f.window_id, f.page_url, f.form, f.started_at, f.ended_at, int(f.submitted),
          f.fields_filled, f.drop_off_field, int(f.autosave), f.saved_changes) for f in analysis.forms],
    )
    conn.execute("DELETE FROM replay_pages WHERE session_id = ?", (analysis.session_id,))
    conn.executemany(
        """INSERT INTO replay_pages (session_id, window_id, page_url, url, entered_at, left_at, exited)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [(analysis.session_id, v.window_id, v.page.page_url, v.page.url, v.entered_at, v.left_at, int(v.exit))
         for v in analysis.pages],
    )
    conn.execute("DELETE FROM replay_heat WHERE session_id = ?", (analysis.session_id,))
    conn.executemany(
        """INSERT INTO replay_heat (session_id, page_url, layout, kind, x_bin, y_bin, clicks)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [(analysis.session_id, c.page_url, c.layout, c.kind, c.x_bin, c.y_bin, c.clicks) for c in analysis.heat],
    )
    counts = {kind: analysis.counts.get(kind, 0) for kind in KINDS}
    conn.execute(
        "UPDATE replay_sessions SET signals = ?, score = ?, analyzed_at = ? WHERE session_id = ?",
        (orjson.dumps(counts).decode(), analysis.score, analyzed_at, analysis.session_id),
    )


async def analyze_and_save(store: ReplayStore, session_id: str, config: DetectConfig) -> SessionAnalysis | None:
    started = time.time()
    analysis = await asyncio.to_thread(analyze_stored, store, session_id, config)
    if analysis is not None:
        await store.db.write(lambda conn: save_analysis(conn, analysis, started))
    return analysis


def sessions_due(conn: Connection, idle_before: float, limit: int = 100) -> list[str]:
    """Sessions idle since before `idle_before` whose newest data has not been analysed."""
    return [row[0] for row in conn.execute(
        """SELECT session_id FROM replay_sessions
           WHERE updated_at < ? AND (analyzed_at IS NULL OR analyzed_at < updated_at)
           ORDER BY updated_at LIMIT ?""",
        (idle_before, limit),
    )]


async def analyze_idle_sessions(store: ReplayStore, config: DetectConfig, idle_s: float, stop: asyncio.Event) -> None:
    """The background loop: every so often, analyse the sessions that have gone quiet. Ends when `stop` is set."""
    interval = max(1.0, min(idle_s / 4, 30.0))
    while not stop.is_set():
        try:
            due = await store.db.read(lambda conn: sessions_due(conn, time.time() - idle_s))
            for session_id in due:
                if stop.is_set():
                    break
                await analyze_and_save(store, session_id, config)
        except Exception:  # one bad session must not stop the analysis of the others
            log.exception("replay: idle-session analysis failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def all_sessions(conn: Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT session_id FROM replay_sessions ORDER BY first_ts")]


async def signals_of(store: ReplayStore, session_id: str) -> list[dict[str, Any]]:
    def select(conn: Connection) -> list[dict[str, Any]]:
        cursor = conn.execute(
            f"SELECT {', '.join(SIGNAL_COLUMNS)} FROM replay_signals WHERE session_id = ? ORDER BY timestamp, id",
            (session_id,),
        )
        return [{**dict(zip(SIGNAL_COLUMNS, row, strict=True)), "details": orjson.loads(row[-1])} for row in cursor]

    return await store.db.read(select)
