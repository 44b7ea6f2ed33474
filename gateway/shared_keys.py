"""The secrets every node on one shared database must hold alike, checked at start against what the database was
written with.

Subject hashes (suppression, consent, identity links, the audit chain) are keyed with the hash key (gateway.keys), and
replay's data keys are wrapped with the master key. A node with a hash key of its own would neither find a deleted
subject in the suppression list nor a person's consent, and would write hashes no other node matches; a node with
another master key would seal recordings the others cannot open. So the first node to start on a database records a
fingerprint of each (an HMAC under the key, of a fixed label: it tells keys apart without revealing them), and a node
whose keys differ is refused at start with a message naming the key, before it takes a request.

Only with a shared database (PostgreSQL): on SQLite one process holds the data directory and its key files.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from gateway.database import Database
from gateway.storage.connection import Connection
from gateway.storage.migrations import tables

MIGRATIONS = (
    tables("shared-keys-1", (
        """CREATE TABLE shared_keys (
            name TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            recorded_at REAL NOT NULL
        ) WITHOUT ROWID""",
    )),
)

LABEL = b"privacy-gateway shared key check"
WHERE = {  # how an operator gives every node the same key
    "hash key": "set [privacy] hash_key (from your secret store) the same on every node",
    "master key": "set PRIVACY_GATEWAY_MASTER_KEY or [privacy] master_key_file the same on every node",
}


class KeyMismatch(Exception):
    """This node's key is not the one the shared database was written with."""


def fingerprint(key: bytes) -> str:
    return hmac.new(key, LABEL, hashlib.sha256).hexdigest()[:32]


def check(db: Database, keys: dict[str, bytes]) -> None:
    """Record each key's fingerprint if the database has none yet, else refuse a key whose fingerprint differs
    (`keys`: "hash key", "master key" → the key). One transaction: nodes starting together record one set."""

    def write(conn: Connection) -> list[str]:
        now = time.time()
        conn.executemany("INSERT INTO shared_keys (name, fingerprint, recorded_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (name) DO NOTHING",
                         [(name, fingerprint(key), now) for name, key in keys.items()])
        stored = dict(conn.execute("SELECT name, fingerprint FROM shared_keys").fetchall())
        return [name for name, key in keys.items() if stored.get(name) != fingerprint(key)]

    differ = db.write_sync(write)
    if differ:
        raise KeyMismatch(
            "this node's " + " and ".join(differ) + " differ from those the shared database was written with (by "
            "another node, or before a change): every node must hold the same keys; "
            + "; ".join(WHERE[name] for name in differ))
