"""B2B account context: which account each person belongs to, learned from their group calls.

A group call names the account a user acts for: Segment's `group` (its `groupId`), PostHog's `$groupidentify` (its
`$group_key`), Amplitude's and PostHog's `groups` on any event ({"company": "acme"}; `[enrich] group_type` says which
group is the account when there are several). With `[enrich] account_from_groups = true`, a later event of that user
without an account is stamped with it (gateway.pipeline.steps.accounts).

The map is kept by subject (the keyed hash of each identifier), with the account id as the group call sent it: that
is what the stamp forwards, because the customer's vendors know accounts by it. Held in memory (read once at start,
one short row per person) so that a stamp costs a dict lookup; what a request teaches is committed with its events.
A deletion request removes the subject's rows (gateway.deletion, with the identity links).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from gateway.database import Database, Migration
from gateway.invalidation import Invalidation
from gateway.storage.connection import Connection
from policies.enrich import Enrich
from policies.event import Event

MIGRATIONS = (
    Migration(
        "accounts-1",
        (
            """CREATE TABLE account_links (
                subject TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                updated_at REAL NOT NULL
            )""",
        ),
        postgres=(
            """CREATE TABLE account_links (
                subject TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )""",
        ),
    ),
)


def account_of_group_call(event: Event, config: Enrich) -> str | None:
    """The account a group call (or an event's `groups`) names; None when the event names none."""
    if event.type == "group" and isinstance(event.group_id, str | int) and event.group_id != "":
        return str(event.group_id)
    properties = event.properties or {}
    if event.type == "track" and event.event == "$groupidentify":
        key, kind = properties.get("$group_key"), properties.get("$group_type")
        if isinstance(key, str | int) and key != "" and (not config.group_type or kind == config.group_type):
            return str(key)
    groups = (event.context or {}).get("groups")
    if isinstance(groups, dict) and groups:
        value = groups.get(config.group_type) if config.group_type else (
            next(iter(groups.values())) if len(groups) == 1 else None)
        if isinstance(value, str | int) and value != "":
            return str(value)
    return None


TOPIC = "accounts"  # gateway.invalidation: account links changed


class AccountMap:
    """With several nodes on one PostgreSQL database, every write announces TOPIC (gateway.invalidation) with the
    subjects it changed, and every node reads their rows again."""

    def __init__(self, db: Database, invalidation: Invalidation | None = None) -> None:
        self.db = db
        self.invalidation = invalidation or Invalidation(None)
        rows = db.read_sync(lambda c: c.execute("SELECT subject, account FROM account_links").fetchall())
        self._accounts: dict[str, str] = dict(rows)
        self.invalidation.subscribe(TOPIC, self.refresh)

    def refresh(self, subjects: frozenset[str] | None = None) -> None:
        """Read the links of `subjects` again (another node changed them), or all of them."""
        select = "SELECT subject, account FROM account_links"
        if subjects is None:
            self._accounts = dict(self.db.read_sync(lambda c: c.execute(select).fetchall()))
            return
        read = dict(self.db.read_sync(lambda c: c.execute(select + " WHERE subject = ANY(?)", (list(subjects),)
                                                          ).fetchall()))
        for subject in subjects:
            if subject in read:
                self._accounts[subject] = read[subject]
            else:
                self._accounts.pop(subject, None)

    def account(self, subjects: Iterable[str]) -> str | None:
        """The account of the first of `subjects` that has one."""
        get = self._accounts.get
        for subject in subjects:
            account = get(subject)
            if account is not None:
                return account
        return None

    def changes(self, learned: Iterable[tuple[tuple[str, ...], str]]) -> list[tuple[str, str]]:
        """(subject, account) pairs of what group calls said that the map does not hold yet."""
        return [(subject, account) for subjects, account in learned for subject in subjects
                if self._accounts.get(subject) != account]

    def record(self, conn: Connection, changes: list[tuple[str, str]]) -> None:
        """Store `changes` (inside the caller's write) and remember them."""
        now = time.time()
        self.invalidation.announce(conn, TOPIC, [subject for subject, _ in changes])
        conn.executemany(
            """INSERT INTO account_links (subject, account, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (subject) DO UPDATE SET account = excluded.account, updated_at = excluded.updated_at""",
            [(subject, account, now) for subject, account in changes],
        )
        self._accounts.update(changes)

    def delete_subjects(self, conn: Connection, subjects: set[str]) -> int:
        """Delete the account links of `subjects` (inside the caller's write), stored and remembered alike."""
        self.invalidation.announce(conn, TOPIC, subjects)
        for subject in subjects:
            self._accounts.pop(subject, None)
        return sum(conn.execute("DELETE FROM account_links WHERE subject = ?", (s,)).rowcount for s in subjects)
