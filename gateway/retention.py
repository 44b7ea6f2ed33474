"""Purging what the retention policy says has expired: on a schedule inside the server, and by `privacy-gateway purge`.

Each category is purged in batches (short transactions, so ingest is never held up for long) until nothing older than
its cutoff is left. Deleted rows are overwritten (secure_delete) and the WAL is truncated at the end, so purged data
does not linger in free pages or in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from gateway import audit, reviews
from gateway.storage.connection import Connection
from policies.retention import CATEGORIES, Retention

if TYPE_CHECKING:
    from gateway.database import Database
    from replay.store import ReplayStore

log = logging.getLogger("gateway.retention")

BATCH = 500
PURGED_WITHIN_S = 10.0  # how long a purge waits for readers to let the log be emptied
Progress = Callable[[str, int], None]  # (category, rows purged in this batch)


def _batch(category: str, cutoff: float, replay: ReplayStore | None) -> Callable[[Connection], int]:
    """One batch of `category` older than `cutoff`, as a write function returning how many went."""

    def delete_where(table: str, column: str) -> Callable[[Connection], int]:
        if table == "delivery_log":
            # No key column: up to the time of the BATCH-th oldest expired row, read from the time's index (a tie at
            # that time goes in the same batch).
            return lambda conn: conn.execute(
                f"""DELETE FROM {table} WHERE {column} <= (SELECT max({column}) FROM (
                        SELECT {column} FROM {table} WHERE {column} < ? ORDER BY {column} LIMIT ?) AS oldest)""",
                (cutoff, BATCH),
            ).rowcount
        return lambda conn: conn.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {column} < ? LIMIT ?)", (cutoff, BATCH),
        ).rowcount

    if category == "replay":
        def replay_batch(conn: Connection) -> int:
            expired = [r[0] for r in conn.execute(
                "SELECT session_id FROM replay_sessions WHERE updated_at < ? LIMIT ?", (cutoff, BATCH // 10))]
            deleted = replay.delete_sessions(conn, expired) if replay is not None else 0
            reviews.delete_orphaned(conn)
            return deleted
        return replay_batch
    if category == "audit_log":
        return lambda conn: audit.purge_before(conn, cutoff, BATCH)
    if category == "receipt":
        def receipts(conn: Connection) -> int:
            expired = [r[0] for r in conn.execute(
                """SELECT id FROM deletion_requests WHERE status IN ('completed', 'failed') AND completed_at < ?
                   LIMIT ?""", (cutoff, BATCH))]
            for deletion_id in expired:
                conn.execute("DELETE FROM deletion_calls WHERE deletion_id = ?", (deletion_id,))
                conn.execute("DELETE FROM deletion_requests WHERE id = ?", (deletion_id,))
            return len(expired)
        return receipts
    table, column = {
        "delivery_log": ("delivery_log", "delivered_at"),
        "dead_letter": ("dead_letters", "failed_at"),
        "sink": ("sink_events", "delivered_at"),
        "consent_history": ("consent_history", "received_at"),
        "plan_violation": ("plan_violations", "at"),
    }[category]
    return delete_where(table, column)


async def purge(db: Database, retention: Retention, replay: ReplayStore | None, now: float | None = None,
                progress: Progress | None = None) -> dict[str, int]:
    """Delete everything expired at `now` (default: the clock). Returns rows (sessions for replay) per category."""
    now = time.time() if now is None else now
    purged = {}
    for category in CATEGORIES:
        write = _batch(category, retention.cutoff(category, now), replay)
        total = 0
        while True:
            n = await db.write(write)
            total += n
            if progress is not None:
                progress(category, n)
            if n == 0:
                break
        purged[category] = total
    if replay is not None:
        await replay.sweep()  # objects whose last chunk expired go now (replay.object_index)
    if not await db.checkpoint_fully(PURGED_WITHIN_S):  # the next purge's checkpoint empties it
        log.warning("purge: a reader held the database's log; purged pages stay in it until the next checkpoint")
    return purged


async def purge_periodically(db: Database, retention: Retention, replay: ReplayStore | None,
                             stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            purged = await purge(db, retention, replay)
            if any(purged.values()):
                log.info("retention: purged %s", ", ".join(f"{k} {v}" for k, v in purged.items() if v))
        except Exception:  # try again next round
            log.exception("retention: purge failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), retention.purge_interval_s)
