"""Who is who: identifiers seen together, kept as keyed hashes, so that consent and deletion reach every id of a
subject.

An identifier (a user id, an anonymous id, a device id, an email) is stored only as HMAC-SHA256 under the gateway's
identity key, never in clear. Two identifiers are linked when one event carries both (an identify joins the anonymous id
to the user id; an alias joins the previous id to the new one; a logged-in user's track carries both). A subject is the
connected component of those links.

Each link remembers its provenance (gateway.provenance). A link from public-key traffic is only *claimed*: anyone can
send an identify joining a stranger's user id to their own device. Claimed links never widen an access export or a
deletion and never carry consent; those follow *verified* links only (from server keys, consent tokens, the admin
API). A claimed link seen again with a server key becomes verified.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from gateway.database import Migration
from gateway.provenance import Provenance, verifies
from gateway.storage.connection import Connection
from policies.event import Event
from policies.keyed_hash import KeyedHash

MIGRATIONS = (
    Migration(
        "identity-1",
        (
            # Both directions are stored, so a component is found by following `a` alone.
            """CREATE TABLE identity_links (
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                first_seen REAL NOT NULL,
                PRIMARY KEY (a, b)
            ) WITHOUT ROWID""",
        ),
        postgres=(
            """CREATE TABLE identity_links (
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                first_seen DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (a, b)
            )""",
        ),
    ),
    Migration(
        "identity-2",
        (
            # Links learned before provenance was kept came from write keys: claimed.
            "ALTER TABLE identity_links ADD COLUMN verified INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE identity_links ADD COLUMN provenance TEXT NOT NULL DEFAULT 'public'",
        ),
        postgres=(
            "ALTER TABLE identity_links ADD COLUMN verified INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE identity_links ADD COLUMN provenance TEXT NOT NULL DEFAULT 'public'",
        ),
    ),
)

MAX_COMPONENT = 10_000  # a bound on one subject's identifiers, against a pathological graph


def _get(mapping: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def identifiers(event: Event) -> list[str]:
    """The identifiers an event carries, in clear, for hashing: ids as sent, emails lower-cased."""
    return [value for value, _ in _identifiers(event)]


def _identifiers(event: Event) -> list[tuple[str, bool]]:
    """(identifier, whether the event carries it as its device id), in a stable order."""
    found: list[tuple[str, bool]] = []
    for value, device in ((event.user_id, False), (event.anonymous_id, True), (event.previous_id, False),
                          (_get(event.context, "device", "id"), True)):
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            found.append((str(value), device))
    email = _get(event.traits, "email") or _get(event.context, "traits", "email")
    if isinstance(email, str) and "@" in email:
        found.append((email.strip().lower(), False))
    return found


class Identity:
    def __init__(self, key: bytes, cache_size: int = 100_000) -> None:
        self._keyed = KeyedHash(key)
        self._hashes: OrderedDict[str, str] = OrderedDict()
        self._known_links: OrderedDict[tuple[str, str], bool] = OrderedDict()  # pair -> verified
        self._cache_size = cache_size

    def hash(self, value: str) -> str:
        """The keyed hash of one identifier (32 hex digits). Cached: the same ids arrive again and again."""
        cached = self._hashes.get(value)
        if cached is not None:
            return cached
        digest = self._keyed.hexdigest(value.encode("utf-8"))[:32]
        self._hashes[value] = digest
        if len(self._hashes) > self._cache_size:
            self._hashes.popitem(last=False)
        return digest

    def subjects(self, event: Event) -> tuple[str, ...]:
        """The hashes of every identifier in `event`, without repeats, in a stable order."""
        return self.subjects_and_devices(event)[0]

    def subjects_and_devices(self, event: Event) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The hashes of every identifier in `event` (without repeats, in a stable order), and of those it carries as
        its device ids (anonymousId, context.device.id): whose device-scoped consent applies to it."""
        hash_ = self.hash
        subjects: dict[str, None] = {}
        devices: list[str] = []
        for value, device in _identifiers(event):
            digest = hash_(value)
            subjects[digest] = None
            if device:
                devices.append(digest)
        return tuple(subjects), tuple(devices)

    def new_links(self, subjects: Iterable[tuple[str, ...]], verified: bool = False) -> list[tuple[str, str]]:
        """Links implied by these events' subjects (each event's first id to its others) not already recorded, or
        recorded as claimed when these are `verified`."""
        links: list[tuple[str, str]] = []
        known = self._known_links
        for ids in subjects:
            for other in ids[1:]:
                pair = (ids[0], other) if ids[0] < other else (other, ids[0])
                was = known.get(pair)
                if was is None or (verified and not was):
                    links.append(pair)
        return links

    def record_links(self, conn: Connection, links: list[tuple[str, str]],
                     provenance: Provenance = "public") -> None:
        """Store `links` (inside the caller's write); a claimed link is upgraded when a verifying credential says it
        again. Remembered in memory, so a pair is written once per kind."""
        if not links:
            return
        now, verified = time.time(), int(verifies(provenance))
        conn.executemany(
            """INSERT INTO identity_links (a, b, first_seen, verified, provenance) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (a, b) DO UPDATE SET verified = 1, provenance = excluded.provenance
               WHERE excluded.verified = 1 AND identity_links.verified = 0""",
            [row for a, b in links for row in ((a, b, now, verified, provenance), (b, a, now, verified, provenance))],
        )
        for pair in links:
            self._known_links[pair] = bool(verified) or self._known_links.get(pair, False)
        while len(self._known_links) > self._cache_size:
            self._known_links.popitem(last=False)

    def forget(self, conn: Connection, subjects: set[str]) -> int:
        """Remove every link touching `subjects` (inside the caller's write), and the cached hashes of their ids."""
        removed = 0
        for subject in subjects:
            # Both directions are stored (record_links): the links from the subject name the ones to it, so both
            # are found by the primary key.
            others = conn.execute("DELETE FROM identity_links WHERE a = ? RETURNING b", (subject,)).fetchall()
            removed += len(others)
            for (other,) in others:
                removed += conn.execute("DELETE FROM identity_links WHERE a = ? AND b = ?", (other, subject)).rowcount
        # list(...) copies in one step: the event loop may add to these caches while the writer thread runs this.
        self._known_links = OrderedDict((pair, verified) for pair, verified in list(self._known_links.items())
                                        if pair[0] not in subjects and pair[1] not in subjects)
        self._hashes = OrderedDict((value, h) for value, h in list(self._hashes.items()) if h not in subjects)
        return removed


def component(conn: Connection, start: Iterable[str], include_claimed: bool = False) -> set[str]:
    """Every identifier hash linked, directly or not, to any of `start` (which are included): over verified links,
    and over claimed ones too when a compliance officer asks for them explicitly."""
    seen = set(start)
    frontier = list(seen)
    which = "" if include_claimed else " AND verified = 1"
    while frontier and len(seen) < MAX_COMPONENT:
        batch, frontier = frontier[:500], frontier[500:]
        placeholders = ",".join("?" * len(batch))
        for (b,) in conn.execute(f"SELECT b FROM identity_links WHERE a IN ({placeholders}){which}", batch):
            if b not in seen:
                seen.add(b)
                frontier.append(b)
    return seen


def claimed_links(conn: Connection, subject: set[str]) -> int:
    """How many claimed links lead from `subject` to identifiers outside it: what a request found and did not follow
    (a count; which identifiers they lead to is not shown)."""
    found: set[tuple[str, str]] = set()
    ids = list(subject)
    for i in range(0, len(ids), 500):
        batch = ids[i:i + 500]
        placeholders = ",".join("?" * len(batch))
        for a, b in conn.execute(
                f"SELECT a, b FROM identity_links WHERE a IN ({placeholders}) AND verified = 0", batch):
            if b not in subject:
                found.add((a, b))
    return len(found)


def linked_to(conn: Connection, ids: Iterable[str], bound: Iterable[str]) -> bool:
    """Whether every one of `ids` is linked directly (claimed or verified) to one of `bound`."""
    targets = list(bound)
    if not targets:
        return False
    placeholders = ",".join("?" * len(targets))
    return all(
        conn.execute(f"SELECT 1 FROM identity_links WHERE a = ? AND b IN ({placeholders}) LIMIT 1",
                     (value, *targets)).fetchone() is not None
        for value in ids
    )
