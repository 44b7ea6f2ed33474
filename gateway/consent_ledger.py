"""The consent ledger: every consent record ever received (append-only history), and the current state per subject.

Subjects are identifier hashes (see gateway.identity). A record made for one identifier applies to every identifier
linked to it, and when a new link is learned, the known state is carried across it, so consent given under an anonymous
id holds for the user id after identify or alias. The current state is also kept in memory: it is read for every event.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from gateway.database import Database, Migration

MIGRATIONS = (
    Migration(
        "consent-1",
        (
            """CREATE TABLE consent_history (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subject TEXT NOT NULL,
                granted TEXT NOT NULL,
                denied TEXT NOT NULL,
                occurred_at REAL NOT NULL,
                received_at REAL NOT NULL,
                source TEXT NOT NULL,
                via TEXT NOT NULL
            )""",
            "CREATE INDEX consent_history_subject ON consent_history (subject)",
            """CREATE TABLE consent_state (
                subject TEXT NOT NULL,
                purpose TEXT NOT NULL,
                granted INTEGER NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (subject, purpose)
            ) WITHOUT ROWID""",
        ),
    ),
)

State = dict[str, tuple[bool, float]]  # purpose -> (granted, when it was decided)


@dataclass(frozen=True)
class Recorded:
    subjects: int  # identifier hashes the record was applied to
    withdrawn: frozenset[str]  # purposes that went from granted (or unknown) to denied for at least one of them


class ConsentLedger:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._state: dict[str, State] = {}
        rows = db.read_sync(
            lambda c: c.execute("SELECT subject, purpose, granted, updated_at FROM consent_state").fetchall()
        )
        for subject, purpose, granted, updated_at in rows:
            self._state.setdefault(subject, {})[purpose] = (bool(granted), updated_at)

    def state(self, subjects: Iterable[str]) -> dict[str, bool] | None:
        """The current state per purpose across `subjects` (a denial for any of them wins); None if none is known."""
        combined: dict[str, bool] | None = None
        for subject in subjects:
            state = self._state.get(subject)
            if state is None:
                continue
            combined = combined if combined is not None else {}
            for purpose, (granted, _) in state.items():
                combined[purpose] = combined.get(purpose, True) and granted
        return combined

    def record(
        self,
        conn: sqlite3.Connection,
        subjects: Iterable[str],
        granted: Iterable[str],
        denied: Iterable[str],
        occurred_at: float,
        source: str,
        via: str,
    ) -> Recorded:
        """Append to the history and update the current state (inside the caller's write). A record older than the
        state it would replace changes the history only: consent decisions arrive out of order from SDK retries."""
        subjects = sorted(set(subjects))
        granted, denied = sorted(set(granted)), sorted(set(denied))
        now = time.time()
        conn.executemany(
            """INSERT INTO consent_history (subject, granted, denied, occurred_at, received_at, source, via)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(s, orjson.dumps(granted).decode(), orjson.dumps(denied).decode(), occurred_at, now, source, via)
             for s in subjects],
        )
        withdrawn: set[str] = set()
        updates = []
        for subject in subjects:
            state = self._state.get(subject, {})
            for purpose, value in [*((p, True) for p in granted), *((p, False) for p in denied)]:
                current = state.get(purpose)
                if current is not None and current[1] > occurred_at:
                    continue
                if not value and (current is None or current[0]):
                    withdrawn.add(purpose)
                updates.append((subject, purpose, int(value), occurred_at))
        conn.executemany(
            """INSERT INTO consent_state (subject, purpose, granted, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (subject, purpose)
               DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at""",
            updates,
        )
        # Memory follows the table only once the statements have succeeded.
        for subject, purpose, flag, at in updates:
            self._state.setdefault(subject, {})[purpose] = (bool(flag), at)
        return Recorded(subjects=len(subjects), withdrawn=frozenset(withdrawn))

    def forget(self, conn: sqlite3.Connection, subjects: set[str], proof_as: str | None) -> int:
        """Remove the subjects' consent (inside the caller's write). With `proof_as`, their history rows are kept with
        the subject replaced by that label (a deletion id): what was consented and when stays provable, but no longer
        belongs to anyone. Returns the number of history rows removed or unlinked."""
        changed = 0
        for subject in subjects:
            if proof_as is None:
                changed += conn.execute("DELETE FROM consent_history WHERE subject = ?", (subject,)).rowcount
            else:
                changed += conn.execute("UPDATE consent_history SET subject = ? WHERE subject = ?",
                                        (proof_as, subject)).rowcount
            conn.execute("DELETE FROM consent_state WHERE subject = ?", (subject,))
        for subject in subjects:
            self._state.pop(subject, None)
        return changed

    def carry(self, conn: sqlite3.Connection, links: Iterable[tuple[str, str]]) -> None:
        """Newly linked identifiers share their known state: each side gets what the other has and it lacks."""
        for a, b in links:
            for giver, taker in ((a, b), (b, a)):
                given = self._state.get(giver)
                if not given:
                    continue
                taken = self._state.get(taker, {})
                missing = {p: v for p, v in given.items() if p not in taken}
                if not missing:
                    continue
                self.record(
                    conn,
                    [taker],
                    [p for p, (g, _) in missing.items() if g],
                    [p for p, (g, _) in missing.items() if not g],
                    max(at for _, at in missing.values()),
                    source="identity",
                    via="carried",
                )
