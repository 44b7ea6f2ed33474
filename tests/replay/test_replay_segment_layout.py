"""Segments in replay.segment_codec's layouts (node ids and timestamps as deltas; strings apart too), through the
store: written with the dictionaries for segments (the shipped generic one cold, the source's own once trained), each
layout smaller than the one before, read back byte for byte; segments written before the layouts (or holding numbers
they cannot take) are PLAIN and still read, after a restart too.
Runs on SQLite and on PostgreSQL (`database_location`)."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.database import Database
from gateway.schema import MIGRATIONS
from gateway.storage.engine import Engine
from policies.policy import Source
from policies.replay import ReplayPolicy, ReplayStorage
from replay import segment_codec
from replay.compression import Compressor, train
from replay.generic_dictionary import chunks_of
from replay.ingest import parse_native
from replay.privacy import RrwebPrivacy
from replay.service import Gate, ReplayService
from replay.shredding import KeyRing
from replay.store import GENERIC_SOURCE, ChunkIn, ReplayStore
from replay.summary import summarize

MASTER_KEY = bytes(range(32))  # not a secret: the tests' master key
STORE_MIGRATIONS = [m for m in MIGRATIONS if m.name.startswith("replay-")]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LATER = 10**10  # a `now` at which every session is long idle
SESSIONS = 12  # of spa-corpus: an application the shipped dictionary does not know, so that its own beats it


@pytest.fixture
def db(database_location: Path | Engine) -> Iterator[Database]:
    database = Database(database_location, STORE_MIGRATIONS)
    yield database
    database.close()


def open_store(db: Database) -> ReplayStore:
    return ReplayStore(db, Compressor(level=3), KeyRing(MASTER_KEY), compact_after_s=60)


def recording(corpus: str, index: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(sorted((FIXTURES / corpus).glob("sess_*.json"))[index].read_text())[
        "events"]
    return events


def record(store: ReplayStore, session_id: str, events: list[dict[str, Any]], subject: str) -> None:
    for chunk in chunks_of(events):
        asyncio.run(store.add("web", [ChunkIn(session_id, "w-1", (subject,), chunk, summarize(chunk))]))


def as_json(store: ReplayStore, session_id: str) -> list[bytes]:
    return [orjson.dumps(event) for event in store.read_events(session_id)]


def segment_row(store: ReplayStore, session_id: str) -> tuple[int, int | None, int]:
    row: tuple[int, int | None, int] = store.db.read_sync(lambda c: c.execute(
        "SELECT layout, dictionary_id, stored_bytes FROM replay_segments WHERE session_id = ?",
        (session_id,)).fetchone())
    return row


def test_segments_in_each_layout_use_the_shipped_segment_dictionary_and_take_fewer_bytes_than_the_one_before(
        db: Database) -> None:
    events = recording("spa-corpus", 1)
    sizes = {}
    for layout in (segment_codec.PLAIN, segment_codec.DELTAS, segment_codec.STRINGS):
        store = open_store(db)
        store.segment_layout = layout
        record(store, f"s-{layout}", events, f"h-{layout}")
        before = as_json(store, f"s-{layout}")
        asyncio.run(store.compact(now=LATER))
        written, dictionary, sizes[layout] = segment_row(store, f"s-{layout}")

        assert written == layout
        assert dictionary == (store.generic_segment_dictionary if layout != segment_codec.PLAIN
                              else store.generic_dictionary)
        assert as_json(open_store(db), f"s-{layout}") == before  # after a restart too

    assert sizes[segment_codec.DELTAS] < sizes[segment_codec.PLAIN] * 0.95
    assert sizes[segment_codec.STRINGS] < sizes[segment_codec.DELTAS]
    # One row per shipped dictionary, however many times the gateway starts.
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM replay_dictionaries WHERE source = ?",
                                            (GENERIC_SOURCE,)).fetchone()[0]) == 2


def test_a_session_holding_numbers_the_delta_layout_cannot_take_is_compacted_plain_and_reads_back(
        db: Database) -> None:
    store = open_store(db)
    chunk = [{"type": 5, "timestamp": 1_795_000_000_000, "data": {"tag": "big", "payload": {"id": 2**64 - 1}}},
             {"type": 5, "timestamp": 1_795_000_000_001, "data": {"tag": "small", "payload": {"id": -(2**63)}}}]
    asyncio.run(store.add("web", [ChunkIn("extreme", "w-1", ("h-ada",), chunk, summarize(chunk))]))
    before = as_json(store, "extreme")

    assert asyncio.run(store.compact(now=LATER)) == 1

    layout, dictionary, _ = segment_row(store, "extreme")
    assert (layout, dictionary) == (segment_codec.PLAIN, store.generic_dictionary)
    assert as_json(store, "extreme") == before == [orjson.dumps(event) for event in chunk]


def test_a_sources_own_segment_dictionary_compresses_its_segments_and_is_still_current_after_a_restart(
        db: Database) -> None:
    store = open_store(db)
    samples = [orjson.dumps(c) for i in range(4) for c in chunks_of(recording("replay-corpus", i))]
    asyncio.run(store.add_dictionary("web", train(samples, 16384), len(samples)))
    own = asyncio.run(store.add_dictionary("web", train([segment_codec.encode(s) for s in samples], 16384, 19),
                                           len(samples), segment_codec.LAYOUT))
    record(store, "own", recording("replay-corpus", 6), "h-ada")
    before = as_json(store, "own")

    asyncio.run(store.compact(now=LATER))

    assert segment_row(store, "own")[:2] == (segment_codec.LAYOUT, own)
    restarted = open_store(db)
    assert restarted.segment_dictionary_for("web") == own
    assert restarted.dictionary_for("web") == own - 1  # the chunks' one is not the segments'
    assert as_json(restarted, "own") == before
    assert restarted.chunks_since_dictionary("web") == len(chunks_of(recording("replay-corpus", 6)))


def test_a_segment_dictionary_of_an_older_layout_opens_its_segments_but_is_not_current_after_the_upgrade(
        db: Database) -> None:
    store = open_store(db)
    samples = [orjson.dumps(c) for i in range(4) for c in chunks_of(recording("replay-corpus", i))]
    old = asyncio.run(store.add_dictionary("web", train([segment_codec.encode(s, segment_codec.DELTAS)
                                                          for s in samples], 16384, 19),
                                           len(samples), segment_codec.DELTAS))
    assert store.segment_dictionary_for("web") == store.generic_segment_dictionary != old
    # The code before: layout 1 segments with the source's layout 1 dictionary, its current one.
    store.segment_layout, store.current_segment_dictionary["web"] = segment_codec.DELTAS, old
    record(store, "old", recording("replay-corpus", 6), "h-ada")
    before = as_json(store, "old")
    asyncio.run(store.compact(now=LATER))
    assert segment_row(store, "old")[:2] == (segment_codec.DELTAS, old)

    restarted = open_store(db)
    assert restarted.segment_dictionary_for("web") == restarted.generic_segment_dictionary
    assert as_json(restarted, "old") == before
    record(restarted, "new", recording("replay-corpus", 7), "h-ada")
    asyncio.run(restarted.compact(now=LATER))
    assert segment_row(restarted, "new")[:2] == (segment_codec.LAYOUT, restarted.generic_segment_dictionary)
    # Counted from the shipped one's row: every chunk the source stored since, so it trains its own soon.
    assert restarted.chunks_since_dictionary("web", segments=True) >= len(chunks_of(recording("replay-corpus", 7)))


def serve(policy: ReplayPolicy, store: ReplayStore, **paced: Any) -> ReplayService:
    gate = Gate(source_for_key=lambda key: SOURCE, subjects=lambda ids: ("h-ada",),
                consent=lambda *a: (True, "test"), count=lambda *a, **k: None)
    return ReplayService(policy, store, RrwebPrivacy((), lambda text: text, lambda tag, name, value: value), gate,
                         **paced)


def ingest(service: ReplayService, sessions: range, corpus: str = "spa-corpus") -> None:
    async def send() -> None:
        for i in sessions:
            for chunk in chunks_of(recording(corpus, i)):
                body = orjson.dumps(chunk)
                _, batch = parse_native(chunk, f"s-{i}", {}, service.policy.max_event_bytes, len(body))
                await service.ingest(SOURCE, [batch], {}, {})
        await service.close()  # the training under way has finished

    asyncio.run(send())


def dictionary_layouts(db: Database) -> list[int]:
    return [row[0] for row in db.read_sync(lambda c: c.execute(
        "SELECT layout FROM replay_dictionaries WHERE source = 'web' ORDER BY id").fetchall())]


def chunk_dictionaries(db: Database) -> set[int | None]:
    return {row[0] for row in db.read_sync(lambda c: c.execute("SELECT dictionary_id FROM replay_chunks").fetchall())}


SOURCE = Source("web", ("k",), (), "opt-out")


def test_with_compaction_on_a_source_trains_a_segment_dictionary_only_and_its_chunks_keep_the_shipped_one(
        db: Database) -> None:
    policy = ReplayPolicy(train_after_chunks=100, retrain_after_chunks=10**9)
    assert policy.storage.compact_after_s > 0  # the default
    store = open_store(db)

    ingest(serve(policy, store), range(SESSIONS))

    assert dictionary_layouts(db) == [segment_codec.LAYOUT]  # no chunk dictionary trained or stored
    assert chunk_dictionaries(db) == {store.generic_dictionary}
    before = {i: as_json(store, f"s-{i}") for i in range(SESSIONS)}
    assert asyncio.run(store.compact(now=LATER)) == SESSIONS
    own = store.segment_dictionary_for("web")
    assert own != store.generic_segment_dictionary
    assert {segment_row(store, f"s-{i}")[:2] for i in range(SESSIONS)} == {(segment_codec.LAYOUT, own)}

    restarted = open_store(db)
    assert (restarted.dictionary_for("web"), restarted.segment_dictionary_for("web")) == (
        restarted.generic_dictionary, own)
    assert {i: as_json(restarted, f"s-{i}") for i in range(SESSIONS)} == before
    # Counted towards the next one: chunks compacted with it (all, as compaction recompresses the older ones too).
    chunks = sum(len(chunks_of(recording("spa-corpus", i))) for i in range(SESSIONS))
    assert restarted.chunks_since_dictionary("web", segments=True) == chunks


def test_with_compaction_off_a_source_trains_a_chunk_dictionary_only_and_its_new_chunks_use_it(db: Database) -> None:
    policy = ReplayPolicy(train_after_chunks=100, retrain_after_chunks=10**9, storage=ReplayStorage(compact_after_s=0))
    store = open_store(db)
    service = serve(policy, store)

    ingest(service, range(SESSIONS - 1))
    assert dictionary_layouts(db) == [segment_codec.PLAIN]
    own = store.dictionary_for("web")
    assert own != store.generic_dictionary
    assert store.segment_dictionary_for("web") == store.generic_segment_dictionary
    ingest(service, range(SESSIONS - 1, SESSIONS))
    last = db.read_sync(lambda c: c.execute("SELECT dictionary_id FROM replay_chunks WHERE session_id = ?",
                                            (f"s-{SESSIONS - 1}",)).fetchall())
    assert {row[0] for row in last} == {own}
    before = as_json(store, f"s-{SESSIONS - 1}")
    assert len(before) == len(recording("spa-corpus", SESSIONS - 1))
    restarted = open_store(db)
    assert restarted.dictionary_for("web") == own
    assert as_json(restarted, f"s-{SESSIONS - 1}") == before


def test_a_source_whose_own_segment_dictionary_is_no_better_than_the_shipped_one_tries_again_less_and_less_often(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    # The shipped segment dictionary was trained on fixtures/replay-corpus: one trained on a few of its sessions does
    # no better. Each session is ingested once the training before has finished.
    policy = ReplayPolicy(train_after_chunks=10, retrain_after_chunks=10**9)
    service = serve(policy, open_store(db), training_share=1.0)  # no rest between trainings (the next test has it)
    sessions = 8
    sizes = [len(chunks_of(recording("replay-corpus", i))) for i in range(sessions)]
    assert min(sizes) >= 10 and sum(sizes) < 10 + 20 + 40 + 80  # a try after every session, were there no back-off

    with caplog.at_level("INFO", logger="replay"):
        for i in range(sessions):
            ingest(service, range(i, i + 1), "replay-corpus")

    assert dictionary_layouts(db) == []
    tries = [r for r in caplog.records if "no better" in r.getMessage() or "could not train" in r.getMessage()]
    assert 2 <= len(tries) <= 3  # after 10, 20 and 40 more chunks


def test_a_source_that_sends_fast_trains_again_only_once_its_trainings_are_back_under_their_share_of_a_core(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    # As above (each try is no better, the next is due 10, 20, 40 chunks later), but with the rest between trainings:
    # while the clock stands still only the first try runs; once it has moved on by the rest, the next one does.
    now = [1000.0]
    service = serve(ReplayPolicy(train_after_chunks=10, retrain_after_chunks=10**9), open_store(db),
                    clock=lambda: now[0])

    def tries() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "no better" in r.getMessage()]

    with caplog.at_level("INFO", logger="replay"):
        for i in range(6):
            ingest(service, range(i, i + 1), "replay-corpus")
        assert len(tries()) == 1
        rest = service._rest_until["web"] - now[0]
        assert rest > 0
        now[0] += rest * 0.99
        ingest(service, range(6, 7), "replay-corpus")
        assert len(tries()) == 1
        now[0] += rest * 0.02
        ingest(service, range(7, 8), "replay-corpus")
        assert len(tries()) == 2


def test_a_segment_written_by_the_release_before_layout_2_reads_compacts_beside_and_shreds_today(
        tmp_path: Path) -> None:
    """fixtures/old-segment (made by that release's code, see its make.py): layout 1, a framed zstd frame, the 128 KB
    segment dictionary shipped then, a key wrapped by AES-GCM; today's migrations run over it."""
    path = tmp_path / "gateway.sqlite3"
    path.write_bytes(gzip.decompress((FIXTURES / "old-segment" / "gateway.sqlite3.gz").read_bytes()))
    db = Database(path, STORE_MIGRATIONS)
    try:
        store = open_store(db)
        layout, dictionary, _ = segment_row(store, "old-session")
        assert layout == segment_codec.DELTAS and dictionary != store.generic_segment_dictionary
        assert db.read_sync(lambda c: c.execute("SELECT length(data), layout FROM replay_dictionaries WHERE id = ?",
                                                (dictionary,)).fetchone()) == (131072, segment_codec.DELTAS)
        assert count_wrapped(db) == {60: 1}  # its key as that release wrapped it
        expected = [orjson.dumps(event) for chunk in chunks_of(recording("replay-corpus", 3)) for event in chunk]
        assert as_json(store, "old-session") == expected
        resent = chunks_of(recording("replay-corpus", 3))[-1]  # its table keeps 8 bytes of each digest
        assert [r.duplicate for r in asyncio.run(store.add(
            "web", [ChunkIn("old-session", "w-1", ("h-ada",), resent, summarize(resent))]))] == [True]

        record(store, "new", recording("replay-corpus", 4), "h-ada")  # the same binding: the same key
        asyncio.run(store.compact(now=LATER))
        assert segment_row(store, "new")[:2] == (segment_codec.LAYOUT, store.generic_segment_dictionary)
        assert as_json(open_store(db), "old-session") == expected  # after a restart too

        assert db.write_sync(lambda conn: store.shred_subjects(conn, ["h-ada"], 10)) == 1
        assert as_json(store, "old-session") == as_json(store, "new") == []
    finally:
        db.close()


def count_wrapped(db: Database) -> dict[int, int]:
    """How many data keys are wrapped in how many bytes."""
    rows = db.read_sync(lambda c: c.execute("SELECT length(wrapped), count(*) FROM replay_keys GROUP BY 1").fetchall())
    return dict(rows)
