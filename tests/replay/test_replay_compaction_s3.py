"""Compaction on S3 (SeaweedFS on loopback, a bucket per test): an idle session becomes one segment in an object (the
segments of one pass share it), read back event for event; the batched objects it leaves are freed by the sweeper
once nothing points into them; a deletion shreds the segment, its range is zeroed and the object goes with the last;
a compaction killed (SIGKILL) at any point loses nothing, and what it had put but not indexed is swept as an orphan."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.schema import MIGRATIONS
from gateway.storage.connection import Connection
from replay import compaction, object_index
from replay.store import ReplayStore
from tests.replay.old_rows import keys_with_created_at, migrations_before, segments_found_by_session
from tests.replay.test_replay_compaction import LATER, count, record, recording
from tests.replay.test_replay_objects import batching_of, bucket_keys, credentials, object_bytes, open_store
from tests.support.seaweedfs import S3Bucket
from tests.support.waiting import START_TIMEOUT_S, WAIT_TIMEOUT_S, wait_until

__all__ = ["credentials"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path, credentials: S3Bucket) -> Iterator[ReplayStore]:
    store = open_store(tmp_path, credentials, orphan_after_s=5.0)
    yield store
    asyncio.run(store.close())
    store.db.close()


def object_keys_indexed(store: ReplayStore) -> set[str]:
    return set(store.db.read_sync(lambda c: [k for (k,) in c.execute("SELECT key FROM replay_objects")]))


def test_an_idle_session_becomes_one_object_that_reads_back_and_frees_the_batched_objects(store: ReplayStore) -> None:
    asyncio.run(record(store, "spa", recording("spa-corpus", 1), "h-ada"))
    before = list(store.read_events("spa"))
    batched = set(bucket_keys(store))

    assert asyncio.run(store.compact(now=LATER)) == 1
    assert list(store.read_events("spa")) == before
    swept = asyncio.run(store.sweep())

    assert swept.emptied == len(batched)  # every chunk of them was compacted: nothing points into them
    (segment_key,) = bucket_keys(store)
    assert segment_key not in batched and object_keys_indexed(store) == {segment_key}
    assert list(store.read_events("spa")) == before
    assert count(store, "SELECT count(*) FROM replay_spans") == 0


def two_sessions_in_one_object(store: ReplayStore, gone: tuple[str, str, int],
                               kept: tuple[str, str, int]) -> tuple[str, int, int, list[Any]]:
    """Two sessions (id, subject, corpus recording) compacted in one pass: the object's key, where the first one's
    segment lies in it, and the second one's events as read before."""
    for session_id, subject, number in (gone, kept):
        asyncio.run(record(store, session_id, recording("replay-corpus", number), subject))
    kept_events = list(store.read_events(kept[0]))
    assert asyncio.run(store.compact(now=LATER)) == 2
    asyncio.run(store.sweep())
    (key,) = bucket_keys(store)  # one object, one row, for the pass's two segments
    assert count(store, "SELECT count(*) FROM replay_objects") == 1
    offset, length = store.db.read_sync(lambda c: c.execute(
        "SELECT object_offset, stored_bytes FROM replay_segments WHERE session_id = ?", (gone[0],)).fetchone())
    return key, offset, length, kept_events


def test_sessions_compacted_in_one_pass_share_one_object_and_a_deletion_zeroes_only_its_range(
        store: ReplayStore, credentials: S3Bucket) -> None:
    key, offset, length, kept = two_sessions_in_one_object(store, ("gone", "h-eve", 6), ("kept", "h-kim", 7))
    before = object_bytes(credentials, store, key)
    assert before[offset : offset + length] != bytes(length)

    store.db.write_sync(lambda conn: store.shred_subjects(conn, ["h-eve"], 100))
    assert list(store.read_events("gone")) == []  # the object is still there; no key opens it
    store.db.write_sync(lambda conn: store.delete_subjects(conn, ["h-eve"], 100))
    swept = asyncio.run(store.sweep())
    assert (swept.erased, swept.emptied) == (1, 0)  # her range zeroed; the object stays for his segment
    after = object_bytes(credentials, store, key)
    assert after[offset : offset + length] == bytes(length)
    assert after[:offset] + after[offset + length :] == before[:offset] + before[offset + length :]
    assert list(store.read_events("kept")) == kept

    store.db.write_sync(lambda conn: store.delete_subjects(conn, ["h-kim"], 100))
    assert asyncio.run(store.sweep()).emptied == 1
    assert bucket_keys(store) == [] and count(store, "SELECT count(*) FROM replay_objects") == 0


def test_an_expired_sessions_range_of_a_shared_object_is_zeroed_by_the_next_sweep(
        store: ReplayStore, credentials: S3Bucket) -> None:
    key, offset, length, kept = two_sessions_in_one_object(store, ("expired", "h-old", 8), ("kept", "h-new", 9))

    store.db.write_sync(lambda conn: store.delete_sessions(conn, ["expired"]))  # what retention does
    swept = asyncio.run(store.sweep())

    assert (swept.erased, swept.emptied) == (1, 0)  # the object stays for the other session's segment
    after = object_bytes(credentials, store, key)
    assert after[offset : offset + length] == bytes(length)
    assert list(store.read_events("kept")) == kept


def test_a_session_deleted_while_its_pass_was_put_is_left_out_of_the_object_and_its_range_zeroed(
        store: ReplayStore, credentials: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    asyncio.run(record(store, "gone", recording("replay-corpus", 6), "h-eve"))
    asyncio.run(record(store, "kept", recording("replay-corpus", 7), "h-kim"))
    kept = list(store.read_events("kept"))
    store_together = ReplayStore._store_together

    async def deleted_meanwhile(self: ReplayStore, made: list[Any]) -> int:
        await self.db.write(lambda conn: self.delete_subjects(conn, ["h-eve"], 100))  # after the segments were made
        return await store_together(self, made)

    monkeypatch.setattr(ReplayStore, "_store_together", deleted_meanwhile)
    assert asyncio.run(store.compact(now=LATER)) == 1
    (key, offset, length), = store.db.read_sync(lambda c: c.execute(  # in the segments' object (her chunks' too)
        """SELECT o.key, e.object_offset, e.length FROM replay_erasures e JOIN replay_objects o ON o.id = e.object
           WHERE o.id IN (SELECT object FROM replay_segments)""").fetchall())
    asyncio.run(store.sweep())
    data = object_bytes(credentials, store, key)
    assert data[offset : offset + length] == bytes(length) and len(data) > length  # hers zeroed, his kept
    assert list(store.read_events("gone")) == [] and list(store.read_events("kept")) == kept


def test_a_pass_cancelled_while_its_commit_is_queued_keeps_the_object_its_committed_segments_point_into(
        store: ReplayStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # A gateway stopping cancels its compaction task after a grace period; the writer commits what was queued anyway.
    asyncio.run(record(store, "a", recording("replay-corpus", 0), "h-a"))
    asyncio.run(record(store, "b", recording("replay-corpus", 1), "h-b"))
    before = {s: list(store.read_events(s)) for s in "ab"}
    write = store.db.write

    async def scenario() -> None:
        gate, queued = threading.Event(), asyncio.Event()

        async def noting_the_commit(fn: Callable[[Any], Any]) -> Any:
            if getattr(fn, "__name__", "") == "commit":
                queued.set()  # (write queues it before it awaits)
            return await write(fn)

        busy = asyncio.ensure_future(write(lambda conn: gate.wait(60)))  # the writer is busy with another write
        monkeypatch.setattr(store.db, "write", noting_the_commit)
        compacting = asyncio.ensure_future(store.compact(now=LATER))
        await asyncio.wait_for(queued.wait(), 60)
        compacting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await compacting
        gate.set()
        await busy
        await write(lambda conn: None)  # the writer runs in order: the pass's commit is done

    asyncio.run(scenario())
    assert count(store, "SELECT count(*) FROM replay_segments") == 2  # committed although its waiter was cancelled
    assert {s: list(store.read_events(s)) for s in "ab"} == before
    asyncio.run(object_index.sweep(store.db, batching_of(store), now=time.time() + 60))  # not an orphan: indexed
    assert {s: list(store.read_events(s)) for s in "ab"} == before


def test_sessions_of_a_pass_whose_put_failed_are_compacted_by_the_next_pass(
        store: ReplayStore, monkeypatch: pytest.MonkeyPatch) -> None:
    asyncio.run(record(store, "a", recording("replay-corpus", 2), "h-a"))
    asyncio.run(record(store, "b", recording("replay-corpus", 3), "h-b"))
    before = {s: list(store.read_events(s)) for s in "ab"}
    objects = batching_of(store).objects
    put, failures = objects.put, [OSError("the object store is unreachable")]

    def failing_once(key: str, data: bytes) -> None:
        if failures:
            raise failures.pop()
        put(key, data)

    monkeypatch.setattr(objects, "put", failing_once)
    with pytest.raises(OSError, match="unreachable"):
        asyncio.run(store.compact(now=LATER))
    assert count(store, "SELECT count(*) FROM replay_segments") == 0

    assert asyncio.run(store.compact(now=LATER)) == 2  # the same store: no restart
    assert {s: list(store.read_events(s)) for s in "ab"} == before


def test_a_pass_stores_each_object_as_it_fills_and_after_a_failed_put_the_next_pass_takes_the_rest(
        tmp_path: Path, credentials: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path / "small", credentials, batch_bytes=1)  # an object per session's segment
    try:
        for i, session_id in enumerate("abc"):
            asyncio.run(record(store, session_id, recording("replay-corpus", 4 + i), f"h-{session_id}"))
        before = {s: list(store.read_events(s)) for s in "abc"}
        objects = batching_of(store).objects
        put, calls = objects.put, []

        def second_fails(key: str, data: bytes) -> None:
            calls.append(key)
            if len(calls) == 2:
                raise OSError("the object store is unreachable")
            put(key, data)

        monkeypatch.setattr(objects, "put", second_fails)
        with pytest.raises(OSError, match="unreachable"):
            asyncio.run(store.compact(now=LATER))
        assert count(store, "SELECT count(*) FROM replay_segments") == 1  # the first object, stored before

        assert asyncio.run(store.compact(now=LATER)) == 2
        assert {s: list(store.read_events(s)) for s in "abc"} == before
    finally:
        asyncio.run(store.close())
        store.db.close()


CHILD = """
import asyncio, pathlib, sys, threading
from gateway.database import Database
from gateway.schema import MIGRATIONS
from policies.replay import ReplayStorage
from replay.batching import batching_for
from replay.compression import Compressor
from replay.s3 import S3Objects
from replay.shredding import KeyRing
from replay.store import ReplayStore

PAUSE_AFTER_PUTS = 3
put, puts = S3Objects.put, []

def put_then_pause(objects: S3Objects, key: str, data: bytes) -> None:
    # The kill point, whatever the machine's speed: the third object put, not indexed yet, the first two committed
    # (a pass stores its objects one after another, each put then indexed).
    put(objects, key, data)
    puts.append(key)
    if len(puts) == PAUSE_AFTER_PUTS:
        ready = pathlib.Path(sys.argv[4] + ".tmp")
        ready.write_text(key)
        ready.rename(sys.argv[4])  # whole when the test sees it
        threading.Event().wait()  # until killed

S3Objects.put = put_then_pause

async def main() -> None:
    # An object per segment (a pass puts its segments in objects of at most batch_bytes): killed between two.
    storage = ReplayStorage(backend="s3", endpoint=sys.argv[2], bucket=sys.argv[3], batch_bytes=1, inline_below=0)
    store = ReplayStore(Database(sys.argv[1], MIGRATIONS), Compressor(3), KeyRing(bytes(range(32))),
                        batching=batching_for(storage), compact_after_s=60)
    while await store.compact(now=10**10):
        pass
    print("finished", flush=True)

asyncio.run(main())
"""


def test_a_compaction_killed_midway_loses_nothing_and_its_unindexed_object_is_swept(tmp_path: Path,
                                                                                 store: ReplayStore,
                                                                                 credentials: S3Bucket) -> None:
    sessions = {f"s{i}": recording("spa-corpus", i) for i in range(12)}
    for session_id, events in sessions.items():
        asyncio.run(record(store, session_id, events, f"h-{session_id}"))
    before = {session_id: list(store.read_events(session_id)) for session_id in sessions}

    paused = tmp_path / "paused"  # the child writes the key of the object it put and paused before indexing
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "replay.sqlite3"), credentials.endpoint_url,
                              credentials.name, str(paused)], env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: paused.exists() or child.poll() is not None, timeout=START_TIMEOUT_S,
                   what="the compaction paused after its third put")
        child.send_signal(signal.SIGKILL)  # two segments indexed, the third's object put and not indexed
    finally:
        child.wait(timeout=WAIT_TIMEOUT_S)
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else b""
    assert count(store, "SELECT count(*) FROM replay_segments") == 2
    unindexed = paused.read_text()
    assert unindexed in bucket_keys(store) and unindexed not in object_keys_indexed(store)

    assert {session_id: list(store.read_events(session_id)) for session_id in sessions} == before
    while asyncio.run(store.compact(now=LATER)):
        pass
    swept = asyncio.run(object_index.sweep(store.db, batching_of(store), now=time.time() + 60))
    assert {session_id: list(store.read_events(session_id)) for session_id in sessions} == before
    assert count(store, "SELECT count(*) FROM replay_segments") == len(sessions)
    assert set(bucket_keys(store)) == object_keys_indexed(store)  # any object put and never indexed was swept
    assert swept.emptied >= 1


def old_insert(conn: Connection, segment: compaction.NewSegment, object_id: int | None, offset: int) -> int:
    """How segments were indexed before replay-segments-3: each a whole object, no offset."""
    assert offset == 0
    parts = segment.parts
    row = conn.execute(
        """INSERT INTO replay_segments (session_id, key_id, dictionary_id, seal_id, first_ts, last_ts, chunks,
                                        raw_bytes, stored_bytes, chunk_table, object, created_at, layout)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (segment.session_id, segment.key_id, segment.dictionary_id, segment.seal_id, parts[0].first_ts,
         parts[-1].last_ts, len(parts), parts[-1].end, len(segment.data), compaction.encode_parts(parts), object_id,
         1, segment.layout)).fetchone()
    conn.execute("UPDATE replay_objects SET chunks = chunks + 1 WHERE id = ?", (object_id,))
    return int(row[0])


def test_segments_stored_one_per_object_before_offsets_read_and_delete_after_the_upgrade(
        tmp_path: Path, credentials: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    old = open_store(tmp_path, credentials, migrations=migrations_before(MIGRATIONS, "replay-segments-3"),
                     batch_bytes=1)  # one segment per object
    keys_with_created_at(old, monkeypatch)
    with monkeypatch.context() as patched:
        segments_found_by_session(patched)
        for i, (session_id, subject) in enumerate((("ann", "h-ann"), ("bob", "h-bob"))):
            asyncio.run(record(old, session_id, recording("spa-corpus", i), subject))
        patched.setattr(compaction, "segments_of", lambda conn, session_id: [])  # none yet (no offset column)
        before = {s: list(old.read_events(s)) for s in ("ann", "bob")}
        patched.setattr(compaction, "insert", old_insert)
        assert asyncio.run(old.compact(now=LATER)) == 2
    asyncio.run(old.close())
    old.db.close()

    store = open_store(tmp_path, credentials)
    try:
        asyncio.run(store.sweep())
        assert len(bucket_keys(store)) == 2 and {s: list(store.read_events(s)) for s in before} == before
        store.db.write_sync(lambda conn: store.delete_subjects(conn, ["h-ann"], 100))
        assert asyncio.run(store.sweep()).emptied == 1
        assert list(store.read_events("ann")) == [] and list(store.read_events("bob")) == before["bob"]
        assert len(bucket_keys(store)) == 1
    finally:
        asyncio.run(store.close())
        store.db.close()
