"""Deletion requests: suppress the subject, delete them from every store, ask every vendor to delete them, and sign a
receipt of what was done where.

A request names identifiers (user ids, anonymous ids, emails). Their keyed hashes, and every hash linked to them by
verified links in the identity graph, are the subject. Claimed links (made by public-key traffic, which anyone can
send) are counted in the progress but not followed, unless the compliance officer asks for them (`include_claimed`,
audited): otherwise one forged identify would let a deletion for one person reach another.

The request is durable before it is acknowledged (202), and a worker in the gateway carries it through its steps, each
recorded as it completes, so a restart resumes where it stopped:

1. suppress: the subject's hashes go on the suppression list; from then on ingest drops their events.
2. local stores: queued outbox events, dead letters, the local sink, replay sessions (their data keys first, found
   through replay.shredding's key index; then chunks, blobs, signals, forms), consent (history and state; kept
   unlinked when the policy keeps consent proof), identity links. Each in short transactions of at most STEP_ROWS
   rows (STEP_SESSIONS sessions) that ingest commits interleave with, its rows found through subject indexes
   (gateway.subject_index; replay.search's for sessions), never by scanning a table inside the single writer; the
   two small stores without an index yet (dead letters, sink) are scanned in slices. The count so far is recorded
   with each step, so a restart goes on where it stopped.
3. vendors: one call per destination that has a `deletion` table in the policy, retried with the outbox's backoff
   up to `deletion.max_attempts` failures in a row (then the call is failed, and counted); where the vendor returns a
   job id, polled until it finishes. The identifiers in clear are kept for these calls only
   and wiped when each is settled.
4. done: the receipt (counts, times, vendor job ids; no identifiers) is signed with the gateway's Ed25519 key
   (gateway.signed_documents: anyone can check it with the published public key) and stored; the WAL is checkpointed
   and truncated, so no deleted page lingers there.

The request's id is derived from its identifiers and destinations: the same request twice is one request.

A request runs once: the node carrying it holds its lease (`deletion_leases`), renewed by every step in the step's
own transaction; a step whose node no longer holds the lease changes nothing. A node that stops (or dies) lets it
lapse after LEASE_S and another takes the request over from its recorded steps. (On SQLite one process owns a data
directory, and it is the node "local" across restarts: a restarted gateway resumes at once.)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from gateway import reviews, signed_documents, subject_index
from gateway.accounts import AccountMap
from gateway.audit import AuditLog
from gateway.consent_ledger import ConsentLedger
from gateway.database import Database
from gateway.identity import Identity, claimed_links, component
from gateway.keys import SigningKey
from gateway.metrics import Metrics
from gateway.outbox import OutboxStore
from gateway.outbox.retry import backoff_delay, is_retryable, parse_retry_after
from gateway.storage.connection import Connection
from gateway.storage.migrations import tables
from gateway.suppression import Suppression
from gateway.vendor_deletion import VENDORS, configured, identifiers_for, max_attempts
from policies.policy import Destination
from replay.store import ReplayStore

log = logging.getLogger("gateway.deletion")

IDENTIFIER_KINDS = ("userId", "anonymousId", "email", "deviceId")
STORES = ("outbox", "dead_letters", "sink", "replay", "consent", "identity")
RECEIPT_KIND = "privacy-gateway deletion receipt"
POLL_INTERVAL_S = 30.0
STEP_ROWS = 500  # rows of a store deleted per transaction: short enough that ingest commits never wait long
STEP_SESSIONS = 20  # replay sessions per transaction (each with its chunks, blobs, signals, forms and pages)
LEASE_S = 30.0  # how long a request stays with its node after that node's last step
ERASED_WITHIN_S = 10.0  # how long a finishing request waits for readers to let the log be emptied
ERASED_RETRY_S = 5.0  # then, when it tries again

MIGRATIONS = (
    tables(
        "deletion-1",
        (
            """CREATE TABLE deletion_requests (
                id TEXT PRIMARY KEY,
                created_at REAL NOT NULL,
                requested_by TEXT NOT NULL,
                reason TEXT NOT NULL,
                destinations TEXT NOT NULL,
                status TEXT NOT NULL,
                stores TEXT NOT NULL DEFAULT '{}',
                subjects INTEGER NOT NULL DEFAULT 0,
                completed_at REAL,
                receipt TEXT
            )""",
            # The subject's hashes while the request runs (step 1 fills it; the local stores are searched by it).
            """CREATE TABLE deletion_subjects (
                deletion_id TEXT NOT NULL,
                subject TEXT NOT NULL,
                PRIMARY KEY (deletion_id, subject)
            ) WITHOUT ROWID""",
            """CREATE TABLE deletion_calls (
                deletion_id TEXT NOT NULL,
                destination TEXT NOT NULL,
                state TEXT NOT NULL,
                identifiers TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_at REAL NOT NULL DEFAULT 0,
                job_id TEXT,
                error TEXT,
                submitted_at REAL,
                completed_at REAL,
                PRIMARY KEY (deletion_id, destination)
            ) WITHOUT ROWID""",
        ),
    ),
    # Failed tries of a vendor call in a row (`attempts` counts polls too): what the bound on retries counts.
    tables("deletion-calls-failures",
           ("ALTER TABLE deletion_calls ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",)),
    tables(
        "deletion-2",
        ("ALTER TABLE deletion_requests ADD COLUMN include_claimed INTEGER NOT NULL DEFAULT 0",),
    ),
    # Which node carries a request, until when (see the module's docstring).
    tables("deletion-3", ("""CREATE TABLE deletion_leases (
        deletion_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL
    )""",)),
)


class LeaseLost(Exception):
    """Another node carries the request now: this one's step must change nothing."""


class InvalidRequest(Exception):
    pass


@dataclass(frozen=True)
class Backlog:
    """Deletion requests not finished yet: how many, and how long the oldest has waited (0 with none)."""

    requests: int
    oldest_age_s: float


@dataclass(frozen=True)
class Identifiers:
    """The identifiers of a request, per kind, in clear (only for the vendor calls, never stored in the request)."""

    values: Mapping[str, list[str]]

    @classmethod
    def parse(cls, raw: Any) -> Identifiers:
        if not isinstance(raw, dict) or not raw:
            raise InvalidRequest(f"identifiers must be an object like {{\"userId\": \"...\"}}; kinds: "
                                 f"{', '.join(IDENTIFIER_KINDS)}")
        values: dict[str, list[str]] = {}
        for kind, value in raw.items():
            if kind not in IDENTIFIER_KINDS:
                raise InvalidRequest(f"unknown identifier kind {kind!r}; kinds: {', '.join(IDENTIFIER_KINDS)}")
            items = value if isinstance(value, list) else [value]
            if not items or not all(isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip()
                                    for v in items):
                raise InvalidRequest(f"identifiers.{kind} must be a non-empty string or a list of them")
            values[kind] = [str(v).strip().lower() if kind == "email" else str(v) for v in items]
        return cls(values)

    def every_value(self) -> list[str]:
        return [v for items in self.values.values() for v in items]


@dataclass(frozen=True)
class DeletionKeys:
    """The keys of deletion requests: `request_id` derives a request's id from its subject, `receipt` signs receipts."""

    request_id: bytes
    receipt: SigningKey


class Deletions:
    """Deletion requests and the worker that carries them out, over the stores a subject's data lives in."""

    def __init__(self, db: Database, *, destinations: Sequence[Destination], identity: Identity,
                 suppression: Suppression, outbox: OutboxStore, replay: ReplayStore, ledger: ConsentLedger,
                 audit: AuditLog, http: httpx.AsyncClient, keys: DeletionKeys, keep_consent_proof: bool,
                 accounts: AccountMap, metrics: Metrics | None = None, node: str = "local") -> None:
        self.db = db
        self.destinations = tuple(destinations)
        self.identity, self.suppression, self.audit = identity, suppression, audit
        self.outbox, self.replay, self.ledger, self.accounts = outbox, replay, ledger, accounts
        self.http = http
        self._id_key = keys.request_id
        self._receipt_key = keys.receipt
        self.keep_consent_proof = keep_consent_proof
        self.wakeup = asyncio.Event()
        self.rng = random.Random()
        self.metrics = metrics
        self.node = node  # who holds the leases this worker takes: one name per process sharing the database

    # -- requests ----------------------------------------------------------------------------------------------------

    async def request(self, identifiers: Identifiers, reason: str, destinations: Any, requested_by: str,
                      include_claimed: bool = False) -> tuple[str, bool]:
        """Record a deletion request durably. Returns (id, created): the same request again returns its first id.
        `include_claimed`: follow claimed identity links too (a compliance officer's explicit choice)."""
        names = self._destinations(destinations)
        hashes = sorted({self.identity.hash(v) for v in identifiers.every_value()})
        asked: dict[str, Any] = {"subjects": hashes, "destinations": names}
        if include_claimed:
            asked["include_claimed"] = True  # another request than the one without (whose ids stay as they were)
        fingerprint = orjson.dumps(asked)
        deletion_id = "del_" + hmac.new(self._id_key, fingerprint, hashlib.sha256).hexdigest()[:24]
        now = time.time()
        policy = {d.name: d for d in self.destinations}

        def insert(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM deletion_requests WHERE id = ?", (deletion_id,)).fetchone():
                return False
            conn.execute(
                """INSERT INTO deletion_requests (id, created_at, requested_by, reason, destinations, status, subjects,
                                                 include_claimed)
                   VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)""",
                (deletion_id, now, requested_by, reason, orjson.dumps(names).decode(), len(hashes),
                 int(include_claimed)),
            )
            conn.executemany("INSERT INTO deletion_subjects (deletion_id, subject) VALUES (?, ?)",
                             [(deletion_id, h) for h in hashes])
            for name in names:
                destination = policy[name]
                vendor = VENDORS.get(destination.protocol)
                ids = identifiers_for(vendor, identifiers.values) if vendor else []
                state = ("not_configured" if not configured(destination)
                         else "no_identifiers" if not ids else "pending")
                conn.execute(
                    "INSERT INTO deletion_calls (deletion_id, destination, state, identifiers) VALUES (?, ?, ?, ?)",
                    (deletion_id, name, state, orjson.dumps(ids if state == "pending" else []).decode()),
                )
            self.audit.append(conn, requested_by, "compliance", "deletion.requested", deletion_id,
                              {"destinations": names, "identifiers": len(hashes), "include_claimed": include_claimed})
            return True

        created = await self.db.write(insert)
        self.wakeup.set()
        return deletion_id, created

    def _destinations(self, requested: Any) -> list[str]:
        known = [d.name for d in self.destinations if d.protocol != "sink"]
        if requested in (None, "all"):
            return known
        if not isinstance(requested, list) or not all(isinstance(n, str) for n in requested):
            raise InvalidRequest('destinations must be "all" or a list of destination names')
        unknown = sorted(set(requested) - set(known))
        if unknown:
            raise InvalidRequest(f"unknown destinations {unknown}; known: {', '.join(known)}")
        return sorted(set(requested))

    async def status(self, deletion_id: str) -> dict[str, Any] | None:
        def select(conn: Connection) -> dict[str, Any] | None:
            row = conn.execute(
                """SELECT id, status, created_at, completed_at, reason, requested_by, stores, subjects, include_claimed
                   FROM deletion_requests WHERE id = ?""",
                (deletion_id,),
            ).fetchone()
            if row is None:
                return None
            calls = conn.execute(
                """SELECT destination, state, job_id, attempts, error, submitted_at, completed_at
                   FROM deletion_calls WHERE deletion_id = ? ORDER BY destination""",
                (deletion_id,),
            ).fetchall()
            stores = orjson.loads(row[6])
            return {
                "id": row[0], "status": row[1], "created_at": row[2], "completed_at": row[3], "reason": row[4],
                "requested_by": row[5], "subjects": row[7], "include_claimed": bool(row[8]),
                # Claimed links from the subject that were not followed (a count; None until step 1 ran).
                "claimed_links": stores.get("suppress", {}).get("claimed_links"),
                "stores": {name: {k: v for k, v in stores.get(name, {"status": "pending"}).items() if k != "cursor"}
                           for name in STORES},
                "destinations": {
                    d: {"status": s, "job_id": j, "attempts": a, "error": e, "submitted_at": sa, "completed_at": ca}
                    for d, s, j, a, e, sa, ca in calls
                },
            }

        return await self.db.read(select)

    async def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        def select(conn: Connection) -> list[dict[str, Any]]:
            cursor = conn.execute(
                """SELECT id, status, created_at, completed_at, reason, requested_by FROM deletion_requests
                   ORDER BY created_at DESC LIMIT ?""",
                (limit,),
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

        return await self.db.read(select)

    async def receipt(self, deletion_id: str) -> dict[str, Any] | None:
        row = await self.db.read(
            lambda c: c.execute("SELECT receipt FROM deletion_requests WHERE id = ?", (deletion_id,)).fetchone()
        )
        return orjson.loads(row[0]) if row and row[0] else None

    async def backlog(self, now: float | None = None) -> Backlog:
        count, oldest = await self.db.read(lambda c: c.execute(
            "SELECT count(*), min(created_at) FROM deletion_requests WHERE status IN ('pending', 'running')"
        ).fetchone())
        now = time.time() if now is None else now
        return Backlog(count, max(0.0, now - oldest) if oldest is not None else 0.0)

    # -- the worker --------------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Carry every unfinished request forward; wake on new requests and when a vendor call is due."""
        while not stop.is_set():
            self.wakeup.clear()
            next_due: float | None = None
            try:
                for deletion_id in await self.db.read(
                    lambda c: [r[0] for r in c.execute(
                        "SELECT id FROM deletion_requests WHERE status IN ('pending', 'running') ORDER BY created_at")]
                ):
                    due = await self.advance(deletion_id)
                    if due is not None:
                        next_due = due if next_due is None else min(next_due, due)
            except Exception:  # keep the worker alive; the step is retried on the next round
                log.exception("deletion worker: a step failed; retrying")
                next_due = time.time() + 5
            timeout = None if next_due is None else max(0.0, next_due - time.time())
            waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def advance(self, deletion_id: str) -> float | None:
        """Do what is due for one request; returns when to look again (None: nothing waiting on time)."""
        if not await self.db.write(lambda conn: self.lease(conn, deletion_id)):
            return time.time() + LEASE_S  # another node carries it; look again when its lease could have lapsed
        try:
            stores = await self.db.read(lambda c: _stores(c, deletion_id))
            if "suppress" not in stores:
                await self._suppress(deletion_id)
            for store in STORES:
                if stores.get(store, {}).get("status") != "done":
                    await self._delete_local(deletion_id, store)
            next_due = await self._vendor_calls(deletion_id)
            if next_due is None:
                if not await self.db.checkpoint_fully(ERASED_WITHIN_S):
                    # A read under way keeps the old pages of what was deleted (a destroyed key among them) in the
                    # database file: a receipt now would say more than is true. The request stays running.
                    log.warning("deletion %s: a reader holds the database's log; finishing later", deletion_id)
                    return time.time() + ERASED_RETRY_S
                await self._finish(deletion_id)
        except LeaseLost:
            log.warning("deletion %s: another node took it over", deletion_id)
            return time.time() + LEASE_S
        return next_due

    def lease(self, conn: Connection, deletion_id: str) -> bool:
        """Take or renew the request's lease (inside the caller's write): whether this node holds it now."""
        return take_lease(conn, deletion_id, self.node)

    def _hold(self, conn: Connection, deletion_id: str) -> None:
        """Inside a step's write: renew the lease, or raise LeaseLost (the step's write then changes nothing)."""
        if not self.lease(conn, deletion_id):
            raise LeaseLost(deletion_id)

    async def _subjects(self, deletion_id: str) -> set[str]:
        return set(await self.db.read(lambda c: [r[0] for r in c.execute(
            "SELECT subject FROM deletion_subjects WHERE deletion_id = ?", (deletion_id,))]))

    async def _suppress(self, deletion_id: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            self._hold(conn, deletion_id)
            requested = [r[0] for r in conn.execute(
                "SELECT subject FROM deletion_subjects WHERE deletion_id = ?", (deletion_id,))]
            include_claimed = bool(conn.execute("SELECT include_claimed FROM deletion_requests WHERE id = ?",
                                                (deletion_id,)).fetchone()[0])
            subject = component(conn, requested, include_claimed)
            conn.executemany("INSERT INTO deletion_subjects (deletion_id, subject) VALUES (?, ?) "
                             "ON CONFLICT DO NOTHING",
                             [(deletion_id, s) for s in subject])
            self.suppression.add(conn, subject, deletion_id)
            _record_step(conn, deletion_id, "suppress", {"status": "done", "subjects": len(subject),
                                                         "claimed_links": claimed_links(conn, subject)},
                         status="running")

        await self.db.write(write)

    async def _delete_local(self, deletion_id: str, store: str) -> None:
        """Delete the subject from `store`, one short transaction after another until nothing of them is left."""
        subjects = await self._subjects(deletion_id)

        def step(conn: sqlite3.Connection) -> bool:
            self._hold(conn, deletion_id)
            progress = _stores(conn, deletion_id).get(store, {})
            counts, cursor = self._delete_step(conn, deletion_id, store, subjects, progress.get("cursor", 0))
            totals = {name: progress.get(name, 0) + n for name, n in counts.items()}
            _record_step(conn, deletion_id, store,
                         {"status": "done", **totals, "at": time.time()} if cursor is None
                         else {"status": "running", **totals, "cursor": cursor})
            return cursor is None

        while not await self.db.write(step):
            pass
        if store == "replay":
            try:
                await self.replay.sweep()  # the person's ranges of shared objects zeroed now, not at the next pass
            except Exception:  # noqa: BLE001 - the erasures are recorded: the periodic sweep does them
                log.warning("deletion %s: the object store is unavailable; the next sweep zeroes the recordings",
                            deletion_id)

    def _delete_step(self, conn: sqlite3.Connection, deletion_id: str, store: str, subjects: set[str], cursor: int
                     ) -> tuple[dict[str, int], int | None]:
        """One step of deleting the subject from `store` (inside the caller's write): (what it deleted, by count
        name; where the next step starts, None when the store holds nothing of the subject any more)."""
        if store == "replay":
            return self._replay_step(conn, sorted(subjects))
        deleted, next_cursor = self._delete_rows(conn, deletion_id, store, subjects, cursor)
        return {"deleted": deleted}, next_cursor

    def _replay_step(self, conn: sqlite3.Connection, subjects: list[str]) -> tuple[dict[str, int], int | None]:
        """The subject's data keys first (their chunks are unreadable from this step on, wherever a copy is; and
        deleting sessions destroys the keys no chunk is sealed under any more, which would leave them uncounted),
        then their sessions."""
        keys = self.replay.shred_subjects(conn, subjects, STEP_ROWS)
        sessions = self.replay.delete_subjects(conn, subjects, STEP_SESSIONS)
        reviews.delete_for(conn, sessions)  # staff notes about those sessions may describe the person
        return {"deleted": len(sessions), "keys_destroyed": keys}, 0 if sessions or keys else None

    def _delete_rows(self, conn: sqlite3.Connection, deletion_id: str, store: str, subjects: set[str], cursor: int
                     ) -> tuple[int, int | None]:
        ordered = sorted(subjects)
        if store == "outbox":
            handled, deleted = self.outbox.take_subjects(conn, ordered, STEP_ROWS)
            return deleted, 0 if handled else None
        if store in ("dead_letters", "sink"):
            table = "dead_letters" if store == "dead_letters" else "sink_events"
            return subject_index.take_scanning(conn, table, subjects, cursor, STEP_ROWS)
        if store == "consent":  # the ledger's tables are keyed by subject: one step
            return self.ledger.forget(conn, subjects, deletion_id if self.keep_consent_proof else None), None
        # Identity links, and the account each identifier was linked to by group calls (keyed by subject: one step).
        return self.identity.forget(conn, subjects) + self.accounts.delete_subjects(conn, subjects), None

    async def _held(self, deletion_id: str) -> None:
        """Renew the lease before a vendor call goes out (LeaseLost if another node carries the request now): a call
        is made by the node that will record its outcome."""
        await self.db.write(lambda c: self._hold(c, deletion_id))

    async def _vendor_calls(self, deletion_id: str) -> float | None:
        calls = await self.db.read(lambda c: c.execute(
            """SELECT destination, state, identifiers, attempts, next_at, job_id FROM deletion_calls
               WHERE deletion_id = ? AND state IN ('pending', 'submitted')""",
            (deletion_id,),
        ).fetchall())
        next_due: float | None = None
        policy = {d.name: d for d in self.destinations}
        for name, state, identifiers, attempts, next_at, job_id in calls:
            now = time.time()
            if next_at > now:
                next_due = next_at if next_due is None else min(next_due, next_at)
                continue
            destination = policy.get(name)
            if destination is None:
                await self._settle(deletion_id, name, "failed", error="destination no longer in the policy")
                continue
            due = await self._call(deletion_id, destination, state, orjson.loads(identifiers), attempts, job_id)
            if due is not None:
                next_due = due if next_due is None else min(next_due, due)
        return next_due

    async def _call(self, deletion_id: str, destination: Any, state: str, ids: list[str], attempts: int,
                    job_id: str | None) -> float | None:
        vendor = VENDORS[destination.protocol]
        base = vendor.endpoint(destination)
        await self._held(deletion_id)
        if state == "pending":
            call = vendor.submit(base, destination, ids[: vendor.max_ids])
        else:
            assert vendor.poll is not None and job_id is not None
            call = vendor.poll(base, destination, job_id)
        try:
            response = await self.http.request(call.method, call.url, headers=call.headers, content=call.body,
                                               timeout=destination.retry.timeout_s)
        except httpx.TransportError as exc:
            return await self._retry(deletion_id, destination, None, f"{type(exc).__name__}")
        status = response.status_code
        if status >= 300:
            if is_retryable(status):
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                return await self._retry(deletion_id, destination, retry_after, f"HTTP {status}")
            await self._settle(deletion_id, destination.name, "failed",
                               error=f"HTTP {status}: {_without(response.text[:2000], ids)[:200]}")
            return None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if state == "pending":
            new_job = vendor.job_id(answer)
            if new_job and vendor.poll is not None:
                await self._submitted(deletion_id, destination.name, str(new_job))
                return time.time() + self._poll_interval(destination)
            await self._settle(deletion_id, destination.name, "completed", job_id=str(new_job) if new_job else None)
            return None
        assert vendor.job_state is not None
        job_state = vendor.job_state(answer)
        if job_state == "running":
            await self._submitted(deletion_id, destination.name, job_id or "")
            return time.time() + self._poll_interval(destination)
        await self._settle(deletion_id, destination.name, "completed" if job_state == "done" else "failed",
                           job_id=job_id, error=None if job_state == "done" else "the vendor reported the job failed")
        return None

    def _poll_interval(self, destination: Any) -> float:
        return float(destination.deletion.get("poll_interval_s", POLL_INTERVAL_S))

    async def _retry(self, deletion_id: str, destination: Any, retry_after: float | None, error: str) -> float | None:
        """A try failed: again after the backoff; or, at the destination's max_attempts-th failure in a row, never:
        the call is failed."""
        failures = 1 + await self.db.read(lambda c: c.execute(
            "SELECT failures FROM deletion_calls WHERE deletion_id = ? AND destination = ?",
            (deletion_id, destination.name)).fetchone()[0])
        if failures >= max_attempts(destination):
            log.warning("deletion %s: %s answered %s; giving up after %d failed attempts", deletion_id,
                        destination.name, error, failures)
            await self._settle(deletion_id, destination.name, "failed",
                               error=f"gave up after {failures} failed attempts in a row; the last: {error}")
            return None
        delay = backoff_delay(destination.retry, failures, retry_after, self.rng)
        next_at = time.time() + delay

        def write(c: Connection) -> None:
            self._hold(c, deletion_id)
            c.execute("""UPDATE deletion_calls SET attempts = attempts + 1, failures = ?, next_at = ?, error = ?
                         WHERE deletion_id = ? AND destination = ?""",
                      (failures, next_at, error, deletion_id, destination.name))

        await self.db.write(write)
        log.warning("deletion %s: %s answered %s; retrying in %.1f s", deletion_id, destination.name, error, delay)
        return next_at

    async def _submitted(self, deletion_id: str, destination: str, job_id: str) -> None:
        def write(c: Connection) -> None:
            self._hold(c, deletion_id)
            c.execute("""UPDATE deletion_calls SET state = 'submitted', job_id = ?, attempts = attempts + 1,
                                error = NULL, failures = 0, submitted_at = coalesce(submitted_at, ?), next_at = 0
                         WHERE deletion_id = ? AND destination = ?""",
                      (job_id, time.time(), deletion_id, destination))

        await self.db.write(write)

    async def _settle(self, deletion_id: str, destination: str, state: str, job_id: str | None = None,
                      error: str | None = None) -> None:
        """A call is over: keep its outcome, wipe the identifiers it carried."""
        now = time.time()

        def write(c: Connection) -> None:
            self._hold(c, deletion_id)
            c.execute("""UPDATE deletion_calls SET state = ?, identifiers = '[]', job_id = coalesce(?, job_id),
                                error = ?, attempts = attempts + 1, submitted_at = coalesce(submitted_at, ?),
                                completed_at = ?
                         WHERE deletion_id = ? AND destination = ?""",
                      (state, job_id, error, now, now, deletion_id, destination))

        await self.db.write(write)
        if state == "failed" and self.metrics is not None:
            self.metrics.inc("gateway_vendor_deletion_failed_total", destination=destination)

    async def _finish(self, deletion_id: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            self._hold(conn, deletion_id)
            row = conn.execute("SELECT created_at, requested_by, stores, include_claimed FROM deletion_requests "
                               "WHERE id = ?", (deletion_id,)).fetchone()
            calls = conn.execute(
                """SELECT destination, state, job_id, submitted_at, completed_at FROM deletion_calls
                   WHERE deletion_id = ? ORDER BY destination""", (deletion_id,)).fetchall()
            stores = orjson.loads(row[2])
            completed_at = time.time()
            failed = any(state == "failed" for _, state, *_ in calls)
            status = "failed" if failed else "completed"
            receipt = signed_documents.sign({
                "kind": RECEIPT_KIND,
                "deletion_id": deletion_id,
                "requested_at": row[0],
                "requested_by": row[1],
                "completed_at": completed_at,
                "status": status,
                "subject_identifiers": stores.get("suppress", {}).get("subjects", 0),
                "claimed_links_included": bool(row[3]),
                "suppressed": True,
                "stores": {name: stores.get(name, {}).get("deleted", 0) for name in STORES},
                # Recordings are encrypted under keys of the identifiers they are bound to; these were destroyed, so
                # a copy of them made before (a backup, a batched object) cannot be read with this gateway's keys.
                "replay_keys_destroyed": stores.get("replay", {}).get("keys_destroyed", 0),
                "destinations": {d: {"status": s, "job_id": j, "submitted_at": sa, "completed_at": ca}
                                 for d, s, j, sa, ca in calls},
            }, self._receipt_key)
            conn.execute(
                "UPDATE deletion_requests SET status = ?, completed_at = ?, receipt = ? WHERE id = ?",
                (status, completed_at, orjson.dumps(receipt).decode(), deletion_id),
            )
            # The subject's hashes stay only on the suppression list.
            conn.execute("DELETE FROM deletion_subjects WHERE deletion_id = ?", (deletion_id,))
            conn.execute("DELETE FROM deletion_leases WHERE deletion_id = ?", (deletion_id,))
            self.audit.append(conn, "gateway", "system", f"deletion.{status}", deletion_id,
                                      {"stores": receipt["stores"]})

        await self.db.write(write)
        await self.db.checkpoint()
        log.info("deletion %s finished", deletion_id)


def take_lease(conn: Connection, deletion_id: str, node: str, now: float | None = None) -> bool:
    """Take or renew a request's lease for `node` (inside the caller's write): whether `node` holds it now. One
    conditional upsert: it takes a lease nobody holds, renews `node`'s own, or takes over one that expired, and
    changes nothing while another node's is current. On PostgreSQL nodes racing for it are ordered by the row's lock,
    and the loser's condition is checked again on the winner's row, so one of them holds it."""
    now = time.time() if now is None else now
    return conn.execute(
        """INSERT INTO deletion_leases (deletion_id, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (deletion_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE deletion_leases.holder = excluded.holder OR deletion_leases.expires_at < ?
           RETURNING holder""",
        (deletion_id, node, now + LEASE_S, now)).fetchone() is not None


def _stores(conn: Connection, deletion_id: str) -> dict[str, Any]:
    """What each step of a request has done so far."""
    stores: dict[str, Any] = orjson.loads(conn.execute("SELECT stores FROM deletion_requests WHERE id = ?",
                                                       (deletion_id,)).fetchone()[0])
    return stores


def _record_step(conn: Connection, deletion_id: str, step: str, outcome: dict[str, Any],
                 status: str | None = None) -> None:
    stores = _stores(conn, deletion_id)
    stores[step] = outcome
    conn.execute("UPDATE deletion_requests SET stores = ?, status = coalesce(?, status) WHERE id = ?",
                 (orjson.dumps(stores).decode(), status, deletion_id))


def _without(reply: str, ids: Sequence[str]) -> str:
    """A vendor's refusal as the request keeps it: without the subject's identifiers it may echo (the request
    outlives the subject's data)."""
    for identifier in ids:
        reply = reply.replace(identifier, "[identifier]")
    return reply
