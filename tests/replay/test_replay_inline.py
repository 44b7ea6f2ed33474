"""Small flushes inline on the S3 backend (`[replay.storage] inline_below`), on SQLite and PostgreSQL
(`database_location`) with SeaweedFS on loopback: a flush under the threshold keeps its sealed chunks in the database,
as the database backend does, a larger one is an object; a session whose chunks are part inline and part in objects
reads back event by event in order, after a restart and once compacted into one segment object; deletion destroys the
keys of both kinds and removes inline chunks' bytes; a resent batch is stored once whichever way its first copy went."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.engine import Engine
from replay.batching import batching_for
from replay.compression import Compressor
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore
from tests.replay.test_replay_compaction import count
from tests.replay.test_replay_objects import MASTER_KEY, bucket_keys, chunk, credentials, storage, texts
from tests.support.seaweedfs import S3Bucket

__all__ = ["credentials"]  # the fixture, used by name

INLINE_BELOW = 4096  # bytes of events: the small chunks below go inline, the large ones are objects
LARGE = "x" * 6000


def open_store(where: Path | Engine, bucket: S3Bucket, inline_below: int = INLINE_BELOW) -> ReplayStore:
    batching = batching_for(storage(bucket, inline_below=inline_below))
    assert batching is not None
    batching.objects.check()
    return ReplayStore(Database(where, MIGRATIONS), Compressor(level=3), KeyRing(MASTER_KEY), batching=batching,
                       compact_after_s=60)


def close(store: ReplayStore) -> None:
    asyncio.run(store.close())
    store.db.close()


@pytest.fixture
def store(database_location: Path | Engine, credentials: S3Bucket) -> Iterator[ReplayStore]:
    store = open_store(database_location, credentials)
    yield store
    close(store)


def text(i: int) -> str:
    return LARGE + str(i) if i % 3 == 0 else f"small {i}"  # every third chunk large: an object of its own


async def send(store: ReplayStore, session_id: str, indices: list[int], subjects: tuple[str, ...] = ()) -> None:
    """One request after the other, as one SDK sends them: each its own flush."""
    for i in indices:
        await store.add("web", [chunk(session_id, 1000 + i, text(i), subjects)])


def inline_chunks(store: ReplayStore, session_id: str) -> int:
    return count(store, "SELECT count(*) FROM replay_blobs b JOIN replay_chunks c ON c.id = b.chunk_id "
                        "WHERE c.session_id = ?", session_id)


def test_small_flushes_stay_in_the_database_and_large_ones_are_objects(store: ReplayStore) -> None:
    asyncio.run(send(store, "mix", list(range(9))))
    assert inline_chunks(store, "mix") == 6
    assert count(store, "SELECT sum(chunks) FROM replay_objects") == 3 and len(bucket_keys(store)) == 3


def test_a_session_part_inline_part_in_objects_reads_back_in_order_after_a_restart_and_once_compacted(
        database_location: Path | Engine, credentials: S3Bucket) -> None:
    store = open_store(database_location, credentials)
    order = [0, 1, 2, 5, 4, 3, 6, 8, 7]  # out of order, as retries deliver: reading merges by timestamp
    asyncio.run(send(store, "mix", order))
    expected = [text(i) for i in range(9)]
    assert texts(store, "mix") == expected
    close(store)

    store = open_store(database_location, credentials)  # a restart: nothing of the session left in memory
    try:
        assert texts(store, "mix") == expected
        assert asyncio.run(store.compact(now=time.time() + 120)) == 1
        assert texts(store, "mix") == expected
        assert inline_chunks(store, "mix") == 0 and count(store, "SELECT count(*) FROM replay_chunks") == 0
        asyncio.run(store.sweep())  # the batched objects, emptied by the compaction
        (segment_key,) = bucket_keys(store)
        assert count(store, "SELECT count(*) FROM replay_objects WHERE key = ?", segment_key) == 1
        assert count(store, "SELECT stored_bytes FROM replay_sessions WHERE session_id = 'mix'") == count(
            store, "SELECT sum(stored_bytes) FROM replay_segments WHERE session_id = 'mix'")
    finally:
        close(store)


def test_a_deletion_destroys_the_keys_of_inline_and_object_chunks_and_removes_inline_bytes(
        store: ReplayStore, database_location: Path | Engine) -> None:
    secret = "Ada Lovelace, 12 Analytical Row"
    asyncio.run(store.add("web", [chunk("ada", 1000, secret, ("subject-ada",))]))  # inline
    asyncio.run(store.add("web", [chunk("ada", 1001, secret + LARGE, ("subject-ada",))]))  # an object
    asyncio.run(send(store, "bob", [0, 1], ("subject-bob",)))
    assert inline_chunks(store, "ada") == 1
    ada_keys = store.db.read_sync(lambda c: [k for (k,) in c.execute(
        "SELECT DISTINCT key_id FROM replay_chunks WHERE session_id = 'ada'")])

    deleted = asyncio.run(store.db.write(lambda c: store.delete_subjects(c, ["subject-ada"], 100)))

    assert deleted == ["ada"]
    assert list(store.read_events("ada")) == [] and inline_chunks(store, "ada") == 0
    assert store.db.read_sync(lambda c: [store.keys.key(c, k) for k in ada_keys]) == [None]
    assert count(store, "SELECT count(*) FROM replay_blobs b LEFT JOIN replay_chunks c ON c.id = b.chunk_id "
                        "WHERE c.id IS NULL") == 0  # no inline bytes left without their row
    assert texts(store, "bob") == [text(0), text(1)]
    asyncio.run(store.sweep())  # her object, emptied, goes
    assert count(store, "SELECT count(*) FROM replay_objects") == 1 == len(bucket_keys(store))
    if isinstance(database_location, Path):  # a byte scan of the SQLite file and its journal
        asyncio.run(store.db.checkpoint())
        scanned = b"".join(p.read_bytes() for p in database_location.parent.glob(database_location.name + "*"))
        assert secret.encode() not in scanned and b"Lovelace" not in scanned


def test_a_session_that_goes_on_has_its_chunks_older_than_compact_after_s_moved_into_a_segment_object(
        store: ReplayStore) -> None:
    asyncio.run(send(store, "busy", [0, 1, 2, 4, 5]))
    # The first three arrived two minutes ago (compact_after_s is 60): the session is not idle, they are old.
    asyncio.run(store.db.write(lambda c: c.execute(
        "UPDATE replay_chunks SET created_at = created_at - 120 WHERE session_id = 'busy' AND first_ts < 1003")))

    assert asyncio.run(store.compact()) == 1

    assert count(store, "SELECT count(*) FROM replay_segments WHERE session_id = 'busy'") == 1
    assert count(store, "SELECT count(*) FROM replay_chunks WHERE session_id = 'busy'") == 2  # the recent ones
    assert inline_chunks(store, "busy") == 2
    asyncio.run(send(store, "busy", [3]))  # late, between the segment's chunks and the recent ones
    assert texts(store, "busy") == [text(i) for i in range(6)]
    assert asyncio.run(store.compact()) == 0  # nothing old left inline
    assert asyncio.run(store.compact(now=time.time() + 120)) == 1  # idle at last: the rest, another segment
    assert texts(store, "busy") == [text(i) for i in range(6)] and inline_chunks(store, "busy") == 0


def test_retention_removes_a_sessions_inline_bytes_and_the_sweeper_its_emptied_objects(store: ReplayStore) -> None:
    asyncio.run(send(store, "old", list(range(4))))
    asyncio.run(send(store, "kept", [1]))

    asyncio.run(store.db.write(lambda c: store.delete_sessions(c, ["old"])))  # what retention does when it expires

    assert inline_chunks(store, "old") == 0 and count(store, "SELECT count(*) FROM replay_blobs") == 1
    asyncio.run(store.sweep())
    assert bucket_keys(store) == [] and count(store, "SELECT count(*) FROM replay_objects") == 0
    assert texts(store, "kept") == [text(1)]


@pytest.mark.parametrize("first_inline", [True, False])
def test_a_resent_batch_is_stored_once_whether_its_first_copy_went_inline_or_to_an_object(
        store: ReplayStore, first_inline: bool) -> None:
    small = chunk("s", 1000, "hello")

    def request(with_large: bool) -> list[ChunkIn]:  # with a large chunk of another session, the flush is an object
        return [small, chunk("other", 1000, LARGE)] if with_large else [small]

    first = asyncio.run(store.add("web", request(not first_inline)))
    again = asyncio.run(store.add("web", request(first_inline)))

    assert not first[0].duplicate and again[0].duplicate
    assert texts(store, "s") == ["hello"]
    assert inline_chunks(store, "s") == (1 if first_inline else 0)
    assert count(store, "SELECT count(*) FROM replay_chunks WHERE session_id = 's'") == 1


def test_inline_below_zero_makes_every_flush_an_object(tmp_path: Path, credentials: S3Bucket) -> None:
    store = open_store(tmp_path / "replay.sqlite3", credentials, inline_below=0)
    try:
        asyncio.run(send(store, "s", [1, 2]))
        assert inline_chunks(store, "s") == 0 and count(store, "SELECT sum(chunks) FROM replay_objects") == 2
    finally:
        close(store)
