"""Compaction: an idle recording rewritten as one sealed segment, so that it is stored in fewer bytes.

Chunks are stored as they arrive, each compressed on its own (with the source's dictionary) and indexed by a row of
`replay_chunks`: small inputs compress poorly, and a row per chunk costs about as much as a fifth of the chunk. Once a
session has received nothing for `[replay.storage] compact_after_s`, the store (ReplayStore.compact, run by the
background task below) rewrites its chunks as one segment:

- the chunks' JSON one after another, compressed as one zstd frame at `compact_level` with the source's current
  dictionary, sealed (replay.shredding) under the session's data key, with a random 16-byte identity of the segment as
  associated data: a deletion that destroys the key makes the segment unreadable like the chunks it replaces;
- its bytes one blob of `replay_segment_blobs` (database backend) or a range of an object that holds the segments of
  every session of one compaction pass (S3 backend: up to COMPACT_BATCH sessions, at most `batch_bytes`; named like
  batched objects and counting its segments in `replay_objects`, so the object sweeper removes it when the last one
  goes, and zeroes a deleted person's range before that, as for batched chunks). One object row per pass, not per
  segment: a row and its key index cost ~135 bytes, about 1.3 % of a recording's per-chunk gzip-6 size;
- one row of `replay_segments`, whose `chunk_table` keeps each chunk's window, time span and where its JSON starts and
  ends in the segment, so that reading by window and merging by time still work event by event.

The segment is written first (an object put, or nothing yet for the database), then one transaction inserts its row
(and blob), counts the old chunks off their objects (the sweeper frees them) and deletes their rows, after checking
that those chunks and the key are still there: a deletion or new data in between leaves the old rows as they were and
the segment unused (an orphan object the sweeper removes). A kill -9 at any point loses nothing: until the commit the
old rows and bytes are what reads use.

Only chunks sealed under a key are compacted, one segment per key (a session's chunks share their binding's key);
chunks arriving after compaction are stored as chunks again and compacted with the next idle period, as another
segment of the session. On the S3 backend, a session that goes on is not left with inline chunks (small flushes kept
in the database, `inline_below`) for longer than `compact_after_s`: its chunks older than that become a segment
(`busy_with_old_inline`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import orjson
import zstandard

from replay.database import Connection

log = logging.getLogger("replay.compaction")

COMPACT_BATCH = 100  # sessions compacted per pass of the background task
_IDS_PER_QUERY = 500  # under SQLite's limit on bound parameters in older builds (999)

# One definition of the segment index, for the store and for bench/replay_store.py's measure of its size.
SCHEMA = (
    """CREATE TABLE replay_segments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        dictionary_id INTEGER,
        seal_id BLOB NOT NULL,
        first_ts INTEGER NOT NULL,
        last_ts INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        chunk_table BLOB NOT NULL,
        object INTEGER,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX replay_segments_session ON replay_segments (session_id)",
    "CREATE INDEX replay_segments_key ON replay_segments (key_id)",
    "CREATE TABLE replay_segment_blobs (segment_id INTEGER PRIMARY KEY, data BLOB NOT NULL)",
)
# A segment's layout (replay.segment_codec; 0 before it), and which layout a dictionary was trained on: a source has
# one dictionary for chunks as stored and one for segments.
LAYOUT_SCHEMA = (
    "ALTER TABLE replay_segments ADD COLUMN layout INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE replay_dictionaries ADD COLUMN layout INTEGER NOT NULL DEFAULT 0",
)
# Where in its object a segment starts (segments written before this were each a whole object: 0).
OFFSET_SCHEMA = ("ALTER TABLE replay_segments ADD COLUMN object_offset INTEGER NOT NULL DEFAULT 0",)
# Columns that only repeated the chunk table (its parts' first and last times, the end of the last), read by nothing.
REPEATED_COLUMNS = (
    "ALTER TABLE replay_segments DROP COLUMN first_ts",
    "ALTER TABLE replay_segments DROP COLUMN last_ts",
    "ALTER TABLE replay_segments DROP COLUMN raw_bytes",
)
# When a segment was written: read by nothing (retention goes by its session's times), 9 bytes a session.
UNREAD_COLUMNS = ("ALTER TABLE replay_segments DROP COLUMN created_at",)
# A session's segments are found by their ids in its own row (a few bytes; most sessions have one segment), not by an
# index on replay_segments.session_id (~45 bytes a segment: the 36-character session id again, and its row id).
SESSION_SEGMENTS = (
    "ALTER TABLE replay_sessions ADD COLUMN segments TEXT NOT NULL DEFAULT ''",
    """UPDATE replay_sessions SET segments = (SELECT group_concat(id, ' ') FROM
        (SELECT id FROM replay_segments g WHERE g.session_id = replay_sessions.session_id ORDER BY id))
        WHERE session_id IN (SELECT session_id FROM replay_segments)""",
    "DROP INDEX replay_segments_session",
)
POSTGRES_SESSION_SEGMENTS = (
    SESSION_SEGMENTS[0],
    """UPDATE replay_sessions s SET segments = g.ids FROM
        (SELECT session_id, string_agg(id::text, ' ' ORDER BY id) AS ids FROM replay_segments GROUP BY session_id) g
        WHERE g.session_id = s.session_id""",
    SESSION_SEGMENTS[2],
)
INDEX_TABLES = ("replay_segments", "replay_segments_key")  # what the bench counts as index


@dataclass(frozen=True)
class Part:
    """One former chunk inside a segment: its window, time span, and where its JSON is in the segment's plaintext."""

    window_id: str
    first_ts: int
    last_ts: int
    start: int
    end: int
    # The first DIGEST_BYTES of the chunk's digest (replay.shredding.KeyRing.chunk_digest; WIDE_DIGEST_BYTES in tables
    # written before): a batch resent after its session was compacted is a duplicate still. b"": a table written
    # before digests were kept.
    digest: bytes = b""


@dataclass(frozen=True)
class Segment:
    """A segment's index row, as reading needs it; `object_key` None: its bytes are in the database."""

    id: int
    key_id: str
    dictionary_id: int | None
    seal_id: bytes
    stored_bytes: int
    table: bytes  # the chunk table as stored (`parts` encoded)
    object_key: str | None
    layout: int  # replay.segment_codec
    object_offset: int = 0  # where in its object it starts

    @property
    def parts(self) -> list[Part]:
        return decode_parts(self.table)

    @property
    def bound_to(self) -> bytes:
        """What its seal's associated data names it by (see `seal_binding`)."""
        return self.seal_id or _table_binding(self.table)


def seal_binding(parts: list[Part]) -> tuple[bytes, bytes]:
    """(seal_id to store, what the seal binds) of a new segment. A chunk table that names each chunk by its digest
    tells the segment from any other, so the seal binds that table and no id is stored (16 bytes a session less).
    A table of chunks stored before digests existed names no chunk (two segments of one session could share it), so
    such a segment gets a random 16-byte `seal_id`, as every segment sealed before did."""
    if parts and all(len(part.digest) == DIGEST_BYTES for part in parts):  # (with its times, see is_compacted)
        return b"", _table_binding(encode_parts(parts))
    seal_id = os.urandom(SEAL_ID_BYTES)
    return seal_id, seal_id


def _table_binding(table: bytes) -> bytes:
    """The table with its length first: the associated data goes on with the session id, and without the length a
    table and a session id could be cut apart at another place (a digests table is longer than a 16-byte seal id, so
    it cannot be read as one either)."""
    return struct.pack(">I", len(table)) + table


# The chunk table's formats. Tables written first were zstd-compressed JSON (they start with zstd's magic number);
# TABLE_VARINTS is a version byte, then the windows' ids, then per part its window's index, its start time as the
# difference from the previous part's, its duration and its length, as LEB128 varints (signed ones zigzagged): about
# three fifths of the JSON's size, and the table is most of a segment's index row. TABLE_DIGESTS is the same with the
# first WIDE_DIGEST_BYTES of each part's digest after its varints. TABLE_UUIDS is TABLE_DIGESTS with each window named
# by its 16 bytes, when every window id is a UUID as posthog-js writes them (36 characters: 20 bytes less a window).
# TABLE_SHORT and TABLE_SHORT_UUIDS (what is written now) are those two with DIGEST_BYTES of each digest, and without
# the parts' window index when the segment has one window (most do).
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
TABLE_VARINTS = 1
TABLE_DIGESTS = 2
TABLE_UUIDS = 3
TABLE_SHORT = 4
TABLE_SHORT_UUIDS = 5
_UUID_TABLES = (TABLE_UUIDS, TABLE_SHORT_UUIDS)
# A resent batch is told from a new chunk by its window, first and last times and these bytes of its digest together
# (`is_compacted`): a new chunk of a session's window starting and ending in the same milliseconds as one compacted
# (itself rare) shares 4 bytes of a keyed digest with it by a chance of 2^-32. Tables before kept 8 bytes and no
# times in the test: 4 bytes less a chunk, some 50 a session.
DIGEST_BYTES = 4
WIDE_DIGEST_BYTES = 8
_DIGEST_BYTES = {TABLE_VARINTS: 0, TABLE_DIGESTS: WIDE_DIGEST_BYTES, TABLE_UUIDS: WIDE_DIGEST_BYTES,
                 TABLE_SHORT: DIGEST_BYTES, TABLE_SHORT_UUIDS: DIGEST_BYTES}
SEAL_ID_BYTES = 16  # a random seal id (segments sealed before the table was bound, and tables without digests)
_UNTABLE = zstandard.ZstdDecompressor()


def _varint(value: int, out: bytearray) -> None:
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


class _Reader:
    def __init__(self, data: bytes, at: int) -> None:
        self.data, self.at = data, at

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def signed(self) -> int:
        value = self.varint()
        return value >> 1 if not value & 1 else -(value >> 1) - 1

    def text(self) -> str:
        return self.raw(self.varint()).decode()

    def raw(self, length: int) -> bytes:
        self.at += length
        return self.data[self.at - length : self.at]


def _is_uuid(window_id: str) -> bool:
    """Whether `window_id` is a UUID written the one way str(UUID) writes it (so that its 16 bytes give it back)."""
    try:
        return str(uuid.UUID(window_id)) == window_id
    except ValueError:
        return False


def encode_parts(parts: list[Part]) -> bytes:
    """The chunk table, small: windows named once, times and lengths as differences (most are a byte or two)."""
    windows = list(dict.fromkeys(part.window_id for part in parts))
    digests = all(len(part.digest) == DIGEST_BYTES for part in parts)
    if any(len(part.digest) not in (0, DIGEST_BYTES) for part in parts):
        raise ValueError(f"a chunk table keeps {DIGEST_BYTES} bytes of a part's digest")
    uuids = digests and all(map(_is_uuid, windows))
    out = bytearray([TABLE_SHORT_UUIDS if uuids else TABLE_SHORT if digests else TABLE_VARINTS])
    indexed = not digests or len(windows) > 1  # a short table names the window of a part only if there are several
    _varint(len(windows), out)
    for window in windows:
        name = uuid.UUID(window).bytes if uuids else window.encode()
        if not uuids:
            _varint(len(name), out)
        out += name
    _varint(len(parts), out)
    previous = 0
    for part in parts:
        if indexed:
            _varint(windows.index(part.window_id), out)
        _varint(_zigzag(part.first_ts - previous), out)
        _varint(_zigzag(part.last_ts - part.first_ts), out)
        _varint(part.end - part.start, out)
        if digests:
            out += part.digest
        previous = part.first_ts
    return bytes(out)


def decode_parts(data: bytes) -> list[Part]:
    if data.startswith(_ZSTD_MAGIC):
        return _decode_json_parts(data)
    if data[0] not in _DIGEST_BYTES:
        raise ValueError(f"unknown chunk table format {data[0]}")
    digest_bytes = _DIGEST_BYTES[data[0]]
    reader = _Reader(data, 1)
    windows = [str(uuid.UUID(bytes=reader.raw(16))) if data[0] in _UUID_TABLES else reader.text()
               for _ in range(reader.varint())]
    indexed = data[0] not in (TABLE_SHORT, TABLE_SHORT_UUIDS) or len(windows) > 1
    parts: list[Part] = []
    first = end = 0
    for _ in range(reader.varint()):
        window, first = windows[reader.varint() if indexed else 0], first + reader.signed()
        last, length = first + reader.signed(), reader.varint()
        reader.at += digest_bytes
        parts.append(Part(window, first, last, end, end + length, data[reader.at - digest_bytes : reader.at]))
        end += length
    return parts


def _decode_json_parts(data: bytes) -> list[Part]:
    """A table in the first format: {"windows": [...], "parts": [[window, first_ts - previous's, last_ts - first_ts,
    length], ...]}, zstd-compressed."""
    table = orjson.loads(_UNTABLE.decompress(data))
    windows, rows = table["windows"], table["parts"]
    firsts = list(accumulate(row[1] for row in rows))
    ends = list(accumulate(row[3] for row in rows))
    return [Part(windows[row[0]], first, first + row[2], end - row[3], end)
            for row, first, end in zip(rows, firsts, ends, strict=True)]


def idle_sessions(after: float, before: float, limit: int, conn: Connection) -> list[tuple[str, str, float]]:
    """(session id, source, last written) of sessions last written from `after` to before `before` that have chunks
    sealed under a key, oldest first. `after` is where the previous pass ended: compacted sessions are not looked at
    again, and a chunk added to one moves its session past it."""
    rows = conn.execute(
        """SELECT s.session_id, s.source, s.updated_at FROM replay_sessions s
           WHERE s.updated_at >= ? AND s.updated_at < ? AND EXISTS
               (SELECT 1 FROM replay_chunks c WHERE c.session_id = s.session_id AND c.key_id IS NOT NULL)
           ORDER BY s.updated_at LIMIT ?""", (after, before, limit)).fetchall()
    return [(session_id, source, updated_at) for session_id, source, updated_at in rows]


def busy_with_old_inline(before: float, limit: int, conn: Connection) -> list[tuple[str, str]]:
    """(session id, source) of sessions still being written to (not idle since `before`) that hold chunks kept in the
    database that were written before `before`: on the S3 backend, its small flushes' inline chunks, which would
    otherwise stay in the database as long as the session goes on."""
    rows = conn.execute(
        """SELECT DISTINCT s.session_id, s.source FROM replay_blobs b JOIN replay_chunks c ON c.id = b.chunk_id
           JOIN replay_sessions s ON s.session_id = c.session_id
           WHERE c.created_at < ? AND c.key_id IS NOT NULL AND s.updated_at >= ? LIMIT ?""",
        (before, before, limit)).fetchall()
    return [(session_id, source) for session_id, source in rows]


def segment_ids(conn: Connection, session_ids: Iterable[str]) -> dict[str, list[int]]:
    """The ids of the segments of those of `session_ids` that have any, from their sessions' rows (SESSION_SEGMENTS)."""
    ids = list(dict.fromkeys(session_ids))
    found: dict[str, list[int]] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        batch = ids[start : start + _IDS_PER_QUERY]
        found.update((session_id, [int(i) for i in segments.split()]) for session_id, segments in conn.execute(
            f"SELECT session_id, segments FROM replay_sessions WHERE session_id IN ({', '.join('?' * len(batch))}) "
            "AND segments <> ''", batch))
    return found


def _by_id(conn: Connection, columns: str, ids: list[int]) -> list[Any]:
    """`columns` of the segments `ids` (g: replay_segments, o: its object's row), in id order."""
    rows: list[Any] = []
    for start in range(0, len(ids), _IDS_PER_QUERY):
        batch = ids[start : start + _IDS_PER_QUERY]
        rows += conn.execute(f"SELECT {columns} FROM replay_segments g LEFT JOIN replay_objects o ON o.id = g.object "
                             f"WHERE g.id IN ({', '.join('?' * len(batch))}) ORDER BY g.id", batch).fetchall()
    return rows


def segments_of(conn: Connection, session_id: str) -> list[Segment]:
    rows = _by_id(conn, "g.id, g.key_id, g.dictionary_id, g.seal_id, g.stored_bytes, g.chunk_table, o.key, g.layout, "
                  "g.object_offset", segment_ids(conn, [session_id]).get(session_id, []))
    return [Segment(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8])
            for row in rows]


def recent_segments(conn: Connection, source: str, chunks: int) -> list[tuple[str, Segment]]:
    """(session id, segment) of a source's newest segments, enough of them to hold `chunks` chunks."""
    found: list[tuple[str, Segment]] = []
    held = 0
    for row in conn.execute(
        """SELECT g.session_id, g.id, g.key_id, g.dictionary_id, g.seal_id, g.stored_bytes, g.chunk_table, o.key,
                  g.chunks, g.layout, g.object_offset FROM replay_segments g JOIN replay_sessions s USING (session_id)
           LEFT JOIN replay_objects o ON o.id = g.object WHERE s.source = ? ORDER BY g.id DESC LIMIT ?""",
        (source, chunks)):
        if held >= chunks:
            break
        found.append((row[0], Segment(row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                                      row[9], row[10])))
        held += row[8]
    return found


# A compacted chunk as a resent batch is told apart by once its chunk row is gone: (session id, window id, first and
# last times, its digest's first bytes as its table kept them).
Compacted = tuple[str, str, int, int, bytes]


def compacted_digests(conn: Connection, session_ids: Iterable[str]) -> set[Compacted]:
    """The chunks compacted into the segments of `session_ids` (`Compacted`). One indexed query; nothing for sessions
    without segments (most of those being written)."""
    found: set[Compacted] = set()
    ids = [i for segments in segment_ids(conn, session_ids).values() for i in segments]
    for session_id, table in _by_id(conn, "g.session_id, g.chunk_table", ids):
        found.update((session_id, part.window_id, part.first_ts, part.last_ts, part.digest)
                     for part in decode_parts(table) if part.digest)
    return found


def is_compacted(compacted: set[Compacted], session_id: str, window_id: str, first_ts: int | float | None,
                 last_ts: int | float | None, digest: bytes) -> bool:
    """Whether a chunk (its full digest) is one of `compacted`, in a table of either digest length (a chunk without
    times never is: a table keeps a part's times as numbers)."""
    return any((session_id, window_id, first_ts, last_ts, digest[:n]) in compacted
               for n in (DIGEST_BYTES, WIDE_DIGEST_BYTES))


def blobs_of(conn: Connection, segments: Iterable[Segment]) -> dict[int, bytes]:
    """The bytes of those of `segments` kept in the database."""
    found: dict[int, bytes] = {}
    for segment in segments:
        if segment.object_key is None:
            row = conn.execute("SELECT data FROM replay_segment_blobs WHERE segment_id = ?", (segment.id,)).fetchone()
            if row is not None:
                found[segment.id] = row[0]
    return found


@dataclass(frozen=True)
class NewSegment:
    session_id: str
    key_id: str
    dictionary_id: int | None
    seal_id: bytes
    parts: list[Part]
    data: bytes  # sealed
    layout: int


def insert(conn: Connection, segment: NewSegment, object_id: int | None, offset: int) -> int:
    """The segment's row; its bytes too unless they are in an object (`object_id`, at `offset`, counted as one chunk
    of it)."""
    parts = segment.parts
    row = conn.execute(
        """INSERT INTO replay_segments (session_id, key_id, dictionary_id, seal_id, chunks, stored_bytes, chunk_table,
                                        object, layout, object_offset)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (segment.session_id, segment.key_id, segment.dictionary_id, segment.seal_id, len(parts), len(segment.data),
         encode_parts(parts), object_id, segment.layout, offset)).fetchone()
    conn.execute("UPDATE replay_sessions SET segments = CASE WHEN segments = '' THEN ? ELSE segments || ' ' || ? END "
                 "WHERE session_id = ?", (str(row[0]), str(row[0]), segment.session_id))
    if object_id is None:
        conn.execute("INSERT INTO replay_segment_blobs (segment_id, data) VALUES (?, ?)", (row[0], segment.data))
    else:
        conn.execute("UPDATE replay_objects SET chunks = chunks + 1 WHERE id = ?", (object_id,))
    return int(row[0])


def chunks_held(conn: Connection, chunk_ids: list[int], key_id: str) -> tuple[int, int]:
    """(How many of `chunk_ids` are still stored sealed under `key_id`, their stored bytes.)"""
    held = stored = 0
    for start in range(0, len(chunk_ids), _IDS_PER_QUERY):
        batch = chunk_ids[start : start + _IDS_PER_QUERY]
        count, size = conn.execute(
            f"SELECT count(*), coalesce(sum(stored_bytes), 0) FROM replay_chunks WHERE id IN "
            f"({', '.join('?' * len(batch))}) AND key_id = ?", (*batch, key_id)).fetchone()
        held, stored = held + count, stored + size
    return held, stored


def delete_for_session(conn: Connection, session_id: str) -> set[str]:
    """Delete a session's segments (inside the caller's write): their blobs, or their count in their objects (the
    sweeper deletes an object left with none) and their ranges listed for the sweeper to zero, for a deletion and an
    expiry alike: the other sessions of its pass keep the object, where its segment was once an object of its own
    that the next sweep deleted. Returns the keys they were sealed under. Before the session's row goes: it names
    them."""
    rows = _by_id(conn, "g.id, g.key_id, g.object, g.object_offset, g.stored_bytes",
                  segment_ids(conn, [session_id]).get(session_id, []))
    conn.executemany("DELETE FROM replay_segment_blobs WHERE segment_id = ?", [(row[0],) for row in rows])
    in_objects = [row for row in rows if row[2] is not None]
    conn.executemany("UPDATE replay_objects SET chunks = chunks - 1 WHERE id = ?", [(row[2],) for row in in_objects])
    conn.executemany("INSERT INTO replay_erasures (object, object_offset, length) VALUES (?, ?, ?) "
                     "ON CONFLICT DO NOTHING", [row[2:] for row in in_objects])
    conn.executemany("DELETE FROM replay_segments WHERE id = ?", [(row[0],) for row in rows])
    conn.execute("UPDATE replay_sessions SET segments = '' WHERE session_id = ? AND segments <> ''", (session_id,))
    return {row[1] for row in rows}


def keys_in_use(conn: Connection, key_ids: Iterable[str]) -> set[str]:
    """Those of `key_ids` that a segment is still sealed under (a key is shared by the sessions of one binding)."""
    return {key_id for key_id in key_ids
            if conn.execute("SELECT 1 FROM replay_segments WHERE key_id = ? LIMIT 1", (key_id,)).fetchone()}


def chunks_with_dictionary(conn: Connection, source: str, dict_ids: tuple[int | None, int | None]) -> int:
    """Chunks compacted into segments compressed with one of `dict_ids` (the source's current dictionaries): with
    the chunks not compacted, what a source has stored since its dictionary (compaction recompresses with the current
    one)."""
    count: int = conn.execute(
        """SELECT coalesce(sum(g.chunks), 0) FROM replay_segments g JOIN replay_sessions s USING (session_id)
           WHERE s.source = ? AND (g.dictionary_id IS NOT DISTINCT FROM ? OR g.dictionary_id IS NOT DISTINCT FROM ?)""",
        (source, *dict_ids)).fetchone()[0]
    return count


async def compact_periodically(compact_once: Callable[[], Awaitable[int]], interval_s: float,
                               stop: asyncio.Event) -> None:
    while not stop.is_set():
        written = 0
        try:
            written = await compact_once()
            if written:
                log.info("replay compaction: %d idle sessions rewritten as segments", written)
        except Exception:  # the store or the database is down: the next pass tries again
            log.exception("replay compaction: pass failed")
        if written >= COMPACT_BATCH:
            continue  # a backlog: the next batch at once
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
