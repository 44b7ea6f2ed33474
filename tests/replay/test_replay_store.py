"""The replay store: requests arriving together share a write and each still gets its own answer; a stored session
reads back, and is analysed, as it was recorded. Each test runs on SQLite and on PostgreSQL (`database_location`)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import orjson
import pytest

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.engine import Engine
from replay import store as replay_store
from replay.analysis import analyze_stored
from replay.compression import Compressor
from replay.detect import DetectConfig, analyze_session
from replay.shredding import KeyRing
from replay.store import ChunkIn, ReplayStore, SessionConflict
from replay.summary import summarize
from tests.replay.streams import E, Recording

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key
STORE_MIGRATIONS = [m for m in MIGRATIONS if m.name.startswith("replay-")]  # the replay parts of the schema


def chunk(session_id: str, ts: int, text: str = "hello") -> ChunkIn:
    events = [{"type": 3, "timestamp": ts, "data": {"source": 0, "texts": [{"id": 1, "value": text}]}}]
    return ChunkIn(session_id, "main", (), events, summarize(events))


@pytest.fixture
def store(database_location: Path | Engine):
    db = Database(database_location, STORE_MIGRATIONS)
    yield ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY))
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
    assert isinstance(refused, SessionConflict)
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


def frustrating_recording() -> Recording:
    """A page with a rage click, a dead click and an abandoned form."""
    rec = Recording()
    ids = rec.page(0, "https://shop.example/checkout", E("button", "Apply", ref="apply", type="button"),
                   E("span", "badge", ref="badge"), E("form", E("input", ref="email", type="email"), id="pay"))
    for t in (1000, 1200, 1400):
        rec.click(t, ids["apply"])
    rec.click(3000, ids["badge"])
    rec.type_text(6000, ids["email"], "ada")
    rec.wait(9000)
    return rec


def test_a_stored_session_is_read_and_analysed_as_it_was_recorded(store: ReplayStore) -> None:
    events = frustrating_recording().events
    batches = [events[i:i + 4] for i in range(0, len(events), 4)]
    # Sent out of order, one batch twice, and one retry that regroups events already sent with the next ones.
    sent = [batches[2], batches[0], batches[1], batches[0], *batches[3:], batches[1][2:] + batches[2][:2]]

    async def scenario() -> None:
        for batch in sent:
            await store.add("web", [ChunkIn("s", "main", (), batch, summarize(batch))])

    asyncio.run(scenario())
    assert list(store.read_events("s")) == events
    assert [orjson.loads(line) for line in store.iter_events("s")] == events
    stored = analyze_stored(store, "s", DetectConfig())
    recorded = analyze_session("s", {"main": events}, DetectConfig())
    assert stored is not None and stored.counts["rage_click"] == stored.counts["dead_click"] == 1
    assert (stored.to_dict(), stored.forms) == (recorded.to_dict(), recorded.forms)


def test_windows_are_read_apart_or_merged(store: ReplayStore) -> None:
    tab_a = [{"type": 3, "timestamp": ts, "data": {"source": 3, "id": 1, "x": 0, "y": ts}} for ts in (1, 3, 5)]
    tab_b = [{"type": 3, "timestamp": ts, "data": {"source": 3, "id": 1, "x": 0, "y": ts}} for ts in (2, 4)]

    async def scenario() -> None:
        await store.add("web", [ChunkIn("s", "a", (), tab_a, summarize(tab_a)),
                                ChunkIn("s", "b", (), tab_b, summarize(tab_b))])

    asyncio.run(scenario())
    assert list(store.read_events("s", "a")) == tab_a
    assert [e["timestamp"] for e in store.read_events("s")] == [1, 2, 3, 4, 5]
    assert list(store.read_events("no such session")) == []


def bound_chunk(session_id: str, ts: int, *subjects: str) -> ChunkIn:
    return ChunkIn(session_id, "main", subjects, chunk(session_id, ts).events, chunk(session_id, ts).summary)


def test_a_session_takes_chunks_only_from_the_identifiers_it_was_opened_with_or_linked_to_them(
        database_location: Path | Engine) -> None:
    """posthog-js switches its distinct id from the device's to the user's on identify, in the middle of a session:
    that chunk is taken because the identify linked the two. A chunk naming anyone else, or nobody, is refused."""
    links = {("user", "device")}
    db = Database(database_location, STORE_MIGRATIONS)
    store = ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY),
                        linked=lambda conn, ids, bound: all(any((i, b) in links for b in bound) for i in ids))

    async def add(*chunks: ChunkIn) -> object:
        try:
            return await store.add("web", list(chunks))
        except SessionConflict as conflict:
            return conflict

    try:
        assert not isinstance(asyncio.run(add(bound_chunk("s", 1000, "device"))), SessionConflict)
        assert not isinstance(asyncio.run(add(bound_chunk("s", 2000, "user"))), SessionConflict)  # linked
        assert not isinstance(asyncio.run(add(bound_chunk("s", 3000, "device", "new-id"))), SessionConflict)
        for stranger in (("attacker",), ()):
            refused = asyncio.run(add(bound_chunk("s", 4000, *stranger)))
            assert isinstance(refused, SessionConflict) and "other identifiers" in str(refused)
        assert stored_chunks(store, "s") == 3
        # What the session is bound to does not grow: a deletion for the linked user id does not reach it by itself.
        assert db.read_sync(lambda c: c.execute("SELECT subjects FROM replay_sessions").fetchone()[0]) == "device"

        assert not isinstance(asyncio.run(add(bound_chunk("anonymous", 1000))), SessionConflict)
        assert isinstance(asyncio.run(add(bound_chunk("anonymous", 2000, "someone"))), SessionConflict)
    finally:
        db.close()


class CountingLock:
    """The store's stamping lock, counting how often it is taken."""

    def __init__(self) -> None:
        self.lock, self.taken = threading.Lock(), 0

    def __enter__(self) -> None:
        self.lock.acquire()
        self.taken += 1

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def test_sessions_opened_by_one_request_get_distinct_ordered_created_at_and_their_later_chunks_take_no_stamp(
        store: ReplayStore) -> None:
    stamping = store._stamping = CountingLock()  # type: ignore[assignment]
    sessions = [f"s-{n}" for n in range(5)]

    def created_at() -> list[float]:
        return [store.db.read_sync(lambda c, s=s: c.execute(
            "SELECT created_at FROM replay_sessions WHERE session_id = ?", (s,)).fetchone()[0]) for s in sessions]

    asyncio.run(store.add("web", [chunk(s, 1000 + n) for n, s in enumerate(sessions)]))  # one receipt time for all
    opened = created_at()
    assert opened == sorted(opened) and len(set(opened)) == len(sessions)  # in the order the request opened them
    assert stamping.taken == len(sessions)

    asyncio.run(store.add("web", [chunk(s, 2000 + n) for n, s in enumerate(sessions)]))  # the same sessions go on
    assert stamping.taken == len(sessions)
    assert created_at() == opened
