"""The replay store's writes: requests arriving together share a write, and each still gets its own answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.database import Database, Migration
from replay import store as replay_store
from replay.compression import Compressor
from replay.store import ChunkIn, ReplayStore, SourceConflict
from replay.summary import summarize


def chunk(session_id: str, ts: int, text: str = "hello") -> ChunkIn:
    events = [{"type": 3, "timestamp": ts, "data": {"source": 0, "texts": [{"id": 1, "value": text}]}}]
    return ChunkIn(session_id, "main", (), events, summarize(events))


@pytest.fixture
def store(tmp_path: Path):
    db = Database(tmp_path / "replay.sqlite3", [Migration("replay-1", replay_store.SCHEMA)])
    yield ReplayStore(db, Compressor(level=3))
    db.close()


def stored_chunks(store: ReplayStore, session_id: str) -> int:
    return store.db.read_sync(
        lambda c: c.execute("SELECT count(*) FROM replay_chunks WHERE session_id = ?", (session_id,)).fetchone()[0])


def test_concurrent_requests_share_writes_and_each_gets_its_result(store: ReplayStore) -> None:
    async def scenario() -> list[list[replay_store.Stored]]:
        return await asyncio.gather(*(store.add("web", [chunk(f"s{i % 5}", 1000 + i)]) for i in range(50)))

    commits_before = store.db.commits
    results = asyncio.run(scenario())
    assert [len(r) for r in results] == [1] * 50
    assert not any(r[0].duplicate for r in results)
    assert sum(stored_chunks(store, f"s{i}") for i in range(5)) == 50
    assert store.db.commits - commits_before < 50  # written together, not one transaction each


def test_a_request_for_another_sources_session_is_refused_alone(store: ReplayStore) -> None:
    async def scenario() -> list[object]:
        await store.add("web", [chunk("taken", 1000)])
        return await asyncio.gather(
            store.add("web", [chunk("a", 1000)]),
            store.add("mobile", [chunk("b", 1000), chunk("taken", 2000)]),  # its second chunk is refused: both go
            store.add("web", [chunk("c", 1000)]),
            return_exceptions=True,
        )

    first, refused, last = asyncio.run(scenario())
    assert isinstance(refused, SourceConflict)
    assert not isinstance(first, BaseException) and not isinstance(last, BaseException)
    assert (stored_chunks(store, "a"), stored_chunks(store, "b"), stored_chunks(store, "c")) == (1, 0, 1)
    assert stored_chunks(store, "taken") == 1


def test_the_same_batch_sent_twice_at_once_is_stored_once(store: ReplayStore) -> None:
    async def scenario() -> list[list[replay_store.Stored]]:
        return await asyncio.gather(store.add("web", [chunk("s", 1000)]), store.add("web", [chunk("s", 1000)]))

    results = asyncio.run(scenario())
    assert sorted(r[0].duplicate for r in results) == [False, True]
    assert stored_chunks(store, "s") == 1
    events = list(store.iter_events("s"))
    assert len(events) == 1
