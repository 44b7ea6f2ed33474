"""Support agents' reviews of flagged replay sessions: reviewed or dismissed, with a note, by whom and when.

Reviews are appended, never edited: the newest one is the session's status, the older ones are its history (an agent
may dismiss a session a colleague had marked reviewed, and both decisions stay visible). A session with no review is
open. The API (`POST /admin/v1/replay/sessions/{id}/review`, gateway.reviews_api) and the review queue page both go
through `submit`, so the checks, the write and the audit entry are the same whichever way a review arrives.

Notes are free text typed by staff and may mention the person recorded, so they are deleted with the session (deletion
requests and retention sweep the reviews of sessions that are gone: `delete_orphaned`) and never copied into the audit
log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from gateway.access import Principal
from gateway.audit import AuditLog
from gateway.database import Database, Migration
from gateway.storage.connection import Connection
from replay.store import ReplayStore

STATUSES = ("reviewed", "dismissed")
MAX_NOTE_CHARS = 2000

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
        postgres=(
            """CREATE TABLE replay_reviews (
                id BIGSERIAL PRIMARY KEY,
                session_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('reviewed', 'dismissed')),
                note TEXT NOT NULL,
                reviewer TEXT NOT NULL,
                role TEXT NOT NULL,
                at DOUBLE PRECISION NOT NULL
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


def add(conn: Connection, session_id: str, status: str, note: str, principal: Principal) -> Review:
    """Append a review (inside the caller's write)."""
    at = time.time()
    [review_id] = conn.execute(
        "INSERT INTO replay_reviews (session_id, status, note, reviewer, role, at) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        (session_id, status, note, principal.name, principal.role, at),
    ).fetchone()
    return Review(review_id, session_id, status, note, principal.name, principal.role, at)


def latest(conn: Connection, session_ids: Iterable[str]) -> dict[str, Review]:
    """The current review of each session that has one (sessions without a review are open)."""
    ids = list(dict.fromkeys(session_ids))
    result: dict[str, Review] = {}
    for start in range(0, len(ids), 500):  # bounded statements (SQLite's limit on bound parameters)
        part = ids[start:start + 500]
        cursor = conn.execute(
            f"""SELECT {', '.join(COLUMNS)} FROM replay_reviews
                WHERE id IN (SELECT max(id) FROM replay_reviews WHERE session_id IN ({', '.join('?' * len(part))})
                             GROUP BY session_id)""",
            part,
        )
        result.update((review.session_id, review) for review in map(_row, cursor))
    return result


def history(conn: Connection, session_id: str) -> list[Review]:
    """Every review of the session, newest first."""
    cursor = conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM replay_reviews WHERE session_id = ? ORDER BY id DESC", (session_id,)
    )
    return [_row(row) for row in cursor]


def delete_for(conn: Connection, sessions: Sequence[str]) -> int:
    """Remove the reviews of `sessions` (being deleted: their notes may describe the person recorded)."""
    return sum(conn.execute("DELETE FROM replay_reviews WHERE session_id = ?", (session_id,)).rowcount
               for session_id in sessions)


def delete_orphaned(conn: Connection) -> int:
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


async def submit(db: Database, sessions: ReplayStore, audit: AuditLog, principal: Principal, session_id: str,
                 status: str, note: str, scrub: Callable[[str], str]) -> Review:
    """Check, store and audit a review of one of `sessions`. Raises InvalidReview or NoSuchSession. The note is
    free text that may name the person recorded: it is stored as `scrub` (the policy's PII engine) leaves it."""
    status, note = check(status, note)
    note = scrub(note)
    if await sessions.session(session_id) is None:
        raise NoSuchSession(session_id)

    def write(conn: Connection) -> Review:
        review = add(conn, session_id, status, note, principal)
        # The note stays out of the audit log: it is free text that may describe the person recorded.
        audit.append(conn, principal.name, principal.role, "replay.review", session_id,
                             {"status": status, "review_id": review.id})
        return review

    return await db.write(write)
