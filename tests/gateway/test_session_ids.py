"""Session ids in URLs: new ones are kept to a safe alphabet at ingest, and every stored one can be opened.

A session id becomes a segment of the links that open it. Ingest refuses ids outside
`[A-Za-z0-9][A-Za-z0-9._:-]{0,127}` with a 400 in the endpoint's shape (JSON on the native endpoint, plain text on
PostHog's `/s/`), storing nothing. Recordings stored before that rule may have any id, `/` included: the API and the
pages accept the id percent-encoded, so such a session is listed and opens too.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from replay.shredding import KeyRing, open_chunk
from tests.e2e.test_replay_native import SESSIONS
from tests.gateway.test_ui_auth import TOKENS, WRITE_KEY, csrf_of, sign_in, ui_client

AUTH = {"Authorization": "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()}


def recording() -> dict[str, Any]:
    return json.loads(SESSIONS[0].read_text())


SUPPORT = {"Authorization": f"Bearer {TOKENS['support']}"}


def stored_sessions(client: TestClient) -> list[str]:
    answer = client.get("/admin/v1/replay/sessions?limit=500", headers=SUPPORT)
    assert answer.status_code == 200, answer.text
    return [s["session_id"] for s in answer.json()["sessions"]]


@pytest.mark.parametrize("session_id", ["shop%2Forders", "jane%40example.com", ".hidden", "a%20b", "x" * 129])
def test_the_native_endpoint_refuses_an_unsafe_session_id_and_stores_nothing(tmp_path: Path, session_id: str) -> None:
    with ui_client(tmp_path) as client:
        answer = client.post(f"/v1/replay/{session_id}", json=recording()["events"], headers=AUTH)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"error": "invalid_request", "message": "session id must be 1-128 characters of "
                                 "A-Z a-z 0-9 . _ : -, starting with a letter or digit"}
        assert stored_sessions(client) == []


def test_posthogs_endpoint_refuses_a_session_id_with_a_slash_in_its_own_shape(tmp_path: Path) -> None:
    events = recording()["events"]
    snapshot = {"event": "$snapshot", "properties": {"token": WRITE_KEY, "$session_id": "checkout/step-2",
                                                     "$window_id": "w1", "$snapshot_data": events}}
    with ui_client(tmp_path) as client:
        answer = client.post("/s/", content=json.dumps([snapshot]), headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.text == "[0].properties.$session_id must be 1-128 characters of A-Z a-z 0-9 . _ : -, " \
                              "starting with a letter or digit"
        assert stored_sessions(client) == []


def test_uuids_and_prefixed_ids_are_accepted(tmp_path: Path) -> None:
    with ui_client(tmp_path) as client:
        ids = ["0190c2b1-7f3e-7cc1-9a51-1f0c3e2a9b7d", "sess_02a63e2b6df8", "tab:1.2"]
        for session_id in ids:
            assert client.post(f"/v1/replay/{session_id}", json=recording()["events"], headers=AUTH).status_code == 200
        assert sorted(stored_sessions(client)) == ids


def rename_session(data_dir: Path, old: str, new: str) -> None:
    """What a gateway from before the rule could have stored: the same recording under an id with a `/`. That gateway
    did not seal chunks either (sealing binds the session id), so its chunks are left as it left them: compressed,
    with no key."""
    (database,) = data_dir.glob("*.sqlite3")
    ring = KeyRing(bytes.fromhex((data_dir / "master.key").read_text().strip()))
    conn = sqlite3.connect(database)
    with conn:
        sealed = conn.execute(
            "SELECT c.id, c.key_id, c.digest, c.dictionary_id, b.data FROM replay_chunks c"
            " JOIN replay_blobs b ON b.chunk_id = c.id WHERE c.session_id = ?", (old,)).fetchall()
        for chunk_id, key_id, digest, dictionary_id, data in sealed:
            compressed = open_chunk(ring.key(conn, key_id), chunk_id, old, digest, dictionary_id, data)
            conn.execute("UPDATE replay_blobs SET data = ? WHERE chunk_id = ?", (compressed, chunk_id))
            conn.execute("UPDATE replay_chunks SET key_id = NULL WHERE id = ?", (chunk_id,))
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            if "session_id" in columns:
                conn.execute(f"UPDATE {table} SET session_id = ? WHERE session_id = ?", (new, old))
    conn.close()


def test_a_stored_session_whose_id_holds_a_slash_is_listed_and_opens(tmp_path: Path) -> None:
    legacy = "checkout/step-2"
    original = recording()
    with ui_client(tmp_path) as client:
        assert client.post(f"/v1/replay/{original['session_id']}", json=original["events"],
                           headers=AUTH).status_code == 200
    rename_session(tmp_path, original["session_id"], legacy)

    with ui_client(tmp_path) as client:
        assert stored_sessions(client) == [legacy]
        encoded = quote(legacy, safe="")
        api = "/admin/v1/replay/sessions/" + encoded
        assert client.get(api, headers=SUPPORT).json()["session_id"] == legacy
        events = client.get(api + "/events", headers=SUPPORT)
        assert events.status_code == 200 and len(events.json()) == len(original["events"])
        assert client.get(api + "/signals", headers=SUPPORT).status_code == 200
        assert client.get(api + "/reviews", headers=SUPPORT).json() == {"reviews": []}

        sign_in(client, "support")
        page = client.get(f"/ui/sessions/{encoded}")
        assert page.status_code == 200 and legacy in page.text
        assert client.get(f"/ui/sessions/{encoded}/events").json() == events.json()
        saved = client.post(f"/ui/sessions/{encoded}/review",
                            data={"csrf": csrf_of(page.text), "status": "reviewed", "note": "fine"})
        assert saved.status_code == 303 and saved.headers["location"] == f"/ui/sessions/{encoded}?saved=reviewed"
        reviews = client.get(api + "/reviews", headers=SUPPORT).json()["reviews"]
        assert [(r["session_id"], r["status"]) for r in reviews] == [(legacy, "reviewed")]
