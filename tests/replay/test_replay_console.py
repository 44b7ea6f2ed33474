"""replay/console.py: the console and network timeline shown beside the player, on a real recording and on the shapes
posthog-js and older rrweb recorders write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from replay.console import MAX_ENTRIES, timeline
from replay.detect import DetectConfig, analyze_session

# A real rrweb recording (fixtures/spa-corpus): creating a customer, a "Save" whose handler throws.
RECORDING = Path(__file__).resolve().parents[2] / "fixtures" / "spa-corpus" / "sess_d91f95373fc8.json"


def console(ts: int, level: str, *args: str, plugin: bool = True) -> dict[str, Any]:
    fields = {"level": level, "payload": [orjson.dumps(a).decode() for a in args], "trace": ["save (app.js:3:9)"]}
    if plugin:
        return {"type": 6, "timestamp": ts, "data": {"plugin": "rrweb/console@1", "payload": fields}}
    return {"type": 3, "timestamp": ts, "data": {"source": 11, **fields}}


def test_the_error_of_an_error_click_is_marked_with_the_element_clicked() -> None:
    events = orjson.loads(RECORDING.read_bytes())["events"]
    analysis = analyze_session("s", {"w": events}, DetectConfig())
    [error_click] = [s.to_dict() for s in analysis.signals if s.kind == "error_click"]

    found = timeline(events, [error_click])

    [entry] = found["entries"]
    assert entry["kind"] == "console" and entry["level"] == "error"
    assert entry["message"] == "Uncaught TypeError: Cannot read properties of null (reading 'focus')"
    assert entry["source"] == "HTMLButtonElement.onclick (http://127.0.0.1:8766/static/app.js:275:98)"
    assert entry["timestamp"] == error_click["timestamp"] + error_click["details"]["time_to_error_ms"]
    assert entry["error_click"] == error_click["description"] and entry["signal_id"] == error_click["id"]
    assert found["counts"] == {"console_error": 1} and not found["truncated"]


def test_levels_arguments_and_older_rrweb_log_records() -> None:
    events = [console(1, "log", "cart", "3 items"), console(2, "warn", "slow", plugin=False), console(3, "bogus", "x")]
    entries = timeline(events)["entries"]
    assert [(e["level"], e["message"]) for e in entries] == [("log", "cart 3 items"), ("warn", "slow")]


def test_posthog_network_records_become_requests_with_status_and_duration() -> None:
    requests = [
        {"name": "https://shop.example/api/cart", "method": "post", "status": 500, "startTime": 100, "endTime": 340,
         "timestamp": 1_000_100, "initiatorType": "fetch"},
        {"name": "https://shop.example/app.css", "duration": 12.4, "initiatorType": "link", "timestamp": 1_000_001},
        {"name": "total", "entryType": "serverTiming", "timestamp": 1_000_100, "duration": 3},
    ]
    event = {"type": 6, "timestamp": 1_000_400,
             "data": {"plugin": "rrweb/network@1", "payload": {"requests": requests}}}
    entries = timeline([event])["entries"]
    assert [(e["message"], e["level"], e["status"], e["duration_ms"]) for e in entries] == [
        ("GET https://shop.example/app.css", "info", None, 12),
        ("POST https://shop.example/api/cart", "error", 500, 240),
    ]


def test_a_page_that_logs_in_a_loop_gives_a_bounded_timeline_that_says_so() -> None:
    events = [console(i, "log", f"tick {i}") for i in range(MAX_ENTRIES + 50)]
    found = timeline(events)
    assert len(found["entries"]) == MAX_ENTRIES
    assert found["total"] == MAX_ENTRIES + 50 and found["truncated"]


def test_odd_events_are_skipped() -> None:
    odd = [None, {"type": 6}, {"type": 6, "timestamp": "x", "data": {}},
           {"type": 6, "timestamp": 1, "data": {"plugin": "rrweb/network@1", "payload": {"requests": [1, {}]}}},
           {"type": 6, "timestamp": 1, "data": {"plugin": "rrweb/console@1", "payload": "x"}}]
    assert timeline(odd)["entries"] == []
