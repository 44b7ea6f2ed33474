"""The consent ledger: every consent record ever received (append-only history), and the current state per subject.

Subjects are identifier hashes (see gateway.identity). Each record has a scope, which follows from who made it
(gateway.provenance):

- **device**: made through a public write key, for the device id it names (`anonymousId`, a device id). It applies to
  events that carry that id *as their device id*, and to nothing else: not to the user id the device is claimed to
  belong to, not to an event whose user id happens to be the same string.
- **subject**: made with a server key, a signed consent token or the admin API, for a user. It applies to events that
  carry any of the user's identifiers (the named ones and those verified-linked to them), and is carried across
  verified links learned later.

Records are ordered by the gateway's receive time, never by the client's clock: each record replaces the state of the
purposes it names for its subjects and scope, so a withdrawal is in force from the moment it is received whatever
timestamp an earlier grant carried. The client's timestamp is kept in the history, as information. Where several
records apply to one event (its user id and its device, or several linked ids), a denial in any of them wins.

The current state is also kept in memory: it is read for every event.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import orjson

from gateway.database import Database, Migration
from gateway.invalidation import Invalidation
from gateway.provenance import Provenance
from gateway.storage.connection import Connection
from gateway.storage.migrations import tables

Scope = Literal["subject", "device"]
TOPIC = "consent"  # gateway.invalidation: the consent state changed

MIGRATIONS = (
    tables(
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
    Migration(
        "consent-2",
        (
            # Records made before scopes and provenance applied to every identifier of the subject, and came through
            # write keys: they keep applying as they did.
            "ALTER TABLE consent_history ADD COLUMN scope TEXT NOT NULL DEFAULT 'subject'",
            "ALTER TABLE consent_history ADD COLUMN provenance TEXT NOT NULL DEFAULT 'public'",
            """CREATE TABLE consent_scoped_state (
                subject TEXT NOT NULL,
                scope TEXT NOT NULL,
                purpose TEXT NOT NULL,
                granted INTEGER NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (subject, scope, purpose)
            ) WITHOUT ROWID""",
            """INSERT INTO consent_scoped_state (subject, scope, purpose, granted, updated_at)
               SELECT subject, 'subject', purpose, granted, updated_at FROM consent_state""",
            "DROP TABLE consent_state",
            "ALTER TABLE consent_scoped_state RENAME TO consent_state",
        ),
        postgres=(
            # A PostgreSQL database starts empty at consent-1, so no state needs carrying: the table takes its shape.
            "ALTER TABLE consent_history ADD COLUMN scope TEXT NOT NULL DEFAULT 'subject'",
            "ALTER TABLE consent_history ADD COLUMN provenance TEXT NOT NULL DEFAULT 'public'",
            "DROP TABLE consent_state",
            """CREATE TABLE consent_state (
                subject TEXT NOT NULL,
                scope TEXT NOT NULL,
                purpose TEXT NOT NULL,
                granted INTEGER NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (subject, scope, purpose)
            )""",
        ),
    ),
)

State = dict[str, tuple[bool, float]]  # purpose -> (granted, when the gateway received the record that decided it)


@dataclass(frozen=True)
class Recorded:
    subjects: int  # identifier hashes the record was applied to
    withdrawn: frozenset[str]  # purposes that went from granted (or unknown) to denied for at least one of them
    state: Mapping[str, bool]  # the resulting state of the record's subjects in its scope, per purpose known


def _combine(combined: dict[str, bool] | None, state: State | None) -> dict[str, bool] | None:
    """`combined` with `state` folded in: a denial for any subject wins."""
    if state is None:
        return combined
    combined = combined if combined is not None else {}
    for purpose, (granted, _) in state.items():
        combined[purpose] = combined.get(purpose, True) and granted
    return combined


class ConsentLedger:
    """The consent state in memory for the per-event decision, the table for restarts and for other nodes. With
    several nodes on one PostgreSQL database, every write announces TOPIC (gateway.invalidation) and every node reads
    the state again when it hears it, so a record made through one node governs the others' next events."""

    def __init__(self, db: Database, invalidation: Invalidation | None = None) -> None:
        self.db = db
        self.invalidation = invalidation or Invalidation(None)
        self._subjects: dict[str, State] = {}
        self._devices: dict[str, State] = {}
        self.refresh()
        self.invalidation.subscribe(TOPIC, self.refresh)

    def refresh(self, subjects: frozenset[str] | None = None) -> None:
        """Read the state again (at start, and when another node changed it): of `subjects`, or all of it. A subject's
        state is replaced whole, and a full read replaces the dicts in one step each: the event loop reads them while
        the listening thread runs this."""
        select = "SELECT subject, scope, purpose, granted, updated_at FROM consent_state"
        if subjects is None:
            rows = self.db.read_sync(lambda c: c.execute(select).fetchall())
        else:
            rows = self.db.read_sync(lambda c: c.execute(select + " WHERE subject = ANY(?)", (list(subjects),)
                                                         ).fetchall())
        read: dict[str, dict[str, State]] = {"subject": {}, "device": {}}
        for subject, scope, purpose, granted, updated_at in rows:
            read["device" if scope == "device" else "subject"].setdefault(subject, {})[purpose] = (
                bool(granted), updated_at)
        if subjects is None:
            self._subjects, self._devices = read["subject"], read["device"]
            return
        for scope, states in (("subject", self._subjects), ("device", self._devices)):
            for subject in subjects:
                state = read[scope].get(subject)
                if state is None:
                    states.pop(subject, None)
                else:
                    states[subject] = state

    def _states(self, scope: str) -> dict[str, State]:
        return self._devices if scope == "device" else self._subjects

    @property
    def has_device_records(self) -> bool:
        """Whether any device-scoped state exists (the pipeline skips looking up devices when none does)."""
        return bool(self._devices)

    def state(self, subjects: Iterable[str], devices: Iterable[str] = ()) -> dict[str, bool] | None:
        """The current state per purpose for an event: subject-scoped records of any of its identifiers' hashes
        (`subjects`) and device-scoped records of its device ids' hashes (`devices`); a denial in any of them wins.
        None if none is known."""
        combined: dict[str, bool] | None = None
        users, devices_state = self._subjects, self._devices
        for subject in subjects:
            combined = _combine(combined, users.get(subject))
        if devices_state:
            for device in devices:
                combined = _combine(combined, devices_state.get(device))
        return combined

    def scope_state(self, subjects: Iterable[str], scope: Scope) -> dict[str, bool]:
        """The state of `subjects` in one scope (what a consent record's answer reports)."""
        states = self._states(scope)
        combined: dict[str, bool] | None = None
        for subject in subjects:
            combined = _combine(combined, states.get(subject))
        return combined or {}

    def record(self, conn: Connection, subjects: Iterable[str], granted: Iterable[str],
               denied: Iterable[str], *, scope: Scope, provenance: Provenance, source: str, via: str,
               occurred_at: float | None = None) -> Recorded:
        """Append to the history and update the current state (inside the caller's write). The record is in force
        from now, the time the gateway received it; `occurred_at` (the client's clock) is kept as information only."""
        subjects = sorted(set(subjects))
        granted, denied = sorted(set(granted)), sorted(set(denied))
        now = time.time()
        conn.executemany(
            """INSERT INTO consent_history (subject, granted, denied, occurred_at, received_at, source, via, scope,
                                            provenance)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(s, orjson.dumps(granted).decode(), orjson.dumps(denied).decode(),
              now if occurred_at is None else occurred_at, now, source, via, scope, provenance) for s in subjects],
        )
        states = self._states(scope)
        withdrawn: set[str] = set()
        updates = []
        for subject in subjects:
            state = states.get(subject, {})
            for purpose, value in [*((p, True) for p in granted), *((p, False) for p in denied)]:
                current = state.get(purpose)
                if not value and (current is None or current[0]):
                    withdrawn.add(purpose)
                updates.append((subject, scope, purpose, int(value), now))
        self.invalidation.announce(conn, TOPIC, subjects)
        conn.executemany(
            """INSERT INTO consent_state (subject, scope, purpose, granted, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (subject, scope, purpose)
               DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at""",
            updates,
        )
        # Memory follows the table only once the statements have succeeded.
        for subject, _, purpose, flag, at in updates:
            states.setdefault(subject, {})[purpose] = (bool(flag), at)
        return Recorded(len(subjects), frozenset(withdrawn), self.scope_state(subjects, scope))

    def forget(self, conn: Connection, subjects: set[str], proof_as: str | None) -> int:
        """Remove the subjects' consent, both scopes (inside the caller's write). With `proof_as`, their history rows
        are kept with the subject replaced by that label (a deletion id): what was consented and when stays provable,
        but no longer belongs to anyone. Returns the number of history rows removed or unlinked."""
        changed = 0
        self.invalidation.announce(conn, TOPIC, subjects)
        for subject in subjects:
            if proof_as is None:
                changed += conn.execute("DELETE FROM consent_history WHERE subject = ?", (subject,)).rowcount
            else:
                changed += conn.execute("UPDATE consent_history SET subject = ? WHERE subject = ?",
                                        (proof_as, subject)).rowcount
            conn.execute("DELETE FROM consent_state WHERE subject = ?", (subject,))
        for subject in subjects:
            self._subjects.pop(subject, None)
            self._devices.pop(subject, None)
        return changed

    def carry(self, conn: Connection, links: Iterable[tuple[str, str]], provenance: Provenance) -> None:
        """Newly verified links share their user-scoped state: each side gets what the other has and it lacks.
        Device-scoped state stays with its device, and claimed links carry nothing."""
        for a, b in links:
            for giver, taker in ((a, b), (b, a)):
                given = self._subjects.get(giver)
                if not given:
                    continue
                taken = self._subjects.get(taker, {})
                missing = {p: g for p, (g, _) in given.items() if p not in taken}
                if not missing:
                    continue
                granted = [p for p, g in missing.items() if g]
                denied = [p for p, g in missing.items() if not g]
                self.record(conn, [taker], granted, denied, scope="subject", provenance=provenance,
                            source="identity", via="carried")
