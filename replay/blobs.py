"""Where compressed chunks live: a small interface, so that an object store can take the SQLite table's place.

The embedded default keeps blobs in the gateway's SQLite file, written in the same transaction as the chunk's index row,
so a chunk is either fully stored or not at all. An object-store implementation would `put` before the index row is
committed and delete blobs that no committed row points to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Protocol

SCHEMA = ("CREATE TABLE replay_blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL)",)


class ChunkStore(Protocol):
    def put(self, conn: sqlite3.Connection, key: str, data: bytes) -> None: ...
    def get(self, conn: sqlite3.Connection, key: str) -> bytes | None: ...
    def delete(self, conn: sqlite3.Connection, keys: Iterable[str]) -> None: ...


class SqliteChunkStore:
    def put(self, conn: sqlite3.Connection, key: str, data: bytes) -> None:
        conn.execute("INSERT OR REPLACE INTO replay_blobs (key, data) VALUES (?, ?)", (key, data))

    def get(self, conn: sqlite3.Connection, key: str) -> bytes | None:
        row = conn.execute("SELECT data FROM replay_blobs WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def delete(self, conn: sqlite3.Connection, keys: Iterable[str]) -> None:
        conn.executemany("DELETE FROM replay_blobs WHERE key = ?", [(k,) for k in keys])
