"""Telling every node that state it keeps in memory changed in the shared database: PostgreSQL LISTEN/NOTIFY on one
channel, `gateway_invalidation`, whose payload names the topic ("suppression", "consent", "accounts", "policy") and,
when the write says which, the keys that changed (subject hashes; for "policy", the file's digest), so that a node
reads those rows again rather than the whole table: a consent banner records consent for every visitor, and a
whole-table read on every node for each would grow with the table. A notice without keys (too many to fit a payload,
or a reconnect) means: read it all.

A write announces a topic inside its transaction (`announce`): PostgreSQL delivers a NOTIFY when the transaction
commits, and never for one rolled back, so a node hears of a change only once it is there to be read. Every node
listens on a connection of its own (a thread blocked in psycopg's `notifies()`), and calls the topic's subscribers,
which read the table again. After (re)connecting, every subscriber is called once: what was announced while the
listener was away is not delivered to it.

A notification is a hint for the caches, not the guard: a check that must hold (the suppression check inside the
ingest commit) reads the database in that commit.

On SQLite there is one process (gateway.data_dir_lock): every cache is changed where the write happens, and nothing
is announced or listened for.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

import psycopg

from gateway.storage.connection import Connection
from gateway.storage.engine import Engine

log = logging.getLogger("gateway.invalidation")

CHANNEL = "gateway_invalidation"
RECONNECT_S = 1.0  # after losing the listening connection, how long before connecting again
WAKE_S = 1.0  # how often the listening thread looks whether it should stop
MAX_PAYLOAD = 7000  # PostgreSQL's limit is 8000 bytes; past this the notice names no keys (read everything)

Refresh = Callable[[frozenset[str] | None], None]  # the keys that changed, or None: everything may have


class Invalidation:
    """Announce and hear changes to cached state. `engine` None or SQLite: a single process, nothing to do."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine if engine is not None and engine.name == "postgresql" else None
        self._subscribers: defaultdict[str, list[Refresh]] = defaultdict(list)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()  # set while the listener is connected and listening

    @property
    def shared(self) -> bool:
        return self.engine is not None

    def announce(self, conn: Connection, topic: str, keys: Collection[str] | None = None) -> None:
        """Inside a write: every node hears `topic` (with the `keys` that changed, if given) once this write commits
        (nothing if it does not). Keys must not contain spaces."""
        if self.shared and (keys is None or keys):
            payload = topic if keys is None else " ".join((topic, *sorted(keys)))
            conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, payload if len(payload) <= MAX_PAYLOAD else topic))

    def subscribe(self, topic: str, refresh: Refresh) -> None:
        """Call `refresh(keys)` (on the listening thread) whenever a node announces `topic`: with the keys that
        changed, or None when the notice did not name them."""
        self._subscribers[topic].append(refresh)

    def start(self) -> None:
        if self.shared and self._thread is None:
            self._thread = threading.Thread(target=self._listen, name="invalidation-listener", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(WAKE_S * 3)
            self._thread = None

    def _listen(self) -> None:
        assert self.engine is not None
        while not self._stopping.is_set():
            try:
                conn = self.engine.open()
            except psycopg.Error as error:
                log.warning("invalidation: cannot connect (%s); trying again", type(error).__name__)
                self._stopping.wait(RECONNECT_S)
                continue
            try:
                self._heard(conn)
            except psycopg.Error as error:
                log.warning("invalidation: listening connection lost (%s); connecting again", type(error).__name__)
            finally:
                self.listening.clear()
                with contextlib.suppress(psycopg.Error):
                    conn.close()
            self._stopping.wait(RECONNECT_S)

    def _heard(self, conn: Connection) -> None:
        conn.execute(f"LISTEN {CHANNEL}")
        # Announced while not listening is not delivered: read everything again.
        self._refresh(dict.fromkeys(self._subscribers))
        self.listening.set()
        raw = conn.raw  # type: ignore[attr-defined]  # PostgresConnection: only PostgreSQL gets here
        while not self._stopping.is_set():
            # Back at the first notice (with any that came in the same packet), or after WAKE_S without one.
            self._refresh(changes(notice.payload for notice in raw.notifies(timeout=WAKE_S, stop_after=1)))

    def _refresh(self, changed: dict[str, frozenset[str] | None]) -> None:
        for topic, keys in sorted(changed.items()):
            for refresh in self._subscribers.get(topic, ()):
                try:
                    refresh(keys)
                except Exception:  # a subscriber's failure must not stop the others hearing
                    log.exception("invalidation: refreshing %s failed", topic)


def changes(payloads: Iterable[str]) -> dict[str, frozenset[str] | None]:
    """Notices as topic → the keys they name together, or None when any of them named none (everything)."""
    changed: dict[str, frozenset[str] | None] = {}
    for payload in payloads:
        topic, *keys = payload.split(" ")
        if topic in changed and changed[topic] is None:
            continue
        changed[topic] = None if not keys else (changed.get(topic) or frozenset()) | frozenset(keys)
    return changed
