"""The durable outbox: event deliveries waiting for their destination, and the dead letters that never can be delivered.

One row is one event for one destination, already encoded in that destination's wire format (so the sender only
concatenates bytes), with the kind of endpoint it goes to (Mixpanel: events, user or group profile updates).
Rows leave the table when the destination accepted them, or move to `dead_letters` with the reason when it refused them
for good. The number of rows is bounded by the policy: past the bound, `commit` raises `OutboxFull` and ingest answers
503 with Retry-After. Nothing is dropped.

The depth per destination is kept in memory beside the table (ingest checks the bound on every request). It changes
only with what is committed (`Database.after_commit`): a write that fails, on a full disk say, leaves it as it was.
(So requests committed together are checked against the rows committed before them: the bound may be passed by one
group commit's rows, never more.)
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from gateway.database import Database, Migration
from gateway.protocols.codec import Encoded, EndpointKind


def _add_kind(table: str) -> tuple[str, ...]:
    """outbox-4 for `table`: the kind column, and the kinds of the rows already queued (see MIGRATIONS)."""

    def starts_with(*prefixes: bytes) -> str:
        return " OR ".join(f"substr(body, 1, {len(prefix)}) = x'{prefix.hex()}'" for prefix in prefixes)

    profile, group = starts_with(b'{"$distinct_id":'), starts_with(b'{"$group_key":', b'{"$group_id":')
    return (
        f"ALTER TABLE {table} ADD COLUMN kind TEXT NOT NULL DEFAULT 'event'",
        f"UPDATE {table} SET kind = 'profile' WHERE {profile}",
        f"UPDATE {table} SET kind = 'group' WHERE {group}",
    )


MIGRATIONS = (
    Migration(
        "outbox-1",
        (
            # AUTOINCREMENT: ids never go backwards, even when the table empties, so order of arrival is order of id.
            """CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                destination TEXT NOT NULL,
                source TEXT NOT NULL,
                message_id TEXT NOT NULL,
                enqueued_at REAL NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                body BLOB NOT NULL
            )""",
            "CREATE INDEX outbox_destination ON outbox (destination, id)",
            """CREATE TABLE dead_letters (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                destination TEXT NOT NULL,
                source TEXT NOT NULL,
                message_id TEXT NOT NULL,
                enqueued_at REAL NOT NULL,
                failed_at REAL NOT NULL,
                attempts INTEGER NOT NULL,
                status INTEGER,
                reason TEXT NOT NULL,
                body BLOB NOT NULL
            )""",
            "CREATE INDEX dead_letters_destination ON dead_letters (destination, id)",
        ),
    ),
    Migration(
        "outbox-2",
        (
            # The event's identifier hashes, space-separated, so consent withdrawal and deletion can find its rows.
            # No index: the outbox is normally near empty, and those scans are rare; ingest stays cheap.
            "ALTER TABLE outbox ADD COLUMN subjects TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE dead_letters ADD COLUMN subjects TEXT NOT NULL DEFAULT ''",
        ),
    ),
    Migration(
        "outbox-3",
        (
            # What was delivered, when: metadata only (no body, no subjects), kept as long as the retention policy says.
            """CREATE TABLE delivery_log (
                destination TEXT NOT NULL,
                source TEXT NOT NULL,
                message_id TEXT NOT NULL,
                delivered_at REAL NOT NULL
            )""",
            "CREATE INDEX delivery_log_delivered_at ON delivery_log (delivered_at)",
        ),
    ),
    Migration(
        "outbox-4",
        (
            # The endpoint kind (gateway.protocols.codec.EndpointKind), which the encoder now says. Rows queued before
            # it get theirs here, once, from the only encoder with kinds other than "event": Mixpanel's writes a user
            # profile update with $distinct_id first, a group profile update with $group_key or $group_id first. (An
            # update naming neither has no place at Mixpanel: it is refused, as before, only now at /import.)
            *_add_kind("outbox"),
            *_add_kind("dead_letters"),
        ),
    ),
    Migration(
        "outbox-5",
        (
            # What the destination answered, apart from our own short `reason`: the answer may quote event data, so
            # it is shown only with the event's body (gateway.outbox.dead_letters), and the two event-bearing
            # columns, body and reply, are the ones a scrubber of dead letters has to rewrite.
            "ALTER TABLE dead_letters ADD COLUMN reply TEXT NOT NULL DEFAULT ''",
        ),
    ),
)


class OutboxFull(Exception):
    """The outbox holds as many deliveries as the policy allows; the client should retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"outbox full, retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one destination, encoded for it, as the pipeline hands it to the outbox."""

    destination: str
    source: str
    message_id: str
    encoded: Encoded  # (body, endpoint kind)
    subjects: str = ""  # identifier hashes, space-separated (see gateway.identity)


@dataclass(frozen=True, slots=True)
class Queued:
    """A row read back for sending."""

    id: int
    source: str
    message_id: str
    attempts: int
    body: bytes
    kind: EndpointKind
    subjects: str = ""


class OutboxStore:
    def __init__(self, db: Database, max_events: int, full_retry_after_s: int, destinations: Iterable[str],
                 suppressed: Callable[[Iterable[str]], bool] = lambda subjects: False) -> None:
        self.db = db
        self.suppressed = suppressed
        self.max_events = max_events
        self.full_retry_after_s = full_retry_after_s
        self._wakeups: dict[str, asyncio.Event] = {name: asyncio.Event() for name in destinations}
        # Changed on the writer thread only, after a commit (see the module's docstring); others only read it.
        self._depth: Counter[str] = Counter(
            dict(db.read_sync(
                lambda c: c.execute("SELECT destination, count(*) FROM outbox GROUP BY destination").fetchall()
            ))
        )

    def change_depth(self, change: Mapping[str, int]) -> None:
        """Inside a write function: add `change` to the depths once the write is committed."""
        self.db.after_commit(lambda: self._depth.update(change))

    # -- ingest side -----------------------------------------------------------------------------------------------

    async def commit(
        self, deliveries: Sequence[Delivery], also: Callable[[sqlite3.Connection], None] | None
    ) -> None:
        """Commit `deliveries` durably (group commit), then wake their senders; raises OutboxFull past the bound.
        `also(conn)` runs in the same transaction: the rows and what goes with them (identity links, say) are
        committed together or not at all."""
        if not deliveries and also is None:
            return
        now = time.time()
        added: Counter[str] = Counter()

        def insert(conn: sqlite3.Connection) -> None:
            # Checked again here, in commit order: a deletion request committed just before must win.
            kept = [d for d in deliveries if not (d.subjects and self.suppressed(d.subjects.split()))]
            rows = [(d.destination, d.source, d.message_id, now, *d.encoded, d.subjects) for d in kept]
            self.check_room(len(rows))
            conn.executemany(
                """INSERT INTO outbox (destination, source, message_id, enqueued_at, body, kind, subjects)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )
            if also is not None:
                also(conn)
            added.update(d.destination for d in kept)
            self.change_depth(added)

        await self.db.write(insert)
        self.wake(added)

    def check_room(self, rows: int) -> None:
        """Inside a write function: raise OutboxFull unless `rows` more fit within the bound."""
        if sum(self._depth.values()) + rows > self.max_events:
            raise OutboxFull(self.full_retry_after_s)

    def wake(self, destinations: Iterable[str]) -> None:
        """Tell the senders of `destinations` that rows were committed for them."""
        for name in destinations:
            wakeup = self._wakeups.get(name)
            if wakeup is not None:
                wakeup.set()

    # -- sender side -----------------------------------------------------------------------------------------------

    def wakeup(self, destination: str) -> asyncio.Event:
        return self._wakeups.setdefault(destination, asyncio.Event())

    async def next_batch(self, destination: str, max_events: int, max_bytes: int, after_id: int = 0) -> list[Queued]:
        """The oldest rows for `destination` after `after_id` (rows up to it are in flight): at most `max_events`, and
        within `max_bytes` of bodies (at least one)."""

        def select(conn: sqlite3.Connection) -> list[Queued]:
            cursor = conn.execute(
                """SELECT id, source, message_id, attempts, body, kind, subjects FROM outbox
                   WHERE destination = ? AND id > ? ORDER BY id LIMIT ?""",
                (destination, after_id, max_events),
            )
            batch: list[Queued] = []
            size = 0
            for row in cursor:
                size += len(row[4]) + 1
                if batch and size > max_bytes:
                    break
                batch.append(Queued(*row))
            return batch

        return await self.db.read(select)

    async def still_queued(self, destination: str, batch: Sequence[Queued]) -> list[Queued]:
        """The rows of `batch` still in the outbox, read again (a consent withdrawal or a deletion request may have
        removed some while the batch waited to be retried). A batch is a run of ids: no row joins it later."""
        if not batch:
            return []

        def select(conn: sqlite3.Connection) -> list[Queued]:
            cursor = conn.execute(
                """SELECT id, source, message_id, attempts, body, kind, subjects FROM outbox
                   WHERE destination = ? AND id BETWEEN ? AND ? ORDER BY id""",
                (destination, batch[0].id, batch[-1].id),
            )
            return [Queued(*row) for row in cursor]

        return await self.db.read(select)

    async def delivered(self, destination: str, batch: Sequence[Queued]) -> None:
        ids = [(q.id,) for q in batch]

        now = time.time()
        log = [(destination, q.source, q.message_id, now) for q in batch]

        def delete(conn: sqlite3.Connection) -> None:
            deleted = sum(conn.execute("DELETE FROM outbox WHERE id = ?", row).rowcount for row in ids)
            conn.executemany(
                "INSERT INTO delivery_log (destination, source, message_id, delivered_at) VALUES (?, ?, ?, ?)", log
            )
            self.change_depth({destination: -deleted})

        await self.db.write(delete)

    async def attempted(self, batch: Sequence[Queued]) -> None:
        ids = [(q.id,) for q in batch]
        await self.db.write(
            lambda conn: conn.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", ids)
        )

    async def dead_letter(self, destination: str, batch: Sequence[Queued], status: int | None, reason: str,
                          reply: str = "") -> None:
        """Move rows the destination refused for good into `dead_letters`, with our reason and its reply."""
        now = time.time()
        ids = [(q.id,) for q in batch]

        def move(conn: sqlite3.Connection) -> None:
            conn.executemany(
                """INSERT INTO dead_letters (destination, source, message_id, enqueued_at, failed_at, attempts, status,
                                             reason, reply, body, kind, subjects)
                   SELECT destination, source, message_id, enqueued_at, ?, attempts + 1, ?, ?, ?, body, kind, subjects
                   FROM outbox WHERE id = ?""",
                [(now, status, reason, reply, i) for (i,) in ids],
            )
            deleted = sum(conn.execute("DELETE FROM outbox WHERE id = ?", row).rowcount for row in ids)
            self.change_depth({destination: -deleted})

        await self.db.write(move)

    def remove_subjects(self, conn: sqlite3.Connection, destinations: Iterable[str], subjects: Iterable[str]) -> int:
        """Delete queued deliveries to `destinations` of events carrying any of `subjects` (inside the caller's
        write): consent was withdrawn, or the subject asked to be deleted. Returns how many were removed."""
        removed = 0
        subjects = list(subjects)
        for destination in destinations:
            for subject in subjects:
                cursor = conn.execute(
                    "DELETE FROM outbox WHERE destination = ? AND instr(subjects, ?) > 0", (destination, subject)
                )
                self.change_depth({destination: -cursor.rowcount})
                removed += cursor.rowcount
        return removed

    def remove_dead_letters(self, conn: sqlite3.Connection, subjects: Iterable[str]) -> int:
        """Delete dead letters of events carrying any of `subjects` (inside the caller's write)."""
        return sum(conn.execute("DELETE FROM dead_letters WHERE instr(subjects, ?) > 0", (s,)).rowcount
                   for s in subjects)

    # -- reporting -------------------------------------------------------------------------------------------------

    def depth(self) -> dict[str, int]:
        snapshot = dict(self._depth)  # one C-level copy: the writer thread may change the counter meanwhile
        return {name: snapshot.get(name, 0) for name in sorted(set(self._wakeups) | set(snapshot))}

    async def lag(self, now: float | None = None) -> dict[str, float]:
        """Per destination, the age in seconds of its oldest undelivered event (0 with nothing queued): how far
        delivery is behind. One index lookup per destination (ids grow with time, so the lowest id is the oldest)."""
        names = self.depth()

        def oldest(conn: sqlite3.Connection) -> dict[str, float | None]:
            found = {}
            for name in names:
                row = conn.execute("SELECT enqueued_at FROM outbox WHERE destination = ? ORDER BY id LIMIT 1",
                                   (name,)).fetchone()
                found[name] = row[0] if row else None
            return found

        found = await self.db.read(oldest)
        now = time.time() if now is None else now
        return {name: max(0.0, now - at) if at is not None else 0.0 for name, at in found.items()}
