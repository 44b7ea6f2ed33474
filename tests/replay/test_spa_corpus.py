"""fixtures/spa-corpus: labelled recordings of a single-page admin app (real rrweb 2.2.2 in headless Chromium).

These tests hold the corpus to its format and its labels to DESIGN.md's definitions (tests/replay/label_rules.py
re-derives every click episode from the events). They say nothing about how well the detectors do on it:
`python bench/detect_eval.py fixtures/spa-corpus` prints that.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from replay.detect.evaluation import parse_compound, read_labelled_session
from replay.urls import normalize_page_url
from tests.replay.label_rules import KINDS, check_session

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "spa-corpus"
FILES = sorted(CORPUS.glob("sess_*.json"))
APP = "http://127.0.0.1:8766/"
LABEL_KEYS = {"kind", "t_start_ms", "t_end_ms", "selector", "page_url"}
# Checkbox and radio Input events carry the element's value attribute, which maskAllInputs leaves alone.
CHOICE_VALUES = ("on", "daily", "weekly", "never", "low", "normal", "urgent")
_AT = re.compile(r" @(\d+)$")


@cache
def load(path: Path) -> dict[str, Any]:
    return dict(orjson.loads(path.read_bytes()))


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    return dict(orjson.loads((CORPUS / "manifest.json").read_bytes()))


def all_labels() -> list[dict[str, Any]]:
    return [label for path in FILES for label in load(path)["labels"]]


def all_negatives() -> list[str]:
    return [n for path in FILES for n in load(path)["negatives"]]


def test_the_corpus_is_there_and_small() -> None:
    assert len(FILES) >= 25
    assert [s["file"] for s in manifest()["sessions"]] == [p.name for p in sorted(FILES, key=_manifest_order)]
    assert sum(p.stat().st_size for p in FILES) < 3_300_000
    counts = {kind: sum(1 for label in all_labels() if label["kind"] == kind) for kind in KINDS}
    assert sum(counts.values()) >= 40
    assert min(counts["rage_click"], counts["dead_click"], counts["form_abandonment"]) >= 8


def _manifest_order(path: Path) -> int:
    return [s["file"] for s in manifest()["sessions"]].index(path.name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_session_is_well_formed(path: Path) -> None:
    session = load(path)
    events = session["events"]
    assert session["session_id"] == path.stem
    assert session["variant"] in ("default", "maskAllInputs")
    times = [e["timestamp"] for e in events]
    assert times == sorted(times)
    metas = [i for i, e in enumerate(events) if e["type"] == 4]
    assert metas and metas[0] == 0
    assert all(events[i + 1]["type"] == 2 for i in metas), "every page load starts with Meta then FullSnapshot"
    for label in session["labels"]:
        assert set(label) == LABEL_KEYS
        assert label["kind"] in KINDS
        assert times[0] <= label["t_start_ms"] <= label["t_end_ms"] <= times[-1]
        assert label["page_url"].startswith(APP + "app/") and normalize_page_url(label["page_url"])
        assert parse_compound(label["selector"]) is not None
    for negative in session["negatives"]:
        at = _AT.search(negative)
        assert at and times[0] <= int(at.group(1)) <= times[-1], negative


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_labels_agree_with_the_recorded_events(path: Path) -> None:
    assert check_session(load(path)) == []


def test_the_evaluation_reads_every_session() -> None:
    for path in FILES:
        session = read_labelled_session(load(path))
        assert session.session_id == path.stem and session.events
        assert [label.kind for label in session.labels] == [label["kind"] for label in load(path)["labels"]]


def test_every_label_is_on_a_page_the_recording_names() -> None:
    """The app routes with pushState: its pages are named by rrweb custom events `$url_changed`, as posthog-js does
    it, besides the Meta of each page load. A label's page_url is the address-bar URL of one of them."""
    for path in FILES:
        events = load(path)["events"]
        named = {e["data"]["href"] for e in events if e["type"] == 4} | {
            e["data"]["payload"]["href"] for e in events if e["type"] == 5 and e["data"]["tag"] == "$url_changed"
        }
        assert {label["page_url"] for label in load(path)["labels"]} <= named
    routes = sum(1 for p in FILES for e in load(p)["events"] if e["type"] == 5)
    loads = sum(1 for p in FILES for e in load(p)["events"] if e["type"] == 4)
    assert routes > loads, "most page changes are route changes, not page loads"


def test_masked_sessions_hold_no_typed_text() -> None:
    masked = [p for p in FILES if load(p)["variant"] == "maskAllInputs"]
    assert len(masked) >= 8
    for path in masked:
        typed = [e["data"]["text"] for e in load(path)["events"] if e["type"] == 3 and e["data"]["source"] == 5]
        assert all(set(text) <= {"*"} or text in CHOICE_VALUES for text in typed)


def test_phone_sessions_tap_and_desktop_sessions_click() -> None:
    by_file = {s["file"]: s for s in manifest()["sessions"]}
    for path in FILES:
        pointer = {
            e["data"].get("pointerType")
            for e in load(path)["events"]
            if e["type"] == 3 and e["data"]["source"] == 2 and e["data"]["type"] == 2
        }
        assert pointer == ({2} if by_file[path.name]["touch"] else {0}), path.name
    assert sum(1 for s in manifest()["sessions"] if s["touch"]) >= 6


@pytest.mark.parametrize(
    ("behaviour", "at_least"),
    [
        ("autosave form", 5),  # left by a route change or open at the end: never abandonment
        ("submitted (sent with fetch", 6),  # fetch-submitted forms, confirmed in place or by a new route
        ("slow control", 4),  # answered after 1.8-2.2 s: not dead
        ("more than 1000 ms apart: not rage", 3),
        ("40 px apart on different elements: not rage", 2),
        ("each changes the page: not rage", 6),  # pagers, steppers
        ("focus only", 2),
        ("opens elsewhere: not dead", 2),  # a download, a new tab
        ("pushState route change", 20),
        ("full page load", 2),
        ("outside any form", 1),
    ],
)
def test_the_control_behaviours_are_there(behaviour: str, at_least: int) -> None:
    assert sum(behaviour in n for n in all_negatives()) >= at_least


def test_the_evaluation_bench_runs_on_this_corpus() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "detect_eval.py"), str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert f"({len(FILES)} sessions, {len(all_labels())} labels" in done.stdout
