"""Support agents' reviews of flagged replay sessions: reviewed or dismissed, with a note, by whom and when.

Reviews are appended, never edited: the newest one is the session's status, the older ones are its history (an agent
may dismiss a session a colleague had marked reviewed, and both decisions stay visible). A session with no review is
open. The API (`POST /admin/v1/replay/sessions/{id}/review`) and the review queue page both go through `submit`, so
the checks, the write and the audit entry are the same whichever way a review arrives.

Notes are free text typed by staff and may mention the person recorded, so they are deleted with the session (deletion
requests and retention sweep the reviews of sessions that are gone: `delete_orphaned`) and never copied into the audit
log.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.access import Principal, admin_route
from gateway.admin_request import audit
from gateway.database import Migration

if TYPE_CHECKING:
    from gateway.app import Gateway

STATUSES = ("reviewed", "dismissed")
MAX_NOTE_CHARS = 2000
REVIEW_ROLES = ("support",)

MIGRATIONS = (
    Migration(
        "reviews-1",
        (
            """CREATE TABLE replay_reviews (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('reviewed', 'dismissed')),
                note TEXT NOT NULL,
                reviewer TEXT NOT NULL,
                role TEXT NOT NULL,
                at REAL NOT NULL
            )""",
            "CREATE INDEX replay_reviews_session ON replay_reviews (session_id, id)",
        ),
    ),
)
COLUMNS = ("id", "session_id", "status", "note", "reviewer", "role", "at")


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    session_id: str
    status: str
    note: str
    reviewer: str
    role: str
    at: float  # epoch seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class InvalidReview(ValueError):
    """A review the caller must correct: unknown status, or a note too long."""


class NoSuchSession(LookupError):
    pass


def _row(row: tuple[Any, ...]) -> Review:
    return Review(*row)


def add(conn: sqlite3.Connection, session_id: str, status: str, note: str, principal: Principal) -> Review:
    """Append a review (inside the caller's write)."""
    at = time.time()
    cursor = conn.execute(
        "INSERT INTO replay_reviews (session_id, status, note, reviewer, role, at) VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, status, note, principal.name, principal.role, at),
    )
    assert cursor.lastrowid is not None  # an INSERT that stored a row
    return Review(cursor.lastrowid, session_id, status, note, principal.name, principal.role, at)


def latest(conn: sqlite3.Connection, session_ids: Iterable[str]) -> dict[str, Review]:
    """The current review of each session that has one (sessions without a review are open)."""
    ids = list(dict.fromkeys(session_ids))
    result: dict[str, Review] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[start:start + 500]
        cursor = conn.execute(
            f"""SELECT {', '.join(COLUMNS)} FROM replay_reviews
                WHERE id IN (SELECT max(id) FROM replay_reviews WHERE session_id IN ({', '.join('?' * len(part))})
                             GROUP BY session_id)""",
            part,
        )
        result.update((review.session_id, review) for review in map(_row, cursor))
    return result


def history(conn: sqlite3.Connection, session_id: str) -> list[Review]:
    """Every review of the session, newest first."""
    cursor = conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM replay_reviews WHERE session_id = ? ORDER BY id DESC", (session_id,)
    )
    return [_row(row) for row in cursor]


def delete_orphaned(conn: sqlite3.Connection) -> int:
    """Remove the reviews of sessions that no longer exist, however they went (deletion request, retention)."""
    return conn.execute(
        "DELETE FROM replay_reviews WHERE session_id NOT IN (SELECT session_id FROM replay_sessions)"
    ).rowcount


def check(status: str, note: str) -> tuple[str, str]:
    """The status and the note as stored, or InvalidReview saying what is wrong."""
    if status not in STATUSES:
        raise InvalidReview(f"status must be one of {', '.join(STATUSES)}")
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidReview(f"the note is longer than {MAX_NOTE_CHARS} characters")
    return status, note


async def submit(gateway: Gateway, principal: Principal, session_id: str, status: str, note: str) -> Review:
    """Check, store and audit a review. Raises InvalidReview or NoSuchSession."""
    status, note = check(status, note)
    if await gateway.replay.store.session(session_id) is None:
        raise NoSuchSession(session_id)

    def write(conn: sqlite3.Connection) -> Review:
        review = add(conn, session_id, status, note, principal)
        # The note stays out of the audit log: it is free text that may describe the person recorded.
        gateway.audit.append(conn, principal.name, principal.role, "replay.review", session_id,
                             {"status": status, "review_id": review.id})
        return review

    return await gateway.db.write(write)


# -- API --------------------------------------------------------------------------------------------------------------


async def post_review(request: Request) -> Response:
    """`POST /admin/v1/replay/sessions/{session_id}/review` with `{"status": "reviewed"|"dismissed", "note": "..."}`:
    201 with the review; 400 for a bad body, 404 for an unknown session."""
    gateway: Gateway = request.app.state.gateway
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        body = None
    if not (isinstance(body, dict) and isinstance(body.get("status"), str) and isinstance(body.get("note", ""), str)):
        return JSONResponse({"error": "invalid_request",
                             "message": 'send {"status": "reviewed"|"dismissed", "note": "..."}'}, status_code=400)
    try:
        review = await submit(gateway, request.state.principal, request.path_params["session_id"], body["status"],
                              body.get("note", ""))
    except InvalidReview as error:
        return JSONResponse({"error": "invalid_request", "message": str(error)}, status_code=400)
    except NoSuchSession:
        return JSONResponse({"error": "not_found", "message": "no such session"}, status_code=404)
    return JSONResponse(review.to_dict(), status_code=201)


async def get_reviews(request: Request) -> Response:
    """`GET /admin/v1/replay/sessions/{session_id}/reviews`: the session's reviews, newest first."""
    gateway: Gateway = request.app.state.gateway
    session_id = request.path_params["session_id"]
    if await gateway.replay.store.session(session_id) is None:
        return JSONResponse({"error": "not_found", "message": "no such session"}, status_code=404)
    await audit(request, "replay.read_reviews", session_id)
    found = await gateway.db.read(lambda conn: history(conn, session_id))
    return JSONResponse({"reviews": [review.to_dict() for review in found]})


def admin_routes() -> list[Route]:
    return [
        admin_route("/v1/replay/sessions/{session_id}/review", post_review, roles=REVIEW_ROLES, methods=("POST",)),
        admin_route("/v1/replay/sessions/{session_id}/reviews", get_reviews, roles=REVIEW_ROLES),
    ]
