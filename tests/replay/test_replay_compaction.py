"""Compaction (replay.compaction): an idle session's chunks rewritten as one sealed segment read back event for event
as they did before, take fewer bytes, and go with a deletion (their key destroyed); a session still recorded is left
alone, and chunks arriving after compaction read merged with the segment. Runs on SQLite and on PostgreSQL
(`database_location`); the S3 backend and a kill -9 mid-compaction are in test_replay_compaction_s3.py."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
import zstandard

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage import postgres as postgres_storage
from gateway.storage.engine import Engine
from replay import compaction, segment_codec
from replay import store as replay_store
from replay.compression import Compressor
from replay.generic_dictionary import chunks_of
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from replay.summary import summarize
from tests.replay.old_rows import keys_with_created_at, migrations_before, segments_found_by_session
from tests.support.waiting import WAIT_TIMEOUT_S, wait_until

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key
STORE_MIGRATIONS = [m for m in MIGRATIONS if m.name.startswith("replay-")]  # the replay parts of the schema
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LATER = 10**10  # a `now` at which every session is long idle


@pytest.fixture
def store(database_location: Path | Engine):
    db = Database(database_location, STORE_MIGRATIONS)
    yield ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)
    db.close()


def recording(corpus: str, index: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(sorted((FIXTURES / corpus).glob("sess_*.json"))[index].read_text())[
        "events"]
    return events


async def record(store: ReplayStore, session_id: str, events: list[dict[str, Any]], subject: str,
                 window_id: str = "w-1") -> None:
    """A recording sent as posthog-js sends it: a request every two seconds of events."""
    for chunk in chunks_of(events):
        await store.add("web", [ChunkIn(session_id, window_id, (subject,), chunk, summarize(chunk))])


def count(store: ReplayStore, sql: str, *args: object) -> int:
    value: int = store.db.read_sync(lambda c: c.execute(sql, args).fetchone()[0])
    return value


def test_an_idle_session_is_one_segment_that_reads_back_the_same_events_in_fewer_bytes(store: ReplayStore) -> None:
    asyncio.run(record(store, "spa", recording("spa-corpus", 0), "h-ada"))
    before = list(store.read_events("spa"))
    stored_before = count(store, "SELECT stored_bytes FROM replay_sessions WHERE session_id = 'spa'")

    assert asyncio.run(store.compact(now=LATER)) == 1

    assert list(store.read_events("spa")) == before
    assert count(store, "SELECT count(*) FROM replay_chunks WHERE session_id = 'spa'") == 0
    assert count(store, "SELECT count(*) FROM replay_blobs") == 0  # the chunks' bytes went with their rows
    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'spa'") == 1
    segment_bytes = count(store, "SELECT sum(length(data)) FROM replay_segment_blobs")
    assert count(store, "SELECT stored_bytes FROM replay_sessions WHERE session_id = 'spa'") == segment_bytes
    assert segment_bytes < stored_before * 0.8
    assert asyncio.run(store.compact(now=LATER)) == 0  # nothing left to compact


def test_reading_one_window_of_a_compacted_session_gives_that_windows_events(store: ReplayStore) -> None:
    events = recording("replay-corpus", 0)
    half = len(events) // 2
    asyncio.run(record(store, "two", events[:half], "h-ada", "w-1"))
    asyncio.run(record(store, "two", events[half:], "h-ada", "w-2"))
    windows = {w: list(store.read_events("two", w)) for w in ("w-1", "w-2")}

    asyncio.run(store.compact(now=LATER))

    assert {w: list(store.read_events("two", w)) for w in ("w-1", "w-2")} == windows
    assert windows["w-1"] and windows["w-2"]


def test_a_session_still_being_recorded_is_not_compacted(store: ReplayStore) -> None:
    asyncio.run(record(store, "live", recording("replay-corpus", 1), "h-ada"))

    assert asyncio.run(store.compact()) == 0  # its last chunk is younger than compact_after_s

    assert count(store, "SELECT count(*) FROM replay_segments") == 0


def test_chunks_arriving_after_compaction_read_merged_with_the_segment_and_compact_again(store: ReplayStore) -> None:
    events = recording("replay-corpus", 2)
    half = len(events) // 2
    asyncio.run(record(store, "late", events[:half], "h-ada"))
    asyncio.run(store.compact(now=LATER))
    asyncio.run(record(store, "late", events[half:], "h-ada"))
    whole = list(store.read_events("late"))

    assert len(whole) > half
    assert [e["timestamp"] for e in whole] == sorted(e["timestamp"] for e in whole)
    assert asyncio.run(store.compact(now=LATER)) == 1
    assert list(store.read_events("late")) == whole
    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'late'") == 2
    ids = store.db.read_sync(lambda c: c.execute("SELECT id FROM replay_segments ORDER BY id").fetchall())
    listed = store.db.read_sync(lambda c: c.execute("SELECT segments FROM replay_sessions").fetchone()[0])
    assert listed == " ".join(str(row[0]) for row in ids)  # its row names both segments
    store.db.write_sync(lambda conn: store.delete_sessions(conn, ["late"]))
    assert count(store, "SELECT count(*) FROM replay_segments") == count(store, "SELECT count(*) FROM replay_keys") == 0


def test_every_session_of_both_corpora_reads_back_identical_after_compaction(store: ReplayStore) -> None:
    sessions = {f"{corpus}-{i}": recording(corpus, i) for corpus in ("replay-corpus", "spa-corpus")
                for i in range(len(list((FIXTURES / corpus).glob("sess_*.json"))))}
    for session_id, events in sessions.items():
        asyncio.run(record(store, session_id, events, f"h-{session_id}"))
    before = {session_id: list(map(orjson.dumps, store.read_events(session_id))) for session_id in sessions}

    while asyncio.run(store.compact(now=LATER)):
        pass

    assert count(store, "SELECT count(*) FROM replay_chunks") == 0
    assert count(store, f"SELECT count(*) FROM replay_segments WHERE layout = {segment_codec.LAYOUT}") == len(sessions)
    # As orjson sees them: 1 and 1.0 or true would be equal in Python, not in the JSON the API serves.
    assert {session_id: list(map(orjson.dumps, store.read_events(session_id))) for session_id in sessions} == before


def test_a_deletion_removes_the_segment_and_destroys_its_key_but_keeps_the_key_another_segment_uses(
        store: ReplayStore) -> None:
    asyncio.run(record(store, "first", recording("replay-corpus", 3), "h-ada"))
    asyncio.run(record(store, "second", recording("replay-corpus", 4), "h-ada"))  # the same binding: the same key
    asyncio.run(store.compact(now=LATER))
    key_id = store.db.read_sync(lambda c: c.execute("SELECT key_id FROM replay_segments LIMIT 1").fetchone()[0])

    store.db.write_sync(lambda conn: store.delete_sessions(conn, ["first"]))  # retention: one session expires
    assert count(store, "SELECT count(*) FROM replay_keys WHERE key_id = ?", key_id) == 1
    assert list(store.read_events("second"))

    store.db.write_sync(lambda conn: store.delete_subjects(conn, ["h-ada"], 100))  # the person's deletion
    assert count(store, "SELECT count(*) FROM replay_keys WHERE key_id = ?", key_id) == 0
    assert count(store, "SELECT count(*) FROM replay_segments") == 0
    assert count(store, "SELECT count(*) FROM replay_segment_blobs") == 0


def test_a_shredded_subjects_compacted_segment_can_no_longer_be_read(store: ReplayStore) -> None:
    asyncio.run(record(store, "shred", recording("replay-corpus", 5), "h-bob"))
    asyncio.run(store.compact(now=LATER))
    sealed = store.db.read_sync(lambda c: c.execute("SELECT data FROM replay_segment_blobs").fetchone()[0])

    store.db.write_sync(lambda conn: store.shred_subjects(conn, ["h-bob"], 100))

    assert list(store.read_events("shred")) == []  # the segment is still stored, and nothing opens it
    assert count(store, "SELECT count(*) FROM replay_segment_blobs") == 1
    assert b"timestamp" not in sealed  # ciphertext: not even rrweb's own keys show


def test_the_chunk_table_keeps_each_chunks_window_span_place_and_digest() -> None:
    parts = [compaction.Part("w-1", 1_795_000_000_000, 1_795_000_001_500, 0, 1200, b"\x01" * 4),
             compaction.Part("w-2", 1_795_000_000_400, 1_795_000_000_400, 1200, 1300, b"\xff" * 4),
             compaction.Part("w-1", 1_795_000_002_000, 1_795_000_003_999, 1300, 9000, bytes(range(4)))]
    assert compaction.decode_parts(compaction.encode_parts(parts)) == parts
    without = [compaction.Part(p.window_id, p.first_ts, p.last_ts, p.start, p.end) for p in parts]
    assert compaction.decode_parts(compaction.encode_parts(without)) == without
    with pytest.raises(ValueError, match="digest"):  # never a table that silently drops what tells a resend apart
        compaction.encode_parts([*parts[:2], compaction.Part("w-1", 1, 2, 9000, 9001, bytes(8))])


def test_a_one_window_table_names_no_window_per_part_and_tables_of_8_byte_digests_still_read() -> None:
    window = "0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a90"
    parts = [compaction.Part(window, 1_795_000_000_000 + 2000 * i, 1_795_000_001_000 + 2000 * i, 1000 * i,
                             1000 * (i + 1), bytes([i]) * 8) for i in range(12)]
    # A table as written before (TABLE_UUIDS: 8 bytes of each digest, each part's window index).
    old = bytearray([compaction.TABLE_UUIDS, 1]) + uuid.UUID(window).bytes + bytes([12])
    for i, part in enumerate(parts):
        delta = part.first_ts - (parts[i - 1].first_ts if i else 0)
        old += bytes([0]) + varint(2 * delta) + varint(2 * 1000) + varint(1000) + part.digest
    assert compaction.decode_parts(bytes(old)) == parts

    short = [compaction.Part(p.window_id, p.first_ts, p.last_ts, p.start, p.end, p.digest[:4]) for p in parts]
    table = compaction.encode_parts(short)
    assert table[0] == compaction.TABLE_SHORT_UUIDS and compaction.decode_parts(table) == short
    assert len(old) - len(table) == 12 * (1 + 4)  # per part: no window index, 4 bytes of digest less


def varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + bytes([value]))


def test_uuid_windows_are_kept_as_16_bytes_and_any_other_window_id_as_written() -> None:
    uuids = ("0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a90", "0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a91")
    others = ("0193A5C2-7D1E-7B3F-9C4A-2F6E8D1B5A90", "{0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a91}")  # UUIDs, not as str()
    tables = {}
    for windows in (uuids, others):
        parts = [compaction.Part(windows[i % 2], 1_795_000_000_000 + 2000 * i, 1_795_000_001_000 + 2000 * i,
                                 1000 * i, 1000 * (i + 1), bytes([i]) * 4) for i in range(6)]
        tables[windows] = compaction.encode_parts(parts)
        assert compaction.decode_parts(tables[windows]) == parts
    assert tables[uuids][0] == compaction.TABLE_SHORT_UUIDS and tables[others][0] == compaction.TABLE_SHORT
    assert len(tables[others]) - len(tables[uuids]) == (1 + 36) + (1 + 38) - 2 * 16  # length varint + text each


def test_a_batch_resent_after_its_session_was_compacted_is_a_duplicate_and_a_new_one_is_stored(
        store: ReplayStore) -> None:
    chunks = chunks_of(recording("spa-corpus", 0))
    asyncio.run(record(store, "spa", recording("spa-corpus", 0), "h-ada"))
    asyncio.run(store.compact(now=LATER))
    before = list(store.read_events("spa"))

    again = asyncio.run(store.add("web", [ChunkIn("spa", "w-1", ("h-ada",), chunks[3], summarize(chunks[3]))]))

    assert [item.duplicate for item in again] == [True]
    assert count(store, "SELECT count(*) FROM replay_chunks WHERE session_id = 'spa'") == 0
    assert list(store.read_events("spa")) == before
    later = [{**event, "timestamp": event["timestamp"] + 1} for event in chunks[3]]  # not sent before
    fresh = asyncio.run(store.add("web", [ChunkIn("spa", "w-1", ("h-ada",), later, summarize(later))]))
    assert [item.duplicate for item in fresh] == [False]
    assert len(list(store.read_events("spa"))) == len(before) + len(later)
    # The same events from another window, or told with other times, are new chunks however their digests begin.
    other = asyncio.run(store.add("web", [ChunkIn("spa", "w-2", ("h-ada",), chunks[3], summarize(chunks[3]))]))
    assert [item.duplicate for item in other] == [False]


def test_a_compacted_chunk_matches_a_resend_only_with_its_window_times_and_digest() -> None:
    digest = bytes(range(16))
    compacted = {("s", "w-1", 1000, 2000, digest[:4]), ("old", "w-1", 1000, 2000, digest[:8])}
    assert compaction.is_compacted(compacted, "s", "w-1", 1000, 2000, digest)
    assert compaction.is_compacted(compacted, "old", "w-1", 1000, 2000, digest)  # a table from before: 8 bytes
    for session, window, first, last, other in (("s", "w-2", 1000, 2000, digest), ("s", "w-1", 1001, 2000, digest),
                                                ("s", "w-1", 1000, 1999, digest), ("t", "w-1", 1000, 2000, digest),
                                                ("s", "w-1", 1000, 2000, bytes(16)),
                                                ("old", "w-1", 1000, 2000, digest[:4] + bytes(12))):
        assert not compaction.is_compacted(compacted, session, window, first, last, other)


def test_a_chunk_table_of_the_first_format_still_reads_and_the_varint_one_is_smaller() -> None:
    window = "0193a5c2-7d1e-7b3f-9c4a-2f6e8d1b5a90"
    parts, start = [], 0
    for i in range(12):  # a session's chunks, one every 2 s, a few KB each
        first = 1_795_000_000_000 + 2000 * i + i % 3
        parts.append(compaction.Part(window, first, first + 1700 + i, start, start + 3000 + 97 * i))
        start = parts[-1].end
    rows = [[0, parts[0].first_ts, parts[0].last_ts - parts[0].first_ts, parts[0].end]] + [
        [0, part.first_ts - before.first_ts, part.last_ts - part.first_ts, part.end - part.start]
        for before, part in itertools.pairwise(parts)]
    first_format = zstandard.ZstdCompressor(level=3).compress(orjson.dumps({"windows": [window], "parts": rows}))

    assert compaction.decode_parts(first_format) == parts
    assert len(compaction.encode_parts(parts)) < len(first_format)
    with pytest.raises(ValueError, match="chunk table format"):
        compaction.decode_parts(b"\x07" + compaction.encode_parts(parts)[1:])


def test_a_source_whose_chunks_are_all_compacted_still_offers_them_to_train_its_dictionary(store: ReplayStore) -> None:
    events = recording("replay-corpus", 8)
    asyncio.run(record(store, "trained", events, "h-ada"))
    before = store.recent_raw_chunks("web", 1000)
    asyncio.run(store.compact(now=LATER))

    after = store.recent_raw_chunks("web", 1000)

    assert sorted(after) == sorted(before) and len(after) == len(chunks_of(events))
    assert store.recent_raw_chunks("web", 3) == after[:3]


def test_a_long_recording_of_more_chunks_than_a_query_may_name_is_compacted_whole(store: ReplayStore) -> None:
    chunks = [[{"type": 3, "timestamp": 1_795_000_000_000 + 2000 * i,
                "data": {"source": 1, "positions": [{"x": i % 640, "y": i % 480, "id": 4, "timeOffset": 0}]}}]
              for i in range(1200)]  # an hour of posthog-js flushes
    asyncio.run(store.add("web", [ChunkIn("long", "w-1", ("h-ada",), c, summarize(c)) for c in chunks]))
    before = list(store.read_events("long"))

    assert asyncio.run(store.compact(now=LATER)) == 1

    assert count(store, "SELECT count(*) FROM replay_chunks") == 0
    assert list(store.read_events("long")) == before and len(before) == 1200


def test_a_shredded_session_waiting_for_its_deletion_does_not_hold_up_the_others(store: ReplayStore) -> None:
    asyncio.run(record(store, "shredded", recording("replay-corpus", 9), "h-eve"))
    asyncio.run(record(store, "fine", recording("replay-corpus", 10), "h-kim"))
    store.db.write_sync(lambda conn: store.shred_subjects(conn, ["h-eve"], 100))

    assert asyncio.run(store.compact(now=LATER)) == 1

    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'fine'") == 1
    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'shredded'") == 0
    assert asyncio.run(store.compact(now=LATER)) == 0


def test_a_session_whose_stored_chunk_does_not_open_is_left_as_chunks_and_does_not_hold_up_the_others(
        store: ReplayStore, caplog: pytest.LogCaptureFixture) -> None:
    asyncio.run(record(store, "damaged", recording("replay-corpus", 3), "h-eve"))
    asyncio.run(record(store, "fine", recording("replay-corpus", 4), "h-kim"))

    def flip_a_bit(conn: Any) -> None:  # of one of its sealed chunks, on disk
        chunk_id, data = conn.execute("SELECT chunk_id, data FROM replay_blobs WHERE chunk_id = "
                                      "(SELECT min(id) FROM replay_chunks WHERE session_id = 'damaged')").fetchone()
        damaged = bytearray(data)
        damaged[20] ^= 1
        conn.execute("UPDATE replay_blobs SET data = ? WHERE chunk_id = ?", (bytes(damaged), chunk_id))

    store.db.write_sync(flip_a_bit)

    assert asyncio.run(store.compact(now=LATER)) == 1

    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'fine'") == 1
    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'damaged'") == 0
    assert count(store, "SELECT count(*) FROM replay_chunks WHERE session_id = 'damaged'") > 0  # nothing dropped
    assert "session damaged left as chunks" in caplog.text
    assert asyncio.run(store.compact(now=LATER)) == 0  # and the next pass does not try it again


@pytest.mark.parametrize("migration", ["replay-keys-4", "replay-segments-4"])
def test_a_session_compacted_before_a_column_was_dropped_reads_compacts_and_shreds_after_the_upgrade(
        database_location: Path | Engine, migration: str) -> None:
    before = Database(database_location, migrations_before(STORE_MIGRATIONS, migration))
    old = ReplayStore(before, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)
    with pytest.MonkeyPatch.context() as patch:  # rows written as before the column was dropped
        if migration == "replay-keys-4":
            keys_with_created_at(old, patch)
        patch.setattr(compaction, "insert", segment_insert_with_created_at)
        segments_found_by_session(patch)
        asyncio.run(record(old, "old", recording("replay-corpus", 3), "h-ada"))
        asyncio.run(old.compact(now=LATER))
        events = list(old.read_events("old"))
    asyncio.run(old.close())
    before.close()
    db = Database(database_location, STORE_MIGRATIONS)
    try:
        store = ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)
        assert list(store.read_events("old")) == events  # its key (wrapped bound to its id) still unwraps
        asyncio.run(record(store, "new", recording("replay-corpus", 4), "h-ada"))  # the same key, sealed anew
        assert asyncio.run(store.compact(now=LATER)) == 1
        assert count(store, "SELECT count(*) FROM replay_segments") == 2 and list(store.read_events("new"))
        assert db.write_sync(lambda conn: store.shred_subjects(conn, ["h-ada"], 100)) == 1
        assert list(store.read_events("old")) == [] and list(store.read_events("new")) == []
        asyncio.run(store.close())
    finally:
        db.close()


def test_segments_found_by_session_before_sessions_named_them_read_compact_and_delete_after_the_upgrade(
        database_location: Path | Engine) -> None:
    before = Database(database_location, migrations_before(STORE_MIGRATIONS, "replay-segments-5"))
    old = ReplayStore(before, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)
    events = recording("replay-corpus", 2)
    with pytest.MonkeyPatch.context() as patch:  # the store before: no `segments` in the session's row
        segments_found_by_session(patch)
        patch.setattr(compaction, "insert", segment_insert_without_session_list)
        for session_id, part in (("two", events[: len(events) // 2]), ("two", events[len(events) // 2 :]),
                                 ("one", recording("replay-corpus", 3))):
            asyncio.run(record(old, session_id, part, "h-ada"))
            asyncio.run(old.compact(now=LATER))
        read = {s: list(old.read_events(s)) for s in ("one", "two")}
    asyncio.run(old.close())
    before.close()
    db = Database(database_location, STORE_MIGRATIONS)
    try:
        store = ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)
        listed = dict(db.read_sync(lambda c: c.execute("SELECT session_id, segments FROM replay_sessions").fetchall()))
        assert {s: len(ids.split()) for s, ids in listed.items()} == {"one": 1, "two": 2}
        assert {s: list(store.read_events(s)) for s in read} == read
        resent = chunks_of(recording("replay-corpus", 3))[1]  # a batch of a compacted session is still a duplicate
        assert [r.duplicate for r in asyncio.run(store.add("web", [ChunkIn("one", "w-1", ("h-ada",), resent,
                                                                            summarize(resent))]))] == [True]
        store.db.write_sync(lambda conn: store.delete_sessions(conn, ["two"]))
        assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'two'") == 0
        assert list(store.read_events("one")) == read["one"]
        asyncio.run(store.close())
    finally:
        db.close()


def segment_insert_without_session_list(conn: Any, segment: compaction.NewSegment, object_id: int | None,
                                        offset: int) -> int:
    """compaction.insert as it was before replay-segments-5 (in the database backend: the bytes in a blob row)."""
    assert object_id is None
    row = conn.execute(
        """INSERT INTO replay_segments (session_id, key_id, dictionary_id, seal_id, chunks, stored_bytes, chunk_table,
                                        object, layout, object_offset)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, 0) RETURNING id""",
        (segment.session_id, segment.key_id, segment.dictionary_id, segment.seal_id, len(segment.parts),
         len(segment.data), compaction.encode_parts(segment.parts), segment.layout)).fetchone()
    conn.execute("INSERT INTO replay_segment_blobs (segment_id, data) VALUES (?, ?)", (row[0], segment.data))
    return int(row[0])


def segment_insert_with_created_at(conn: Any, segment: compaction.NewSegment, object_id: int | None,
                                   offset: int) -> int:
    """compaction.insert as it was before replay-segments-4 (in the database backend: the bytes in a blob row)."""
    assert object_id is None
    row = conn.execute(
        """INSERT INTO replay_segments (session_id, key_id, dictionary_id, seal_id, chunks, stored_bytes, chunk_table,
                                        object, created_at, layout, object_offset)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, 0) RETURNING id""",
        (segment.session_id, segment.key_id, segment.dictionary_id, segment.seal_id, len(segment.parts),
         len(segment.data), compaction.encode_parts(segment.parts), segment.layout)).fetchone()
    conn.execute("INSERT INTO replay_segment_blobs (segment_id, data) VALUES (?, ?)", (row[0], segment.data))
    return int(row[0])


def two_segments(store: ReplayStore, session_id: str) -> list[dict[str, Any]]:
    """A session compacted twice (chunks came after the first pass): two segments under one key. Its events."""
    events = recording("replay-corpus", 2)
    half = len(events) // 2
    asyncio.run(record(store, session_id, events[:half], "h-ada"))
    asyncio.run(store.compact(now=LATER))
    asyncio.run(record(store, session_id, events[half:], "h-ada"))
    asyncio.run(store.compact(now=LATER))
    return list(store.read_events(session_id))


def test_a_segment_is_sealed_to_its_chunk_table_so_neither_a_swapped_segment_nor_an_altered_table_reads(
        store: ReplayStore) -> None:
    whole = two_segments(store, "two")
    rows = store.db.read_sync(lambda c: c.execute(
        "SELECT g.id, g.seal_id, g.chunk_table, b.data FROM replay_segments g "
        "JOIN replay_segment_blobs b ON b.segment_id = g.id ORDER BY g.id").fetchall())
    assert len(rows) == 2 and [bytes(row[1]) for row in rows] == [b"", b""]  # no stored id: the table binds
    (first, _, table, first_data), (second, _, _, second_data) = rows

    def swap(conn: Any, pairs: list[tuple[bytes, int]]) -> None:
        conn.executemany("UPDATE replay_segment_blobs SET data = ? WHERE segment_id = ?", pairs)

    store.db.write_sync(lambda c: swap(c, [(second_data, first), (first_data, second)]))
    with pytest.raises(ValueError, match="fail authentication"):
        list(store.read_events("two"))
    store.db.write_sync(lambda c: swap(c, [(first_data, first), (second_data, second)]))
    assert list(store.read_events("two")) == whole
    altered = table[:-1] + bytes([table[-1] ^ 1])  # the last part's digest
    store.db.write_sync(lambda c: c.execute("UPDATE replay_segments SET chunk_table = ? WHERE id = ?",
                                            (altered, first)))
    with pytest.raises(ValueError, match="fail authentication"):
        list(store.read_events("two"))


def test_a_segment_sealed_with_its_own_random_id_still_reads_and_shreds(
        store: ReplayStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:  # as segments were sealed before the chunk table was bound
        patch.setattr(compaction, "seal_binding", lambda parts: (seal_id := os.urandom(16), seal_id))
        whole = two_segments(store, "old")
    assert count(store, "SELECT count(*) FROM replay_segments WHERE length(seal_id) = 16") == 2
    assert list(store.read_events("old")) == whole
    store.db.write_sync(lambda conn: store.shred_subjects(conn, ["h-ada"], 100))
    assert list(store.read_events("old")) == []


def test_a_segment_of_chunks_without_digests_gets_a_random_seal_id_and_one_with_them_binds_its_table() -> None:
    # A table of chunks stored before digests existed names no chunk: two segments of one session could share it.
    undigested = [compaction.Part("w-1", 1000, 2000, 0, 10, b""), compaction.Part("w-1", 3000, 4000, 10, 20, b"")]
    seal_id, bound = compaction.seal_binding(undigested)
    assert len(seal_id) == compaction.SEAL_ID_BYTES and bound == seal_id
    assert compaction.seal_binding(undigested)[0] != seal_id

    digested = [compaction.Part("w-1", 1000, 2000, 0, 10, b"d" * compaction.DIGEST_BYTES)]
    seal_id, bound = compaction.seal_binding(digested)
    table = compaction.encode_parts(digested)
    assert seal_id == b"" and bound == len(table).to_bytes(4, "big") + table  # its length first: it cannot be cut


@pytest.fixture
def two_nodes(postgres_url: str):
    """Two gateway nodes' replay stores on one PostgreSQL database: A compacts, B deletes."""
    nodes = [Database(postgres_storage.postgres_engine(postgres_url), STORE_MIGRATIONS) for _ in range(2)]
    yield tuple(ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60) for db in nodes)
    for db in nodes:
        db.close()


def a_write_waits_on_a_lock(postgres_url: str) -> bool:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'").fetchone()
    return row is not None and row[0] > 0


async def let_go_once_a_write_waits(postgres_url: str, release: threading.Event, what: str) -> None:
    """Wait until one node's write waits on a lock the other's holds, then let the other's go on (also on failure:
    else its writer thread would wait out its deadline)."""
    try:
        await asyncio.to_thread(wait_until, lambda: a_write_waits_on_a_lock(postgres_url), what=what)
    finally:
        release.set()


def nothing_of_the_subject_left(store: ReplayStore) -> None:
    tables = ("replay_sessions", "replay_chunks", "replay_blobs", "replay_segments", "replay_segment_blobs",
              "replay_keys")
    left = {table: count(store, f"SELECT count(*) FROM {table}") for table in tables}
    assert left == dict.fromkeys(left, 0)


def test_a_session_deleted_on_another_node_while_compaction_writes_leaves_nothing_of_its_subject(
        postgres_url: str, two_nodes: tuple[ReplayStore, ReplayStore]) -> None:
    """Node B deletes the subject's session after node A's compaction read its chunks, and commits only once A's
    write waits on B's locks. A must then store no segment (its bytes would be the subject's recording, named by no
    session, so no later deletion would find it)."""
    a, b = two_nodes
    deleted, release = threading.Event(), threading.Event()

    def delete_subject(conn: Any) -> list[str]:  # on B's writer thread: its transaction stays open until released
        sessions = b.delete_subjects(conn, ["h-ada"], 10)
        deleted.set()
        assert release.wait(WAIT_TIMEOUT_S)
        return sessions

    async def race() -> tuple[list[str], int]:
        await record(a, "gone", recording("replay-corpus", 3), "h-ada")
        deletion = asyncio.ensure_future(b.db.write(delete_subject))
        await asyncio.to_thread(deleted.wait, WAIT_TIMEOUT_S)  # B deleted, not committed: A still reads the chunks
        compacting = asyncio.ensure_future(a.compact(now=LATER))
        await let_go_once_a_write_waits(postgres_url, release, "A's compaction waiting on B's deletion")
        return await deletion, await compacting

    sessions, written = asyncio.run(race())

    nothing_of_the_subject_left(a)
    assert sessions == ["gone"] and written == 0


def test_a_deletion_waiting_on_compactions_write_deletes_the_new_segment_too_without_a_deadlock(
        postgres_url: str, two_nodes: tuple[ReplayStore, ReplayStore], monkeypatch: pytest.MonkeyPatch) -> None:
    """The other order: A's compaction write has locked the session when B's deletion starts; B waits, then deletes
    the segment A committed. Both lock the session first, so neither was rolled back as a deadlock's victim."""
    a, b = two_nodes
    locked, release = threading.Event(), threading.Event()
    held_bytes = replay_store._held_bytes

    def paused_held_bytes(conn: Any, new: Any) -> int | None:  # A's write, after it locked the session
        locked.set()
        assert release.wait(WAIT_TIMEOUT_S)
        return held_bytes(conn, new)

    monkeypatch.setattr(replay_store, "_held_bytes", paused_held_bytes)

    async def race() -> tuple[list[str], int]:
        await record(a, "gone", recording("replay-corpus", 3), "h-ada")
        compacting = asyncio.ensure_future(a.compact(now=LATER))
        await asyncio.to_thread(locked.wait, WAIT_TIMEOUT_S)
        deletion = asyncio.ensure_future(b.db.write(lambda conn: b.delete_subjects(conn, ["h-ada"], 10)))
        await let_go_once_a_write_waits(postgres_url, release, "B's deletion waiting on A's compaction")
        return await deletion, await compacting

    sessions, written = asyncio.run(race())

    assert sessions == ["gone"] and written == 1
    nothing_of_the_subject_left(a)
    assert a.db.conflicts_retried == b.db.conflicts_retried == 0


@pytest.fixture
def sqlite_store(tmp_path: Path):
    db = Database(tmp_path / "gateway.db", STORE_MIGRATIONS)
    yield ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)
    db.close()


def test_on_sqlite_sessions_are_checked_without_rewriting_their_rows_and_a_deleted_one_is_left_out(
        sqlite_store: ReplayStore) -> None:
    """SQLite's write transaction already excludes every other writer: a read tells which sessions are still there,
    where a row rewritten to lock it would cost a page write per session (secure_delete)."""
    store = sqlite_store
    assert not store.row_locks
    asyncio.run(record(store, "kept", recording("replay-corpus", 3), "h-ada"))
    asyncio.run(record(store, "gone", recording("replay-corpus", 4), "h-bob"))
    store.db.write_sync(lambda conn: store.delete_subjects(conn, ["h-bob"], 10))

    def check(conn: Any) -> tuple[set[str], int]:
        before = conn.total_changes
        alive = replay_store.lock_sessions(conn, ["kept", "gone", "kept"], store.row_locks)
        return alive, conn.total_changes - before

    assert store.db.write_sync(check) == ({"kept"}, 0)


def test_on_sqlite_a_session_deleted_after_compaction_read_its_chunks_gets_no_segment(
        sqlite_store: ReplayStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store = sqlite_store
    asyncio.run(record(store, "gone", recording("replay-corpus", 3), "h-ada"))
    store_together = store._store_together
    deleted: list[str] = []

    async def delete_first(made: Any) -> int:  # compaction read the chunks and made the segment: its write comes next
        deleted.extend(await store.db.write(lambda conn: store.delete_subjects(conn, ["h-ada"], 10)))
        return await store_together(made)

    monkeypatch.setattr(store, "_store_together", delete_first)

    assert asyncio.run(store.compact(now=LATER)) == 0
    assert deleted == ["gone"]
    nothing_of_the_subject_left(store)
