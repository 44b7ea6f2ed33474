"""Who is who: identifiers seen together, kept as keyed hashes, so that consent and deletion reach every id of a
subject.

An identifier (a user id, an anonymous id, a device id, an email) is stored only as HMAC-SHA256 under the gateway's
identity key, never in clear. Two identifiers are linked when one event carries both (an identify joins the anonymous id
to the user id; an alias joins the previous id to the new one; a logged-in user's track carries both). A subject is the
connected component of those links.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from gateway.database import Migration
from policies.event import Event

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
    found: list[str] = []
    for value in (event.user_id, event.anonymous_id, event.previous_id, _get(event.context, "device", "id")):
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            found.append(str(value))
    email = _get(event.traits, "email") or _get(event.context, "traits", "email")
    if isinstance(email, str) and "@" in email:
        found.append(email.strip().lower())
    return found


class Identity:
    def __init__(self, key: bytes, cache_size: int = 100_000) -> None:
        self._key = key
        self._hashes: OrderedDict[str, str] = OrderedDict()
        self._known_links: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._cache_size = cache_size

    def hash(self, value: str) -> str:
        """The keyed hash of one identifier (32 hex digits). Cached: the same ids arrive again and again."""
        cached = self._hashes.get(value)
        if cached is not None:
            return cached
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        self._hashes[value] = digest
        if len(self._hashes) > self._cache_size:
            self._hashes.popitem(last=False)
        return digest

    def subjects(self, event: Event) -> tuple[str, ...]:
        """The hashes of every identifier in `event`, without repeats, in a stable order."""
        return tuple(dict.fromkeys(self.hash(value) for value in identifiers(event)))

    def new_links(self, subjects: Iterable[tuple[str, ...]]) -> list[tuple[str, str]]:
        """Links implied by these events' subjects (each event's first id to its others) not already recorded."""
        links: list[tuple[str, str]] = []
        for ids in subjects:
            for other in ids[1:]:
                pair = (ids[0], other) if ids[0] < other else (other, ids[0])
                if pair not in self._known_links:
                    links.append(pair)
        return links

    def record_links(self, conn: sqlite3.Connection, links: list[tuple[str, str]]) -> None:
        """Store `links` (inside the caller's write). Remembered in memory, so a pair is written once."""
        if not links:
            return
        now = time.time()
        conn.executemany(
            "INSERT OR IGNORE INTO identity_links (a, b, first_seen) VALUES (?, ?, ?)",
            [row for a, b in links for row in ((a, b, now), (b, a, now))],
        )
        for pair in links:
            self._known_links[pair] = None
        while len(self._known_links) > self._cache_size:
            self._known_links.popitem(last=False)


    def forget(self, conn: sqlite3.Connection, subjects: set[str]) -> int:
        """Remove every link touching `subjects` (inside the caller's write), and the cached hashes of their ids."""
        removed = 0
        for subject in subjects:
            removed += conn.execute("DELETE FROM identity_links WHERE a = ? OR b = ?", (subject, subject)).rowcount
        # list(...) copies in one step: the event loop may add to these caches while the writer thread runs this.
        self._known_links = OrderedDict((pair, None) for pair in list(self._known_links)
                                        if pair[0] not in subjects and pair[1] not in subjects)
        self._hashes = OrderedDict((value, h) for value, h in list(self._hashes.items()) if h not in subjects)
        return removed


def component(conn: sqlite3.Connection, start: Iterable[str]) -> set[str]:
    """Every identifier hash linked, directly or not, to any of `start` (which are included)."""
    seen = set(start)
    frontier = list(seen)
    while frontier and len(seen) < MAX_COMPONENT:
        batch, frontier = frontier[:500], frontier[500:]
        placeholders = ",".join("?" * len(batch))
        for (b,) in conn.execute(f"SELECT b FROM identity_links WHERE a IN ({placeholders})", batch):
            if b not in seen:
                seen.add(b)
                frontier.append(b)
    return seen
