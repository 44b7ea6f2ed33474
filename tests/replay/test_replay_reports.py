"""The UX report from stored, analysed sessions: id-less controls apart, pages by route with where sessions ended,
and autosave forms shown apart from the forms people abandon."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway import schema
from gateway.database import Database
from gateway.storage.engine import Engine
from replay import analysis
from replay.compression import Compressor
from replay.detect import DetectConfig
from replay.reports import Period, frustration_report, to_csv
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.replay.streams import E, Recording

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key

APP = "https://crm.example"
MIGRATIONS = [m for m in schema.MIGRATIONS if m.name.startswith("replay-")]  # the replay parts of the schema


@pytest.fixture
def store(database_location: Path | Engine) -> Iterator[ReplayStore]:
    db = Database(database_location, MIGRATIONS)
    yield ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY))
    db.close()


def stored_and_analysed(store: ReplayStore, recordings: dict[str, Recording]) -> dict[str, Any]:
    async def scenario() -> None:
        for session_id, rec in recordings.items():
            await store.add("web", [ChunkIn(session_id, "w", (), rec.events, summarize(rec.events))])
            await analysis.analyze_and_save(store, session_id, DetectConfig())

    asyncio.run(scenario())
    report: dict[str, Any] = store.db.read_sync(lambda conn: frustration_report(conn, Period()))
    return report


def toolbar_session() -> Recording:
    """Two id-less buttons of one class that differ only by their text; neither does anything."""
    rec = Recording()
    ids = rec.page(0, APP + "/reports/7", E("div", E("button", "Print report", ref="print", class_="btn"),
                                            E("button", "Share report", ref="share", class_="btn")))
    rec.click(1000, ids["print"])
    rec.click(5000, ids["share"])
    rec.wait(9000)
    return rec


def test_two_id_less_controls_that_differ_only_by_text_are_two_elements(store: ReplayStore) -> None:
    report = stored_and_analysed(store, {"s1": toolbar_session(), "s2": toolbar_session()})
    rows = [(row["selector"], row["description"], row["dead_clicks"], row["sessions_affected"])
            for row in report["elements"]]
    assert sorted(rows) == [
        ('button.btn:has-text("Print report")', 'button "Print report"', 2, 2),
        ('button.btn:has-text("Share report")', 'button "Share report"', 2, 2),
    ]


def spa_session(leave_settings_for: str) -> Recording:
    """Contacts, then Settings (an autosave form, two changes saved), then another route, where the session ends."""
    rec = Recording()
    ids = rec.page(0, APP + "/contacts", E("a", "Settings", ref="to_settings", href="/settings"), E("main", ref="main"))
    rec.click(2000, ids["to_settings"])
    rec.route(2020, APP + "/settings")
    settings = rec.add(2040, ids["main"], E(
        "form", E("input", ref="display_name", name="display_name"), E("span", E("span", "", ref="saved_text")),
        ref="form", class_="settings"))
    rec.type_text(3000, settings["display_name"], "Ada")
    rec.set_text(3800, settings["saved_text"], "Saved ✓")
    rec.type_text(5000, settings["display_name"], "Ada L")
    rec.set_text(5900, settings["saved_text"], "Saved ✓")
    rec.route(7000, APP + leave_settings_for)
    rec.remove(7010, settings["form"], ids["main"])
    rec.wait(9000)
    return rec


def test_pages_are_listed_by_route_with_the_sessions_that_ended_there(store: ReplayStore) -> None:
    report = stored_and_analysed(store, {"a": spa_session("/contacts/12"), "b": spa_session("/contacts/31"),
                                         "c": spa_session("/contacts")})
    pages = {row["page_url"]: (row["views"], row["sessions"], row["exits"], row["exit_rate"])
             for row in report["pages"]}
    assert pages == {
        APP + "/contacts": (4, 3, 1, round(1 / 3, 4)),
        APP + "/settings": (3, 3, 0, 0.0),
        APP + "/contacts/:id": (2, 2, 2, 1.0),
    }
    assert report["pages"][0]["page_url"] == APP + "/contacts"  # most viewed first
    assert "page_url,views,sessions,exits,exit_rate" in to_csv(report["pages"])


def test_autosave_forms_are_shown_apart_and_never_as_abandoned(store: ReplayStore) -> None:
    report = stored_and_analysed(store, {"a": spa_session("/contacts/12"), "b": spa_session("/contacts")})
    assert report["forms"] == []
    assert report["autosave_forms"] == [{"page_url": APP + "/settings", "form": "form.settings:nth-of-type(1)",
                                         "episodes": 2, "sessions": 2, "changes_saved": 4}]
    assert all(row["form_abandonments"] == 0 for row in report["pages"])
