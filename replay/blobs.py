"""Where compressed chunks live: a small interface, so that an object store can take the database table's place.

A blob is named by its chunk's id (the integer key of its row in `replay_chunks`). The embedded default keeps blobs in
the gateway's database (BYTEA on PostgreSQL), written in the same transaction as the chunk's index row, so a chunk is
either fully stored or not at all; keyed by that integer, the table needs no index of its own and new rows are
appended. An object-store implementation would `put` before the index row is committed and delete blobs that no
committed row points to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from replay.database import Connection

_IDS_PER_QUERY = 500  # under SQLite's limit on bound parameters in older builds (999)

SCHEMA = ("CREATE TABLE replay_blobs (chunk_id INTEGER PRIMARY KEY, data BLOB NOT NULL)",)


class ChunkStore(Protocol):
    def put(self, conn: Connection, chunk_id: int, data: bytes) -> None: ...
    def get_many(self, conn: Connection, chunk_ids: list[int]) -> dict[int, bytes]: ...
    def delete(self, conn: Connection, chunk_ids: Iterable[int]) -> None: ...


class DatabaseChunkStore:
    def put(self, conn: Connection, chunk_id: int, data: bytes) -> None:
        conn.execute("INSERT INTO replay_blobs (chunk_id, data) VALUES (?, ?) "
                     "ON CONFLICT (chunk_id) DO UPDATE SET data = excluded.data", (chunk_id, data))

    def get_many(self, conn: Connection, chunk_ids: list[int]) -> dict[int, bytes]:
        """The blobs of `chunk_ids` that exist, by chunk id: a session is read in a few queries, not one per chunk."""
        found: dict[int, bytes] = {}
        for start in range(0, len(chunk_ids), _IDS_PER_QUERY):
            batch = chunk_ids[start : start + _IDS_PER_QUERY]
            found.update(conn.execute(
                f"SELECT chunk_id, data FROM replay_blobs WHERE chunk_id IN ({', '.join('?' * len(batch))})", batch
            ).fetchall())
        return found

    def delete(self, conn: Connection, chunk_ids: Iterable[int]) -> None:
        conn.executemany("DELETE FROM replay_blobs WHERE chunk_id = ?", [(i,) for i in chunk_ids])
