"""Two nodes on one database (replay.store): a dictionary one node trains after the other started is loaded by the
other on first need, so that it reads, compacts and writes the first node's sessions. Runs on SQLite (two processes
may share a file) and on PostgreSQL (`database_location`); two gateway processes on one PostgreSQL are in
tests/e2e/test_replay_compaction.py."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.database import Database
from gateway.storage.engine import Engine
from replay import segment_codec
from replay.compression import train
from replay.generic_dictionary import chunks_of
from replay.store import ReplayStore
from tests.replay.test_replay_compaction import LATER, STORE_MIGRATIONS, record, recording
from tests.replay.test_replay_segment_layout import open_store


@pytest.fixture
def nodes(database_location: Path | Engine) -> Iterator[tuple[ReplayStore, ReplayStore]]:
    """Two stores, each on its own connections to one database, both started before either trained anything."""
    first, second = Database(database_location, STORE_MIGRATIONS), Database(database_location, STORE_MIGRATIONS)
    yield open_store(first), open_store(second)
    first.close()
    second.close()


def trained_by(node: ReplayStore, layout: int) -> int:
    """A dictionary of source "web" for `layout`, trained on other recordings and stored by `node`."""
    samples = [orjson.dumps(c) for i in range(4) for c in chunks_of(recording("replay-corpus", i))]
    if layout == segment_codec.PLAIN:
        return asyncio.run(node.add_dictionary("web", train(samples, 16384), len(samples)))
    encoded = [segment_codec.encode(s) for s in samples]
    return asyncio.run(node.add_dictionary("web", train(encoded, 16384, 19), len(samples), layout))


def events(node: ReplayStore, session_id: str) -> list[dict[str, Any]]:
    return list(node.read_events(session_id))


def test_a_segment_compressed_with_a_dictionary_another_node_trained_reads_on_this_node(
        nodes: tuple[ReplayStore, ReplayStore]) -> None:
    first, second = nodes
    own = trained_by(first, segment_codec.LAYOUT)
    asyncio.run(record(first, "s-1", recording("replay-corpus", 6), "h-ada"))
    assert asyncio.run(first.compact(now=LATER)) == 1

    assert events(second, "s-1") == events(first, "s-1")
    # Known now, and the source's newest: this node's own segments are compressed with it too.
    assert second.segment_dictionary_for("web") == own


def test_chunks_compressed_with_a_dictionary_another_node_trained_are_read_and_compacted_on_this_node(
        nodes: tuple[ReplayStore, ReplayStore]) -> None:
    first, second = nodes
    own = trained_by(first, segment_codec.PLAIN)
    asyncio.run(record(first, "s-2", recording("replay-corpus", 7), "h-ada"))
    before = events(first, "s-2")

    assert asyncio.run(second.compact(now=LATER)) == 1

    assert events(second, "s-2") == events(first, "s-2") == before
    assert second.dictionary_for("web") == own
    assert len(second.recent_raw_chunks("web", 5)) == 5  # the samples its next training reads


def test_a_node_writes_with_the_newest_dictionary_once_it_has_met_it_and_the_other_node_reads_that(
        nodes: tuple[ReplayStore, ReplayStore]) -> None:
    first, second = nodes
    own = trained_by(first, segment_codec.PLAIN)
    asyncio.run(record(first, "s-3", recording("replay-corpus", 7), "h-ada"))
    events(second, "s-3")

    asyncio.run(record(second, "s-4", recording("replay-corpus", 8), "h-bo"))

    assert second.db.read_sync(lambda c: c.execute(
        "SELECT DISTINCT dictionary_id FROM replay_chunks WHERE session_id = 's-4'").fetchall()) == [(own,)]
    assert events(first, "s-4") == events(second, "s-4") != []
