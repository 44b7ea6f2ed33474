"""Which node sends a destination's rows when several nodes share one PostgreSQL database: one owner per destination.

A node owns a destination while it holds a PostgreSQL session advisory lock named after it, on a connection of its own
(not the writer's: a lock must outlive transactions, and the writer's connection is opened again after any fault).
The server releases the lock when that connection dies, so a node killed with SIGKILL, or cut off from the server,
loses its destinations by itself; the nodes that do not own a destination try to take it every `retry_s`.

The lock alone cannot stop a node that lost ownership without knowing it (its connection died a moment ago, its
sender still holds a batch) from settling rows its successor is sending. So each destination has a row in
`destination_owners` whose `epoch` every new owner bumps, and every write that settles outbox rows (delivered,
attempted, dead-lettered) checks its batch's epoch in the same transaction (`fence`): it locks the row FOR SHARE, so a
successor's bump waits for the write to commit, and a write after the bump sees the new epoch and is refused
(`Fenced`). A batch claimed by a stale owner is refused at the claim too (the outbox reads no rows for an old epoch),
so after the bump duplicates are at most the batches that were in flight.

On SQLite the data directory's lock (gateway.data_dir_lock) already makes one process the only writer: that process
owns every destination, and nothing is fenced (`epoch` is None).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Any

import psycopg

from gateway.database import Migration
from gateway.storage.connection import Connection
from gateway.storage.engine import Engine

log = logging.getLogger("gateway.ownership")

LOCK_CLASS = 0x70677701  # the first key of every destination's advisory lock; the second is hashtext(destination)
RETRY_S = 2.0  # how often a node tries to take the destinations it does not own, and checks those it does

MIGRATIONS = (
    Migration(
        "ownership-1",
        (
            """CREATE TABLE destination_owners (
                destination TEXT PRIMARY KEY,
                epoch INTEGER NOT NULL,
                node TEXT NOT NULL,
                since REAL NOT NULL
            )""",
        ),
        postgres=(
            """CREATE TABLE destination_owners (
                destination TEXT PRIMARY KEY,
                epoch BIGINT NOT NULL,
                node TEXT NOT NULL,
                since DOUBLE PRECISION NOT NULL
            )""",
        ),
    ),
)


class Fenced(Exception):
    """A write settling a destination's rows under an epoch that is no longer its owner's: another node owns it now
    and sends those rows itself. Nothing of the write was stored."""

    def __init__(self, destination: str, epoch: int) -> None:
        super().__init__(f"destination {destination!r}: epoch {epoch} is no longer its owner's")
        self.destination = destination
        self.epoch = epoch


def fence(conn: Connection, destination: str, epoch: int | None) -> None:
    """Inside a write: raise Fenced unless `epoch` is still `destination`'s; None (one process, SQLite) always passes.
    The row stays locked until the write commits, so a new owner's bump waits for it."""
    if epoch is None:
        return
    row = conn.execute("SELECT epoch FROM destination_owners WHERE destination = ? FOR SHARE",
                       (destination,)).fetchone()
    if row is None or row[0] != epoch:
        raise Fenced(destination, epoch)


class Ownership:
    """The destinations this node owns, with their epochs. `engine` None or SQLite: this process owns all of them.

    `run()` (a background task) keeps the advisory locks on PostgreSQL; senders ask `epoch(destination)` before each
    batch and `wait(destination)` while they do not own it."""

    def __init__(self, engine: Engine | None, node: str, destinations: Iterable[str] = (), retry_s: float = RETRY_S
                 ) -> None:
        self.engine = engine if engine is not None and engine.name == "postgresql" else None
        self.node = node
        self.destinations = sorted(set(destinations))  # taken when free; a sender adds its own (`want`)
        self.retry_s = retry_s
        self.epochs: dict[str, int] = {}  # owned destinations (PostgreSQL); changed on the event loop only
        self._changed = asyncio.Event()
        self._conn: Any = None  # the lock-holding connection (PostgreSQL)

    def want(self, destination: str) -> None:
        """Take `destination` too, whenever it is free (a sender for it has started here)."""
        if destination not in self.destinations:
            self.destinations = sorted({*self.destinations, destination})

    @property
    def shared(self) -> bool:
        """True when other nodes may send from the same database (PostgreSQL)."""
        return self.engine is not None

    def epoch(self, destination: str) -> int | None:
        """The epoch under which this node sends `destination`'s rows now; None on SQLite (no fence)."""
        return self.epochs.get(destination) if self.shared else None

    def owns(self, destination: str) -> bool:
        return not self.shared or destination in self.epochs

    async def wait(self, destination: str) -> None:
        """Return once this node owns `destination` (at once on SQLite)."""
        while not self.owns(destination):
            self._changed.clear()
            await self._changed.wait()

    def lost(self, destination: str, epoch: int) -> None:
        """A write under `epoch` was fenced: stop sending `destination` until it is taken again."""
        if self.epochs.get(destination) == epoch:
            log.warning("destination %s: another node owns it now; this node stops sending it", destination)
            del self.epochs[destination]
            self._changed.set()

    async def run(self, stopping: asyncio.Event) -> None:
        """Hold and take ownership until `stopping`; then release it (closing the connection releases the locks)."""
        if not self.shared:
            return
        try:
            while not stopping.is_set():
                await self.round()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), self.retry_s)
        finally:
            await asyncio.to_thread(self._close)

    async def round(self) -> None:
        """One pass: check that the locks held are still held (the connection is alive), take those free."""
        epochs = await asyncio.to_thread(self._round, dict(self.epochs))
        if epochs != self.epochs:
            for name in sorted(set(epochs) - set(self.epochs)):
                log.info("destination %s: this node owns it now (epoch %d)", name, epochs[name])
            for name in sorted(set(self.epochs) - set(epochs)):
                log.warning("destination %s: ownership lost", name)
            self.epochs = epochs
            self._changed.set()

    def _round(self, held: dict[str, int]) -> dict[str, int]:
        # On a worker thread; the only user of self._conn.
        assert self.engine is not None
        try:
            if self._conn is None:
                self._conn = self.engine.open()
                held = {}  # a new session holds no locks
            self._conn.execute("SELECT 1").fetchone()  # still connected: the locks held are still held
            for name in self.destinations:
                if name not in held and self._take(name):
                    held[name] = self._bump(name)
            return held
        except Exception as error:
            if self.engine.fault(error) is None:
                raise
            log.warning("destination ownership: %s; every destination released", self.engine.fault(error))
            self._close()
            return {}

    def _take(self, destination: str) -> bool:
        key = (LOCK_CLASS, destination)
        if self._holds(destination):  # a lock kept from before a fence: release the extra count first
            self._conn.execute("SELECT pg_advisory_unlock(CAST(? AS INTEGER), hashtext(?))", key)
        row = self._conn.execute("SELECT pg_try_advisory_lock(CAST(? AS INTEGER), hashtext(?))", key).fetchone()
        return bool(row[0])

    def _holds(self, destination: str) -> bool:
        row = self._conn.execute(
            """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
               AND classid = CAST(? AS OID) AND objid = CAST(hashtext(?) AS OID) AND objsubid = 2""",
            (LOCK_CLASS, destination)).fetchone()
        return bool(row[0])

    def _bump(self, destination: str) -> int:
        row = self._conn.execute(
            """INSERT INTO destination_owners (destination, epoch, node, since) VALUES (?, 1, ?, ?)
               ON CONFLICT (destination) DO UPDATE SET epoch = destination_owners.epoch + 1, node = EXCLUDED.node,
                                                       since = EXCLUDED.since
               RETURNING epoch""", (destination, self.node, time.time())).fetchone()
        return int(row[0])

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):  # already broken: the server has released its locks
                self._conn.close()
            self._conn = None
