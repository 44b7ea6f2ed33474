"""Fractional timestamps: rrweb's are epoch milliseconds, and a float is a valid one (replay.ingest.validate_event
accepts it). A recording of such events is stored by both ingest endpoints, its session's span as sent. (The summary
that keeps the span runs compiled, where an annotation narrower than the data refused it with a 500.)"""

from __future__ import annotations

import json
from pathlib import Path

from tests.gateway.test_session_ids import AUTH, SUPPORT, recording
from tests.gateway.test_ui_auth import WRITE_KEY, ui_client


def test_a_recording_with_fractional_timestamps_is_stored_by_both_endpoints_with_its_span_as_sent(
        tmp_path: Path) -> None:
    events = [{**event, "timestamp": event["timestamp"] + 0.5} for event in recording()["events"]]
    first, last = min(e["timestamp"] for e in events), max(e["timestamp"] for e in events)
    snapshot = {"event": "$snapshot", "properties": {"token": WRITE_KEY, "$session_id": "fractional-posthog",
                                                     "$window_id": "w1", "$snapshot_data": events}}
    with ui_client(tmp_path) as client:
        answer = client.post("/v1/replay/fractional-native", json=events, headers=AUTH)
        assert answer.status_code == 200, answer.text
        assert answer.json()["stored"] == 1
        answer = client.post("/s/", content=json.dumps([snapshot]), headers={"Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        for session_id in ("fractional-native", "fractional-posthog"):
            session = client.get(f"/admin/v1/replay/sessions/{session_id}", headers=SUPPORT)
            assert session.status_code == 200, session.text
            assert (session.json()["first_ts"], session.json()["last_ts"]) == (first, last)
