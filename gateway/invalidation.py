"""Telling every node that state it keeps in memory changed in the shared database: PostgreSQL LISTEN/NOTIFY on one
channel, `gateway_invalidation`, whose payload names the topic ("suppression"; the consent and policy caches are to
use the same channel with their own topics).

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
from collections.abc import Callable

import psycopg

from gateway.storage.connection import Connection
from gateway.storage.engine import Engine

log = logging.getLogger("gateway.invalidation")

CHANNEL = "gateway_invalidation"
RECONNECT_S = 1.0  # after losing the listening connection, how long before connecting again
WAKE_S = 1.0  # how often the listening thread looks whether it should stop


class Invalidation:
    """Announce and hear changes to cached state. `engine` None or SQLite: a single process, nothing to do."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine if engine is not None and engine.name == "postgresql" else None
        self._subscribers: defaultdict[str, list[Callable[[], None]]] = defaultdict(list)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()  # set while the listener is connected and listening

    @property
    def shared(self) -> bool:
        return self.engine is not None

    def announce(self, conn: Connection, topic: str) -> None:
        """Inside a write: every node hears `topic` once this write commits (nothing if it does not)."""
        if self.shared:
            conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, topic))

    def subscribe(self, topic: str, refresh: Callable[[], None]) -> None:
        """Call `refresh()` (on the listening thread) whenever a node announces `topic`."""
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
        self._refresh(set(self._subscribers))  # announced while not listening: not delivered, so read again
        self.listening.set()
        raw = conn.raw  # type: ignore[attr-defined]  # PostgresConnection: only PostgreSQL gets here
        while not self._stopping.is_set():
            # Back at the first notice (with any that came in the same packet), or after WAKE_S without one.
            topics = {notice.payload for notice in raw.notifies(timeout=WAKE_S, stop_after=1)}
            self._refresh(topics)

    def _refresh(self, topics: set[str]) -> None:
        for topic in sorted(topics):
            for refresh in self._subscribers.get(topic, ()):
                try:
                    refresh()
                except Exception:  # a subscriber's failure must not stop the others hearing
                    log.exception("invalidation: refreshing %s failed", topic)
