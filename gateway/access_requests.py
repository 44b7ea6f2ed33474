"""Access requests as a compliance officer handles them: filed with a reference and a legal due date, followed until
the export has been downloaded for the person, and shown overdue when it has not been by then.

    POST /admin/v1/privacy/access-requests         {"identifiers": {"email": "a@b.c"}, "reference": "ticket 4711"}
    GET  /admin/v1/privacy/access-requests         -> {"requests": [...], "response_days": 30}   newest first
    GET  /admin/v1/privacy/access-requests/{id}    -> one, with what the export holds (counts per store)
    GET  /admin/v1/privacy/access-requests/{id}/export   -> the export (JSON, an attachment); marks it delivered

A request keeps the keyed hashes of the identifiers it was filed with, never the identifiers; the export is collected
from them when it is downloaded (privacy_api.collect_subject: what `POST /privacy/subjects/export` answers), so the
gateway keeps no second copy of the person's data and the download is current. Due: `[privacy] response_days` after
filing (30 by default, GDPR's one month). Filing, reading and downloading are audited, without the identifiers.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from gateway.storage.connection import Connection
from gateway.storage.migrations import tables

DAY_S = 86400.0
MAX_REFERENCE = 200

MIGRATIONS = (
    tables(
        "access-requests-1",
        (
            """CREATE TABLE access_requests (
                id TEXT PRIMARY KEY,
                created_at REAL NOT NULL,
                requested_by TEXT NOT NULL,
                reference TEXT NOT NULL,
                due_at REAL NOT NULL,
                delivered_at REAL,
                delivered_by TEXT,
                downloads INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE access_request_subjects (
                request_id TEXT NOT NULL,
                subject TEXT NOT NULL,
                PRIMARY KEY (request_id, subject)
            ) WITHOUT ROWID""",
        ),
    ),
)
COLUMNS = ("id", "created_at", "requested_by", "reference", "due_at", "delivered_at", "delivered_by", "downloads")


def describe(row: tuple[Any, ...], now: float) -> dict[str, Any]:
    """A request as the API shows it: `status` is `open` until the export was downloaded, then `delivered`;
    `overdue` while open past the due date (and `delivered_late` once delivered after it)."""
    item = dict(zip(COLUMNS, row, strict=True))
    delivered = item["delivered_at"]
    item["status"] = "delivered" if delivered is not None else "open"
    item["overdue"] = delivered is None and now > item["due_at"]
    item["delivered_late"] = delivered is not None and delivered > item["due_at"]
    # Whole days, toward zero: 9.9 left is "9 days left", 3.1 past is "3 days late".
    item["days_left"] = int((item["due_at"] - now) / DAY_S) if delivered is None else None
    return item


def subjects(conn: Connection, request_id: str) -> set[str]:
    return {row[0] for row in conn.execute("SELECT subject FROM access_request_subjects WHERE request_id = ?",
                                           (request_id,))}


def one(conn: Connection, request_id: str) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM access_requests WHERE id = ?", (request_id,)).fetchone()
    return row


def create(conn: Connection, hashes: list[str], requested_by: str, reference: str, response_days: int
           ) -> str:
    """File a request for the subject of `hashes` (inside the caller's write). Returns its id."""
    request_id = "acc_" + secrets.token_hex(8)
    now = time.time()
    conn.execute("INSERT INTO access_requests (id, created_at, requested_by, reference, due_at) VALUES (?, ?, ?, ?, ?)",
                 (request_id, now, requested_by, reference, now + response_days * DAY_S))
    conn.executemany("INSERT INTO access_request_subjects (request_id, subject) VALUES (?, ?)",
                     [(request_id, h) for h in hashes])
    return request_id


def newest(conn: Connection, limit: int = 500) -> list[tuple[Any, ...]]:
    return conn.execute(f"SELECT {', '.join(COLUMNS)} FROM access_requests ORDER BY created_at DESC LIMIT ?",
                        (limit,)).fetchall()


def delivered(conn: Connection, request_id: str, by: str, at: float) -> None:
    """A download of the export: the first one marks the request delivered (inside the caller's write)."""
    conn.execute("UPDATE access_requests SET downloads = downloads + 1, delivered_at = coalesce(delivered_at, ?), "
                 "delivered_by = coalesce(delivered_by, ?) WHERE id = ?", (at, by, request_id))
