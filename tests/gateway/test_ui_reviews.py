"""Reviews of flagged sessions: appended with who and when, the newest is the status, deleted with their sessions, and
the same checks and audit entry whether they come from the review page or the API."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway import reviews
from gateway.access import Principal
from gateway.database import Database, Migration
from replay import store as replay_store
from tests.e2e.test_replay_native import SESSIONS
from tests.gateway.test_ui_auth import NAMES, TOKENS, WRITE_KEY, csrf_of, sign_in, ui_client

SAM = Principal("sam", "support")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "db.sqlite3", reviews.MIGRATIONS)
    yield database
    database.close()


def test_the_newest_review_is_the_status_and_older_ones_are_history(db: Database) -> None:
    db.write_sync(lambda c: reviews.add(c, "s1", "reviewed", "checked the promo code bug", SAM))
    db.write_sync(lambda c: reviews.add(c, "s1", "dismissed", "duplicate of s0", Principal("kim", "support")))
    db.write_sync(lambda c: reviews.add(c, "s2", "reviewed", "", SAM))
    latest = db.read_sync(lambda c: reviews.latest(c, ["s1", "s2", "s3"]))
    assert {sid: r.status for sid, r in latest.items()} == {"s1": "dismissed", "s2": "reviewed"}
    assert latest["s1"].reviewer == "kim"
    history = db.read_sync(lambda c: reviews.history(c, "s1"))
    assert [(r.status, r.note) for r in history] == [("dismissed", "duplicate of s0"),
                                                     ("reviewed", "checked the promo code bug")]


def test_reviews_of_sessions_that_are_gone_can_be_swept(tmp_path: Path) -> None:
    database = Database(tmp_path / "swept.sqlite3", [Migration("replay-1", replay_store.SCHEMA), *reviews.MIGRATIONS])
    try:
        database.write_sync(lambda c: c.execute(
            "INSERT INTO replay_sessions (session_id, source, created_at, updated_at) VALUES ('kept', 'web', 0, 0)"))
        for sid in ("kept", "deleted"):
            database.write_sync(lambda c, sid=sid: reviews.add(c, sid, "reviewed", "", SAM))
        assert database.write_sync(reviews.delete_orphaned) == 1
        assert set(database.read_sync(lambda c: reviews.latest(c, ["kept", "deleted"]))) == {"kept"}
    finally:
        database.close()


@pytest.mark.parametrize(("status", "note", "message"), [
    ("done", "", "status must be one of reviewed, dismissed"),
    ("reviewed", "x" * (reviews.MAX_NOTE_CHARS + 1), "longer than"),
])
def test_a_bad_review_is_refused_before_anything_is_stored(status: str, note: str, message: str) -> None:
    with pytest.raises(reviews.InvalidReview, match=message):
        reviews.check(status, note)


def _ingest(client: TestClient) -> str:
    recording = json.loads(SESSIONS[0].read_text())
    auth = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    response = client.post(f"/v1/replay/{recording['session_id']}", json=recording["events"],
                           headers={"Authorization": f"Basic {auth}"})
    assert response.status_code == 200, response.text
    return recording["session_id"]


def test_a_review_from_the_session_page_is_stored_shown_and_audited_without_its_note(tmp_path: Path) -> None:
    with ui_client(tmp_path) as client:
        session_id = _ingest(client)
        sign_in(client, "support")
        page = client.get(f"/ui/sessions/{session_id}")
        response = client.post(f"/ui/sessions/{session_id}/review",
                               data={"csrf": csrf_of(page.text), "status": "dismissed", "note": "Known bug #12"})
        assert response.status_code == 303
        assert response.headers["location"] == f"/ui/sessions/{session_id}?saved=dismissed"
        shown = client.get(response.headers["location"]).text
        assert "Known bug #12" in shown and "marked dismissed" in shown

        refused = client.post(f"/ui/sessions/{session_id}/review",
                              data={"csrf": csrf_of(page.text), "status": "closed", "note": "kept"})
        assert refused.status_code == 400 and "Status must be one of" in refused.text and "kept" in refused.text

        entries = client.get("/admin/v1/audit?action=replay.review",
                             headers={"Authorization": f"Bearer {TOKENS['admin']}"}).json()["entries"]
        assert [(e["actor"], e["target"], e["details"]["status"]) for e in entries] == [
            (NAMES["support"], session_id, "dismissed")]
        assert "Known bug" not in json.dumps(entries)


def test_the_review_api_takes_the_same_reviews(tmp_path: Path) -> None:
    with ui_client(tmp_path) as client:
        session_id = _ingest(client)
        support = {"Authorization": f"Bearer {TOKENS['support']}"}
        created = client.post(f"/admin/v1/replay/sessions/{session_id}/review", headers=support,
                              json={"status": "reviewed", "note": "looked at it"})
        assert created.status_code == 201
        assert created.json() | {"at": 0, "id": 0} == {"id": 0, "session_id": session_id, "status": "reviewed",
                                                       "note": "looked at it", "reviewer": "sam", "role": "support",
                                                       "at": 0}
        listed = client.get(f"/admin/v1/replay/sessions/{session_id}/reviews", headers=support).json()["reviews"]
        assert [r["id"] for r in listed] == [created.json()["id"]]
        assert client.post(f"/admin/v1/replay/sessions/{session_id}/review", headers=support,
                           json={"status": "maybe"}).status_code == 400
        assert client.post("/admin/v1/replay/sessions/nope/review", headers=support,
                           json={"status": "reviewed"}).status_code == 404
        ux = {"Authorization": f"Bearer {TOKENS['ux']}"}
        assert client.post(f"/admin/v1/replay/sessions/{session_id}/review", headers=ux,
                           json={"status": "reviewed"}).status_code == 403


def test_a_ux_designer_watches_a_session_but_neither_reviews_it_nor_reads_its_reviews(tmp_path: Path) -> None:
    """One rule for the ux role, in the API and the pages alike: sessions are theirs to find, open and play;
    reviews are support's."""
    with ui_client(tmp_path) as client:
        session_id = _ingest(client)
        sign_in(client, "support")
        page = client.get(f"/ui/sessions/{session_id}")
        saved = client.post(f"/ui/sessions/{session_id}/review",
                            data={"csrf": csrf_of(page.text), "status": "reviewed", "note": "Known bug #12"})
        assert saved.status_code == 303, saved.text  # stored: what ux must not see is there to be seen
        assert "Known bug #12" in client.get(saved.headers["location"]).text
        signed_out = client.post("/ui/sign-out", data={"csrf": csrf_of(client.get("/ui/sessions").text)})
        assert signed_out.status_code == 303, signed_out.text

        sign_in(client, "ux")
        page = client.get(f"/ui/sessions/{session_id}")
        assert page.status_code == 200 and 'id="player"' in page.text
        assert "Save review" not in page.text and "Known bug #12" not in page.text
        refused = client.post(f"/ui/sessions/{session_id}/review",
                              data={"csrf": csrf_of(page.text), "status": "dismissed", "note": ""})
        assert refused.status_code == 403
        assert client.get("/ui/sessions").status_code == 200  # the queue, to find examples
        for path in (f"/v1/replay/sessions/{session_id}", f"/v1/replay/sessions/{session_id}/events"):
            assert client.get(f"/admin{path}", headers={"Authorization": f"Bearer {TOKENS['ux']}"}).status_code == 200
        api_review = client.post(f"/admin/v1/replay/sessions/{session_id}/review", json={"status": "dismissed"},
                                 headers={"Authorization": f"Bearer {TOKENS['ux']}"})
        assert api_review.status_code == 403
