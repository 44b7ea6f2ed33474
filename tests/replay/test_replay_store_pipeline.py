"""The replay store's writes to the database overlap: while one group's commit is held up (its fsync, or here another
connection holding SQLite's write lock), the next group is compressed and sealed on a worker thread and its write
queued, and each request is still answered only once its own commit is done. A key that changed between a request's
sealing and its write (another process destroyed it, or another request opened the session first with other
identifiers) gets its chunks sealed again in the write, under the key that is stored when it commits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from gateway.database import Database
from gateway.storage.engine import StorageUnavailable
from replay import shredding
from replay.compression import Compressor
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore, SessionConflict, Stored
from tests.replay.test_replay_store import MASTER_KEY, STORE_MIGRATIONS, chunk

T = TypeVar("T")
DEADLINE_S = 60.0  # for a condition that holds within milliseconds on an idle machine


class CountingCompressor(Compressor):
    """zstd as the store uses it, counting the chunks it compressed (on any thread)."""

    def __init__(self) -> None:
        super().__init__(level=3)
        self.count = 0
        self._lock = threading.Lock()

    def compress(self, raw: bytes, dict_id: int | None) -> bytes:
        with self._lock:
            self.count += 1
        return super().compress(raw, dict_id)


class CountingDatabase(Database):
    """The gateway's database, counting the writes queued through `write` (the store's)."""

    queued = 0

    async def write(self, fn: Callable[[Any], T]) -> T:
        self.queued += 1
        return await super().write(fn)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "gateway.db"


@pytest.fixture
def store(path: Path) -> Iterator[ReplayStore]:
    db = CountingDatabase(path, STORE_MIGRATIONS)
    yield ReplayStore(db, CountingCompressor(), KeyRing(MASTER_KEY))
    db.close()


def compressed(store: ReplayStore) -> int:
    assert isinstance(store.compressor, CountingCompressor)
    return store.compressor.count


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.005)


def lock_writes(path: Path) -> sqlite3.Connection:
    """Another connection holding the database's write lock: the store's writer waits for it in BEGIN IMMEDIATE."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def bound(session_id: str, window_id: str, ts: int, *subjects: str) -> ChunkIn:
    plain = chunk(session_id, ts)
    return ChunkIn(session_id, window_id, subjects, plain.events, plain.summary)


def chunk_keys(store: ReplayStore, session_id: str) -> list[str]:
    return [row[0] for row in store.db.read_sync(lambda c: c.execute(
        "SELECT key_id FROM replay_chunks WHERE session_id = ? ORDER BY id", (session_id,)).fetchall())]


def test_the_next_group_is_prepared_while_a_commit_is_held_and_both_are_answered_after_their_commits(
        store: ReplayStore, path: Path) -> None:
    async def scenario() -> tuple[list[Stored], list[Stored]]:
        other = lock_writes(path)
        try:
            first = asyncio.ensure_future(store.add("web", [chunk("a", 1000)]))
            await until(lambda: compressed(store) == 1)  # prepared: its write is (about to be) queued, behind the lock
            second = asyncio.ensure_future(store.add("web", [chunk("b", 2000), chunk("b", 3000, "more")]))
            # Compressed and sealed while the first group's write cannot even begin: not after its commit.
            await until(lambda: compressed(store) == 3)
            assert not first.done() and not second.done()  # nobody is answered before the commit
            assert store.db.read_sync(lambda c: c.execute("SELECT count(*) FROM replay_chunks").fetchone()[0]) == 0
        finally:
            other.execute("ROLLBACK")
            other.close()
        return await first, await second

    first, second = asyncio.run(scenario())
    assert [s.duplicate for s in first + second] == [False, False, False]
    rows = store.db.read_sync(lambda c: c.execute("SELECT session_id FROM replay_chunks ORDER BY id").fetchall())
    assert [r[0] for r in rows] == ["a", "b", "b"]  # written in the order the requests came
    assert len(list(store.read_events("b"))) == 2


def test_a_key_destroyed_between_sealing_and_the_write_gets_the_chunks_sealed_again_under_the_new_one(
        store: ReplayStore, path: Path) -> None:
    """`privacy-gateway purge` (another process) destroys a session's key after a request's chunks were sealed under
    it, before their write: they are sealed again under the key their write stores, and open under it."""
    asyncio.run(store.add("web", [bound("s", "w1", 1000, "alice")]))
    (key_id,) = chunk_keys(store, "s")
    wrapped_before = store.db.read_sync(lambda c: c.execute(
        "SELECT wrapped FROM replay_keys WHERE key_id = ?", (key_id,)).fetchone()[0])

    async def scenario() -> list[Stored]:
        other = lock_writes(path)
        try:
            KeyRing(MASTER_KEY).destroy_for_subjects(other, ["alice"], 10)  # not committed yet: the read sees it
            added = asyncio.ensure_future(store.add("web", [bound("s", "w2", 2000, "alice")]))
            await until(lambda: compressed(store) == 2)  # sealed under the key about to be destroyed
            other.execute("COMMIT")
        finally:
            other.close()
        return await added

    assert not asyncio.run(scenario())[0].duplicate
    assert chunk_keys(store, "s") == [key_id, key_id]  # the binding's id, under a key made again
    wrapped_now = store.db.read_sync(lambda c: c.execute(
        "SELECT wrapped FROM replay_keys WHERE key_id = ?", (key_id,)).fetchone()[0])
    assert wrapped_now != wrapped_before
    assert [e["timestamp"] for e in store.read_events("s", "w2")] == [2000]  # opens under the stored key
    with pytest.raises(ValueError, match="fail authentication"):  # the purged chunk does not open under it
        list(store.read_events("s", "w1"))


def test_a_session_opened_by_the_group_before_with_other_identifiers_reseals_the_next_groups_chunks(
        store: ReplayStore, path: Path) -> None:
    """The next group was sealed while the session did not exist yet, under the key of the identifiers it named; the
    group before opened the session with others: its chunks go under that session's binding's key."""
    async def scenario() -> None:
        other = lock_writes(path)
        try:
            opening = asyncio.ensure_future(store.add("web", [bound("s", "w", 1000, "device")]))
            await until(lambda: compressed(store) == 1)
            joining = asyncio.ensure_future(store.add("web", [bound("s", "w", 2000, "device", "user")]))
            await until(lambda: compressed(store) == 2)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await opening
        await joining

    asyncio.run(scenario())
    binding = shredding.binding_key_id("s", {"device"})
    assert chunk_keys(store, "s") == [binding, binding]
    assert [e["timestamp"] for e in store.read_events("s")] == [1000, 2000]
    assert compressed(store) == 2  # sealed again, not compressed again
    assert not store.keys._proposed  # the key proposed for "device user" was withdrawn, not left for ever


def held_write(entered: threading.Event, release: threading.Event,
               error: Exception | None = None) -> Callable[[object], None]:
    """A write for the writer thread that says it has started, then waits (within the deadline) for `release`, then
    raises `error` if one is given: a transaction held open while the test queues what should come behind it."""

    def write(conn: object) -> None:
        entered.set()
        release.wait(DEADLINE_S)
        if error is not None:
            raise error

    return write


def test_a_write_queued_behind_one_that_was_rolled_back_does_not_trust_what_that_one_remembered(
        store: ReplayStore) -> None:
    """The group before failed with the storage (its whole transaction rolled back) after it opened a session: the
    next group, queued meanwhile, finds no such session, and opens it itself."""
    assert isinstance(store.db, CountingDatabase)
    holding, held, failing, inside = (threading.Event() for _ in range(4))

    hold = held_write(holding, held)  # a transaction of its own, so that the next one takes what is queued meanwhile
    fail = held_write(inside, failing, StorageUnavailable("I/O error"))  # in the first group's write's transaction

    async def scenario() -> tuple[object, object]:
        hold_done = store.db.submit(hold)
        await until(holding.is_set)
        opening = asyncio.ensure_future(store.add("web", [bound("s", "w", 1000, "device")]))
        await until(lambda: store.db.queued == 1)
        failure = store.db.submit(fail)
        held.set()  # the writer takes the opening write and the failing one together
        await until(inside.is_set)
        other = asyncio.ensure_future(store.add("web", [bound("s", "w", 2000, "stranger")]))
        await until(lambda: store.db.queued == 2)
        failing.set()
        results = await asyncio.gather(opening, other, return_exceptions=True)
        hold_done.result(DEADLINE_S)
        with pytest.raises(StorageUnavailable):
            failure.result(DEADLINE_S)
        return results[0], results[1]

    opened, other = asyncio.run(scenario())
    assert isinstance(opened, StorageUnavailable)
    assert not isinstance(other, SessionConflict | BaseException)  # "s" was never stored bound to "device"
    assert store.db.read_sync(lambda c: c.execute("SELECT subjects FROM replay_sessions").fetchall()) == [
        ("stranger",)]
    assert [e["timestamp"] for e in store.read_events("s")] == [2000]


def test_a_sessions_next_request_prepared_while_its_first_commits_leaves_no_key_proposed(store: ReplayStore) -> None:
    """The first request's write stored the session's new key and is waiting for its commit when the next request
    is prepared: that one finds no key stored yet and none proposed, so it is sealed under a new proposal, then
    sealed again under the stored key; the proposal is dropped, not kept for the life of the process."""
    assert isinstance(store.db, CountingDatabase)
    holding, held, pausing, paused = (threading.Event() for _ in range(4))

    hold = held_write(holding, held)  # a transaction of its own, so that the next one takes what is queued meanwhile
    pause = held_write(pausing, paused)  # in the transaction of the first request's write, after it

    async def scenario() -> None:
        hold_done = store.db.submit(hold)
        await until(holding.is_set)
        first = asyncio.ensure_future(store.add("web", [bound("s", "w", 1000, "device")]))
        await until(lambda: store.db.queued == 1)
        pause_done = store.db.submit(pause)
        held.set()
        await until(pausing.is_set)  # the first write ran: its key is stored, not committed
        second = asyncio.ensure_future(store.add("web", [bound("s", "w", 2000, "device")]))
        await until(lambda: store.db.queued == 2)
        assert store.keys._proposed  # sealed under a key of its own making
        paused.set()
        await first
        await second
        hold_done.result(DEADLINE_S)
        pause_done.result(DEADLINE_S)

    asyncio.run(scenario())
    assert not store.keys._proposed
    binding = shredding.binding_key_id("s", {"device"})
    assert chunk_keys(store, "s") == [binding, binding]
    assert [e["timestamp"] for e in store.read_events("s")] == [1000, 2000]
